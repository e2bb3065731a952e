package dev.kerasj.reliability.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.reliability.ChildJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a {@link BackupChild} trained with {@code handleSigterm(true)}: the step in progress finishes, a backup
 * is written, {@code fit} returns INTERRUPTED, the application's own handler is back, and the JVM exits normally;
 * a rerun completes with the weights of an uninterrupted run.
 */
class SigtermTest {
  @TempDir
  Path tmp;

  @Test
  void sigterm_writesBackup_returnsInterrupted_andRerunEndsBitwiseEqual() throws Exception {
    String reference;
    try (ChildJvm child = ChildJvm.start(List.of(), BackupChild.class, tmp.resolve("logs/ref.err"),
        tmp.resolve("reference").toString())) {
      assertEquals(0, child.awaitExit(120), child.describe());
      reference = weights(child.lines());
    }
    Path dir = tmp.resolve("run");
    try (ChildJvm child = ChildJvm.start(List.of(), BackupChild.class, tmp.resolve("logs/term.err"), dir.toString(),
        "sigterm")) {
      for (String line; !(line = child.nextLine(120_000)).equals("STEP 17"); ) {
        assertTrue(!line.equals(ChildJvm.EOF), "the child ended early\n" + child.describe());
      }
      child.sigterm();
      assertEquals(0, child.awaitExit(120), "a graceful stop exits normally\n" + child.describe());
      List<String> lines = child.lines();
      assertTrue(lines.contains("OUTCOME INTERRUPTED"), child.describe());
      assertTrue(lines.contains("HANDLER_RESTORED true"), child.describe());
      int lastStep = lines.stream().filter(l -> l.startsWith("STEP ")).mapToInt(l -> Integer.parseInt(l.substring(5)))
          .max().orElseThrow();
      assertTrue(lastStep < 72, "stopped before the end: step " + lastStep);
      String last = lines.stream().filter(l -> l.contains("BackupAndRestore: writing")).reduce((a, b) -> b)
          .orElseThrow();
      assertTrue(last.contains("interrupted"), "the last backup is the interruption's: " + last);
      assertEquals(2, BackupAndRestore.list(dir.resolve("backup")).size());
    }
    try (ChildJvm child = ChildJvm.start(List.of(), BackupChild.class, tmp.resolve("logs/rerun.err"),
        dir.toString())) {
      assertEquals(0, child.awaitExit(120), child.describe());
      assertTrue(child.lines().contains("OUTCOME COMPLETED"), child.describe());
      assertEquals(reference, weights(child.lines()));
    }
  }

  private static String weights(List<String> lines) {
    return lines.stream().filter(l -> l.startsWith("WEIGHTS ")).findFirst().orElseThrow(
        () -> new AssertionError("no WEIGHTS line: " + lines));
  }
}
