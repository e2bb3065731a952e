package dev.kerasj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a person sees on the console from the command line run as a process: no SLF4J set-up warnings, no jhdf
 * chatter and, through the {@code src/main/sh/kerasj} launcher, none of TensorFlow's native start-up lines unless
 * {@code --verbose}. The process gets the test classpath (which has the slf4j-simple the CLI's {@code lib/} ships),
 * not the test JVM's recording SLF4J backend.
 */
class CliConsoleOutputTest {
  static final Path CHECKPOINT_DIR = Path.of("testdata/checkpoints/mlp_adam");
  static final Path KERAS_ARCHIVE = Path.of("testdata/keras/mlp_adam.keras");
  static final Path LAUNCHER = Path.of("src/main/sh/kerasj");
  /** One fragment of each line TensorFlow's runtime prints on a checkpoint's first Session (measured, TF 2.18). */
  static final List<String> TF_START_UP = List.of(
      "oneDNN custom operations are on",
      "This TensorFlow binary is optimized to use available CPU instructions",
      "All log messages before absl::InitializeLog() is called are written to STDERR",
      "MLIR V1 optimization pass is not enabled");

  record Result(int exit, String out, String err) {}

  static Result run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
    pb.environment().put("KERASJ_CLASSPATH", System.getProperty("java.class.path"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kerasj did not end within 120 s: " + command);
    }
    return new Result(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
  }

  static List<String> java(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Kerasj.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static List<String> launcher(String... args) {
    assumeTrue(Files.isExecutable(LAUNCHER) && Files.isExecutable(Path.of("/bin/bash")),
        "src/main/sh/kerasj needs bash");
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static List<String> tfLinesIn(String err) {
    return TF_START_UP.stream().filter(err::contains).toList();
  }

  @Test
  void inspectKerasArchive_printsNoSlf4jWarningNorHdf5Chatter() throws Exception {
    Result r = run(java("inspect", KERAS_ARCHIVE.toString()));

    assertEquals(0, r.exit(), r.err());
    assertFalse(r.err().contains("SLF4J"), r.err());
    assertFalse(r.err().contains("HdfFile") || r.err().contains("Lazy loading"), r.err());
    assertTrue(r.out().contains("layers/dense"), r.out());
  }

  /**
   * A .weights.h5 kerasj wrote carries string attributes (layer names, its layout and checksum); jhdf's reader warns
   * about the padding its own writer leaves after each ("buffer still has N bytes remaining"). The CLI hides that.
   */
  @Test
  void verifyKerasjWeightsFile_printsNoJhdfPaddingWarnings(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("java.weights.h5");
    try (dev.kerasj.Sequential m = KerasjCliTest.trainedModel()) {
      m.saveWeights(file);
    }
    Result r = run(java("verify", file.toString()));
    assertEquals(0, r.exit(), r.out() + r.err());
    assertFalse(r.err().contains("bytes remaining"), r.err());
    assertTrue(r.out().contains("kerasj's sha256 of every dataset matches"), r.out());
  }

  @Test
  void launcher_inspectCheckpoint_printsNoneOfTensorFlowsStartUpLines() throws Exception {
    Result r = run(launcher("inspect", CHECKPOINT_DIR.toString()));

    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(), tfLinesIn(r.err()), r.err());
    assertFalse(r.err().contains("SLF4J"), r.err());
    assertTrue(r.out().contains("model_checkpoint_path: ckpt-1"), r.out());
  }

  @Test
  void launcher_verbose_bringsTensorFlowsStartUpLinesBack() throws Exception {
    Result r = run(launcher("inspect", "--verbose", CHECKPOINT_DIR.toString()));

    assertEquals(0, r.exit(), r.err());
    assertEquals(TF_START_UP, tfLinesIn(r.err()), r.err());
  }

  @Test
  void withoutTheLauncher_javaAlonePrintsThem_whichIsWhyTheLauncherExists() throws Exception {
    Result r = run(java("inspect", CHECKPOINT_DIR.toString()));

    assertEquals(0, r.exit(), r.err());
    assertEquals(TF_START_UP, tfLinesIn(r.err()), "if this fails, TensorFlow's start-up changed: re-measure, and "
        + "update src/main/sh/kerasj and the lines this test looks for\n" + r.err());
  }

  @Test
  void launcher_keepsErrorsAndExitStatus() throws Exception {
    Result r = run(launcher("inspect", "no/such/model"));

    assertEquals(Kerasj.EXIT_FAILURE, r.exit());
    assertTrue(r.err().startsWith("kerasj: error: no such file: no/such/model"), r.err());
  }
}
