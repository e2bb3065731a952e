package dev.kerasj.cli;

import static dev.kerasj.cli.KerasjCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.saving.tfcheckpoint.HostileBundles;
import dev.kerasj.saving.tfcheckpoint.HostileBundles.Hostile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code inspect}, {@code verify} and {@code convert} on TF files that would abort the JVM in TensorFlow's native
 * reader (index entries with valid checksums but hostile contents) or block it forever (a FIFO in a file's place):
 * each exits 1 with the error on one line, in seconds.
 */
class HostileFilesCliTest {
  static final Duration QUICKLY = Duration.ofSeconds(30);
  @TempDir Path tmp;

  /** A copy of Python's {@code mlp_adam} checkpoint directory ({@code checkpoint} + {@code ckpt-1}). */
  private Path checkpointDir() throws IOException {
    return KerasjCliTest.copyDir(KerasjCliTest.KERAS_CKPT_DIR, tmp.resolve("ckpts"));
  }

  /** A kerasj SavedModel of a small MLP. */
  private Path savedModel() throws IOException {
    Path dir = tmp.resolve("sm");
    try (Sequential m = KerasjCliTest.trainedModel()) {
      m.save(dir);
    }
    // Without kerasj's SHA-256 manifest (which refuses any changed file first), as a Python SavedModel: the hostile
    // index itself must be refused.
    Files.delete(dir.resolve(VerifyCommand.CHECKSUMS));
    return dir;
  }

  private static void assertOneLineError(KerasjCliTest.Run r, String... parts) {
    assertEquals(Kerasj.EXIT_FAILURE, r.exit(), r.out() + r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    for (String p : parts) {
      assertTrue(r.err().contains(p), "'" + p + "' in: " + r.err());
    }
  }

  private static void assertCorruptLine(KerasjCliTest.Run r, String... parts) {
    assertEquals(Kerasj.EXIT_FAILURE, r.exit(), r.out() + r.err());
    String bad = r.out().lines().filter(l -> l.startsWith("CORRUPT")).findFirst().orElseThrow(() ->
        new AssertionError(r.out()));
    for (String p : parts) {
      assertTrue(bad.contains(p), "'" + p + "' in: " + bad);
    }
  }

  @ParameterizedTest
  @EnumSource(Hostile.class)
  void inspectAndVerify_hostileCheckpointIndex_exitOneWithOneLine(Hostile hostile) throws IOException {
    Path prefix = checkpointDir().resolve("ckpt-1");
    String key = HostileBundles.apply(prefix, hostile);
    String[] parts = key == null ? new String[] {hostile.message} : new String[] {hostile.message, "'" + key + "'"};
    assertOneLineError(run("inspect", prefix.toString()), parts);
    assertOneLineError(run("inspect", prefix.getParent().toString()), parts);
    assertCorruptLine(run("verify", prefix.toString()), parts);
  }

  @ParameterizedTest
  @EnumSource(Hostile.class)
  void inspectAndVerify_savedModelWithHostileVariablesIndex_exitOneWithOneLine(Hostile hostile) throws IOException {
    Path dir = savedModel();
    String key = HostileBundles.apply(dir.resolve("variables").resolve("variables"), hostile);
    String[] parts = key == null ? new String[] {hostile.message} : new String[] {hostile.message, "'" + key + "'"};
    assertOneLineError(run("inspect", dir.toString()), parts);
    assertCorruptLine(run("verify", dir.toString()), parts);
  }

  @Test
  void convert_hostileCheckpoint_exitOneWithOneLine() throws IOException {
    Path prefix = checkpointDir().resolve("ckpt-1");
    String key = HostileBundles.apply(prefix, Hostile.NEGATIVE_DIMENSION);
    assertOneLineError(run("convert", prefix.toString(), tmp.resolve("out.weights.h5").toString(), "--like",
        KerasFilesCliTest.MLP_KERAS.toString()), Hostile.NEGATIVE_DIMENSION.message, "'" + key + "'");
  }

  @Test
  void inspect_fifoStateFile_exitOneQuickly() throws Exception {
    Path dir = checkpointDir();
    Path state = dir.resolve("checkpoint");
    HostileBundles.replaceWithFifo(state);
    KerasjCliTest.Run r = assertTimeoutPreemptively(QUICKLY, () -> run("inspect", dir.toString()));
    assertOneLineError(r, state + " is a FIFO, expected a regular file");
  }

  @Test
  void inspectAndVerify_fifoDataFile_exitOneQuickly() throws Exception {
    Path dir = checkpointDir();
    Path data = dir.resolve("ckpt-1.data-00000-of-00001");
    HostileBundles.replaceWithFifo(data);
    String fifo = data + " is a FIFO, expected a regular file";
    assertOneLineError(assertTimeoutPreemptively(QUICKLY, () -> run("inspect", dir.toString())), fifo);
    assertCorruptLine(assertTimeoutPreemptively(QUICKLY, () -> run("verify", dir.toString())), fifo);
  }

  @Test
  void verify_fifoConfigJson_exitOneQuickly() throws Exception {
    Path dir = savedModel();
    Path config = dir.resolve("assets").resolve("config.json");
    HostileBundles.replaceWithFifo(config);
    assertCorruptLine(assertTimeoutPreemptively(QUICKLY, () -> run("verify", dir.toString())),
        config + " is a FIFO, expected a regular file");
  }

  @Test
  void inspect_fifoIndex_saysFifoNotUnknownFormat() throws Exception {
    Path index = checkpointDir().resolve("ckpt-1.index");
    HostileBundles.replaceWithFifo(index);
    assertOneLineError(assertTimeoutPreemptively(QUICKLY, () -> run("inspect", index.toString())),
        index + " is a FIFO, expected a regular file");
  }
}
