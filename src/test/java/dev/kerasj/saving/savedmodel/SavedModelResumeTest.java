package dev.kerasj.saving.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resuming from a SavedModel in a new JVM continues training exactly: 3 epochs, save, a child JVM loads and trains
 * epochs 3..6 ({@code initialEpoch=3}) = 6 uninterrupted epochs, for every variable (weights, BatchNormalization's
 * moving statistics, Adam's slots, iterations, learning rate), bit for bit on CPU.
 *
 * <p>Why bitwise holds: the shuffle order depends only on (seed, epoch), the seed is restored from kerasj.json, and
 * every variable the step reads is restored exactly. It does not hold for models with Dropout: its random op restarts
 * its stream in a new graph, so masks after a resume differ from an uninterrupted run (not covered here).
 */
class SavedModelResumeTest {
  static final int EPOCHS = 6;
  static final int SAVED_AT = 3;

  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(ModelCases.class)
  void resume_inNewJvm_equalsUninterruptedTrainingBitwise(ModelCases c) throws Exception {
    Map<String, HostArray> uninterrupted;
    try (Sequential model = c.build()) {
      c.fit(model, 0, EPOCHS);
      uninterrupted = ModelCases.variables(model);
    }
    Path dir = tmp.resolve("checkpoint");
    try (Sequential model = c.build()) {
      c.fit(model, 0, SAVED_AT);
      SavedModelWriter.write(model, dir, TrainingState.afterEpoch(SAVED_AT));
    }
    Path out = tmp.resolve("resumed.bin");
    runChild(c, dir, out);
    Map<String, HostArray> resumed = ResumeChild.readVariables(out);
    SavedModelRoundTripTest.assertBitwiseEqual(uninterrupted, resumed);
    assertEquals(EPOCHS * (ModelCases.SAMPLES / 16), resumed.get("adam/iterations").ints()[0]);
  }

  private static void runChild(ModelCases c, Path dir, Path out) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ResumeChild.class.getName());
    cmd.add(c.name());
    cmd.add(dir.toString());
    cmd.add(Integer.toString(EPOCHS));
    cmd.add(out.toString());
    Path log = out.resolveSibling("child.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in 180 s; log:\n" + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("child JVM failed with exit code " + p.exitValue() + "; log:\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
