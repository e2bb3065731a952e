package dev.kerasj.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The UCI handwritten digits shipped in {@code testdata/digits/digits.csv} (1797 samples of 8x8 pixel counts 0..16
 * and a label 0..9; source and licence in {@code testdata/digits/README.md}).
 *
 * @param pixels {@code [1797][64]} pixel values scaled to [0, 1] (count / 16), as the Python twin does
 * @param labels {@code [1797]} digit labels
 */
public record Digits(float[][] pixels, int[] labels) {
  /** Default location, relative to the repository root. */
  public static final Path DEFAULT_CSV = Path.of("testdata", "digits", "digits.csv");

  /** Reads the CSV; throws naming the file and line on malformed input. */
  public static Digits load(Path csv) {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the digits dataset at " + csv.toAbsolutePath()
          + " (run from the repository root, or pass --data PATH)", e);
    }
    if (lines.isEmpty() || !lines.get(0).startsWith("p0,")) {
      throw new IllegalArgumentException("Expected a header 'p0,...,p63,label' in " + csv);
    }
    int n = lines.size() - 1;
    float[][] x = new float[n][64];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      String[] cells = lines.get(i + 1).split(",");
      if (cells.length != 65) {
        throw new IllegalArgumentException(
            csv + " line " + (i + 2) + ": expected 65 values. Received: " + cells.length);
      }
      for (int j = 0; j < 64; j++) {
        x[i][j] = Integer.parseInt(cells[j].trim()) / 16.0f;
      }
      y[i] = Integer.parseInt(cells[64].trim());
    }
    return new Digits(x, y);
  }

  /** Rows {@code [from, to)} as a new dataset. */
  public Digits slice(int from, int to) {
    return new Digits(java.util.Arrays.copyOfRange(pixels, from, to), java.util.Arrays.copyOfRange(labels, from, to));
  }

  public int size() {
    return labels.length;
  }
}
