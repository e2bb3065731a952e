package dev.kerasj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a person sees on the console from the command line run as a process: no SLF4J set-up warnings and no jhdf
 * chatter. The process gets the test classpath (which has the slf4j-simple the CLI's {@code lib/} ships), not the
 * test JVM's recording SLF4J backend.
 */
class CliConsoleOutputTest {
  static final Path KERAS_ARCHIVE = Path.of("testdata/keras/mlp_adam.keras");

  record Result(int exit, String out, String err) {}

  static Result run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
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

  @Test
  void inspectKerasArchive_printsNoSlf4jWarningNorHdf5Chatter() throws Exception {
    Result r = run(java("inspect", KERAS_ARCHIVE.toString()));

    assertEquals(0, r.exit(), r.err());
    assertFalse(r.err().contains("SLF4J"), r.err());
    assertFalse(r.err().contains("HdfFile") || r.err().contains("Lazy loading"), r.err());
    assertTrue(r.out().contains("layers/dense"), r.out());
  }
}
