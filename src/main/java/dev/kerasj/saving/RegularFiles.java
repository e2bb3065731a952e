package dev.kerasj.saving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses a path that exists but is not a regular file before anything opens it. Opening a FIFO for reading blocks
 * until some other process writes to it, so a reader handed one (a {@code checkpoint} state file, a data file, an
 * asset) would hang forever; a directory or a device is no better. Symbolic links to regular files are followed and
 * accepted.
 *
 * <pre>{@code
 * byte[] pb = RegularFiles.readAllBytes(dir.resolve("saved_model.pb"));   // never blocks on a FIFO
 * }</pre>
 */
public final class RegularFiles {
  private RegularFiles() {}

  /**
   * Whether something is at {@code file} (following links) that is not a regular file.
   */
  public static boolean isSpecial(Path file) {
    return Files.exists(file) && !Files.isRegularFile(file);
  }

  /**
   * Throws when {@code file} exists but is not a regular file; a missing file passes (the caller reports it in its
   * own words).
   *
   * @throws CorruptCheckpointException naming the file and what it is ("... is a FIFO, expected a regular file")
   */
  public static void require(Path file) {
    if (isSpecial(file)) {
      throw new CorruptCheckpointException(file, notRegular(file));
    }
  }

  /** {@link Files#readAllBytes} after {@link #require}: a FIFO is refused instead of blocking the reader. */
  public static byte[] readAllBytes(Path file) throws IOException {
    require(file);
    return Files.readAllBytes(file);
  }

  /** "{@code file} is a FIFO, expected a regular file" (or a directory, a socket, a device ...). */
  public static String notRegular(Path file) {
    return file + " is " + kind(file) + ", expected a regular file";
  }

  /** What is at {@code file}, in words: "a directory", "a FIFO", "a socket", "a character device" ... */
  static String kind(Path file) {
    if (Files.isDirectory(file)) {
      return "a directory";
    }
    if (Files.isRegularFile(file)) {
      return "a regular file";
    }
    try {
      int type = ((Integer) Files.getAttribute(file, "unix:mode")) & 0170000;
      return switch (type) {
        case 0010000 -> "a FIFO";
        case 0140000 -> "a socket";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        default -> "a special file";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      return "a special file (not a regular file)";
    }
  }
}
