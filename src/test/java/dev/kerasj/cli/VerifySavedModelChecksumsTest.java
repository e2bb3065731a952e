package dev.kerasj.cli;

import static dev.kerasj.cli.KerasjCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.savedmodel.SavedModelLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kerasj SavedModel carries {@code assets/kerasj.sha256}, the SHA-256 of every other file; the loader and
 * {@code verify} check it, so the cases of issue 14 that used to pass are caught: a flipped byte in
 * {@code assets/config.json} ({@code relu} → {@code selu}: a different model with the right weights), the recorded
 * epoch changed in {@code kerasj.json} (a resume that skips epochs), {@code saved_model.pb} truncated to 0 bytes
 * (parsed as "0 MetaGraph(s)"), a bit flip in {@code saved_model.pb}, {@code variables/} replaced by another
 * model's. {@code verify} ends with whether the SavedModel loads: OK means it loads.
 */
class VerifySavedModelChecksumsTest {
  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void save() throws IOException {
    dir = tmp.resolve("model");
    try (Sequential model = KerasjCliTest.trainedModel()) {
      model.save(dir);
    }
  }

  @Test
  void soundSavedModel_verifiesEveryFileAndLoads() {
    KerasjCliTest.Run r = run("verify", dir.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("verify: all 6 files OK", lines.get(lines.size() - 1), r.out());
    for (String file : List.of("saved_model.pb", "assets/config.json", "assets/kerasj.json")) {
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("OK") && l.contains(dir.resolve(file) + "  ")
          && l.contains("sha256 matches")), file + ":\n" + r.out());
    }
    assertTrue(lines.stream().anyMatch(l -> l.matches("OK\\s+" + java.util.regex.Pattern.quote(dir.toString())
        + "  loads \\(Model.load\\): 2 layers, compiled with Adam")), r.out());
  }

  @Test
  void flippedActivationInConfig_isCorrupt_andLoadRefuses() throws IOException {
    Path config = dir.resolve("assets/config.json");
    replace(config, "\"relu\"", "\"selu\"");
    KerasjCliTest.Run r = run("verify", dir.toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("CORRUPT") && l.contains(config + "  sha256 is ")),
        r.out());
    assertTrue(r.out().contains("NOT CHECKED " + dir + "  not loaded: a file above is bad"), r.out());
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir));
    assertEquals(config, e.file());
    assertTrue(e.getMessage().contains("changed after kerasj wrote it"), e.getMessage());
  }

  @Test
  void changedStepInTrainingState_isRefusedByTheResumeReader() throws IOException {
    Path state = dir.resolve("assets/kerasj.json");
    String text = Files.readString(state);
    assertTrue(text.contains("\"step\": 3\n"), text);
    Files.writeString(state, text.replace("\"step\": 3\n", "\"step\": 9\n"));
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
        () -> SavedModelLoader.readTrainingState(dir));
    assertEquals(state, e.file());
  }

  @Test
  void savedModelPbTruncatedOrBitFlipped_isCorrupt() throws IOException {
    Path pb = dir.resolve("saved_model.pb");
    byte[] original = Files.readAllBytes(pb);
    Files.write(pb, new byte[0]);
    KerasjCliTest.Run r = run("verify", dir.toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("CORRUPT") && l.contains(pb.toString())), r.out());
    for (int bit : new int[] {3, 1000, original.length * 4, original.length * 8 - 5}) {
      byte[] flipped = original.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      Files.write(pb, flipped);
      r = run("verify", dir.toString());
      assertEquals(1, r.exit(), "bit " + bit + ":\n" + r.out());
      assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir), "bit " + bit);
    }
  }

  @Test
  void variablesOfAnotherModel_areCorrupt() throws IOException {
    Path other = tmp.resolve("other");
    try (Sequential model = KerasjCliTest.trainedModel()) {
      model.fit(new float[][] {{1, 2, 3, 4}}, new int[] {1},
          dev.kerasj.FitOptions.builder().epochs(3).verbose(0).build());
      model.save(other);
    }
    for (String f : List.of("variables.index", "variables.data-00000-of-00001")) {
      Files.copy(other.resolve("variables").resolve(f), dir.resolve("variables").resolve(f),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    KerasjCliTest.Run r = run("verify", dir.toString());
    assertEquals(1, r.exit(), r.out());
    assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir));
  }

  /** A SavedModel Python wrote has no manifest: its files are NO CHECKSUM (not OK, not failures), and it loads. */
  @Test
  void pythonSavedModel_hasNoChecksumToCheck_andLoadsAsServedModel() {
    KerasjCliTest.Run r = run("verify", Path.of("testdata/serving/keras_export").toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("NO CHECKSUM") && l.contains("saved_model.pb")
        && l.contains("no checksum to check")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("OK") && l.contains("loads (ServedModel.open)")), r.out());
    String last = r.out().lines().reduce((a, b) -> b).orElseThrow();
    assertTrue(last.matches("verify: all \\d+ files OK \\(\\d+ without a checksum to check\\)"), last);
  }

  /** A SavedModel of kerasj before 2026-12 (no manifest) still loads, with a warning. */
  @Test
  void savedModelWithoutManifest_stillLoads() throws IOException {
    Files.delete(dir.resolve("assets/kerasj.sha256"));
    try (Sequential model = Sequential.load(dir)) {
      assertTrue(model.isCompiled());
    }
    KerasjCliTest.Run r = run("verify", dir.toString());
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("NO CHECKSUM"), r.out());
  }

  /** {@code sha256sum -c} checks kerasj's manifest as well (its format is sha256sum's). */
  @Test
  void manifest_isSha256sumFormat() throws Exception {
    Process p = new ProcessBuilder("sha256sum", "-c", "assets/kerasj.sha256").directory(dir.toFile())
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertEquals(5, out.lines().filter(l -> l.endsWith(": OK")).count(), out);
    assertFalse(out.contains("FAILED"), out);
  }

  private static void replace(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    assertTrue(text.contains(from), from + " not in " + file);
    Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(from), to),
        StandardOpenOption.TRUNCATE_EXISTING);
  }
}
