package dev.kerasj.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.reliability.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job as a user runs it, in child JVMs: a second run is a new run that says what it replaces and saves its
 * own best model; a killed or interrupted run resumes with {@code --resume} to the uninterrupted run's CSV and
 * weights, byte for byte; a plain rerun never drops an interrupted run; the closing lines name every file.
 */
class TrainDigitsTest {
  private static final Path DATA = Path.of("testdata", "digits", "digits.csv").toAbsolutePath();

  @TempDir
  Path tmp;

  private ChildJvm start(String log, Path out, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--data", DATA.toString(), "--out", out.toString()));
    args.addAll(List.of(extra));
    return ChildJvm.start(List.of(), TrainDigits.class, tmp.resolve("logs").resolve(log + ".err"),
        args.toArray(String[]::new));
  }

  /** Runs to the end; the child's stdout lines, after checking its exit status. */
  private List<String> runToEnd(String log, Path out, int expectedStatus, String... extra) throws Exception {
    try (ChildJvm child = start(log, out, extra)) {
      assertEquals(expectedStatus, child.awaitExit(180), child.describe());
      return child.lines();
    }
  }

  /** Starts a run and waits until it prints the header of {@code epochLine} (e.g. "Epoch 2/3"). */
  private static void awaitLine(ChildJvm child, String epochLine) throws InterruptedException {
    for (String line; !(line = child.nextLine(180_000)).startsWith(epochLine); ) {
      assertFalse(line.equals(ChildJvm.EOF), "the run ended before '" + epochLine + "'\n" + child.describe());
    }
  }

  @Test
  void secondRun_isANewRun_savesItsOwnBest_andNamesEveryFile() throws Exception {
    Path out = tmp.resolve("run");
    List<String> first = runToEnd("first", out, 0, "--epochs", "2");
    assertTrue(first.contains("Starting a new run in " + out), String.join("\n", first));

    List<String> second = runToEnd("second", out, 0, "--epochs", "2");
    String text = String.join("\n", second);
    assertTrue(text.contains("Starting a new run in " + out + "; it replaces what an earlier run left there"), text);
    assertTrue(text.contains("Epoch 1: val_loss improved from None to"), "the new run saves its own best: " + text);
    assertTrue(text.contains("This is a new run; replacing the best model of an earlier run"), text);
    List<String> csv = Files.readAllLines(out.resolve("training_log.csv"));
    assertEquals(3, csv.size(), "header + 2 epochs, not appended to the first run's: " + csv);

    assertTrue(text.contains("Run completed after 2 epoch(s). Files:"), text);
    for (String artifact : List.of("best model (val_loss", "last model (epoch 2)", "weights checkpoint",
        "training log")) {
      String line = second.stream().filter(l -> l.trim().startsWith(artifact)).findFirst()
          .orElseThrow(() -> new AssertionError("no closing line for " + artifact + ":\n" + text));
      String path = line.substring(line.indexOf(':') + 1).trim().replace(".{index,data-00000-of-00001}", ".index");
      assertTrue(Files.exists(Path.of(path)), artifact + " names a file that does not exist: " + line);
    }
  }

  @Test
  void redirectedStdout_hasNoCarriageReturns_andOneProgressLinePerEpoch() throws Exception {
    Path out = tmp.resolve("redirected");
    Path stdout = tmp.resolve("stdout.txt");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), TrainDigits.class.getName(), "--data", DATA.toString(),
        "--out", out.toString(), "--epochs", "2"));
    Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile())
        .redirectError(tmp.resolve("redirected.err").toFile()).start();
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the main job did not finish");
    String text = Files.readString(stdout, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), text);
    assertFalse(text.contains("\r"), "a redirected progress bar must not redraw with carriage returns:\n" + text);
    long progressLines = text.lines().filter(l -> l.matches("^41/41 .*")).count();
    assertEquals(2, progressLines, "one progress line per epoch:\n" + text);
  }

  @Test
  void sigkillMidEpoch_plainRerunRefuses_andResumeEqualsTheUninterruptedRun() throws Exception {
    Path reference = tmp.resolve("reference");
    runToEnd("reference", reference, 0, "--epochs", "5");

    // The kill lands at a random moment of epoch 3, scaled to this machine's speed: epoch 2 is timed in the same
    // child (epoch 1 includes TensorFlow's warm-up), and epochs 3 to 5 leave three times that before the run ends.
    long seed = System.nanoTime();
    double fraction = new Random(seed).nextDouble();
    Path out = tmp.resolve("killed");
    String context;
    try (ChildJvm child = start("killed", out, "--epochs", "5")) {
      awaitLine(child, "Epoch 2/5");
      long epoch2Start = System.nanoTime();
      awaitLine(child, "Epoch 3/5");
      long epochMicros = (System.nanoTime() - epoch2Start) / 1000;
      long delayMicros = (long) (fraction * epochMicros);
      context = "killed " + delayMicros / 1000 + " ms into epoch 3, epoch 2 took " + epochMicros / 1000 + " ms (seed "
          + seed + ")";
      Thread.sleep(delayMicros / 1000, (int) (delayMicros % 1000) * 1000);
      assertEquals(ChildJvm.SIGKILL_EXIT, child.kill(), context);
    }
    assertFalse(BackupAndRestore.list(out.resolve("backup")).isEmpty(), "no backup to resume from; " + context);
    byte[] csvAfterKill = Files.readAllBytes(out.resolve("training_log.csv"));

    List<String> refused = runToEnd("plain-rerun", out, TrainDigits.EXIT_USAGE, "--epochs", "5");
    assertTrue(Files.readString(tmp.resolve("logs/plain-rerun.err")).contains("holds an interrupted run"),
        String.join("\n", refused));
    assertArrayEquals(csvAfterKill, Files.readAllBytes(out.resolve("training_log.csv")),
        "a refused rerun touches nothing");

    List<String> resumed = runToEnd("resume", out, 0, "--epochs", "5", "--resume");
    assertTrue(resumed.stream().anyMatch(l -> l.startsWith("Resuming the interrupted run in " + out)),
        String.join("\n", resumed));
    assertArrayEquals(Files.readAllBytes(reference.resolve("training_log.csv")),
        Files.readAllBytes(out.resolve("training_log.csv")), "the resumed CSV equals the uninterrupted run's; "
            + context);
    for (String model : List.of("last_model", "best_model")) {
      Path data = Path.of(model, "variables", "variables.data-00000-of-00001");
      assertArrayEquals(Files.readAllBytes(reference.resolve(data)), Files.readAllBytes(out.resolve(data)),
          model + " weights and optimizer state equal the uninterrupted run's; " + context);
    }
    assertTrue(BackupAndRestore.list(out.resolve("backup")).isEmpty(), "a completed run deletes its backup");
  }

  @Test
  void sigint_writesBackupAndExits130_thenFreshDiscardsIt_andResumeSaysWhenNothingIsLeft() throws Exception {
    Path out = tmp.resolve("interrupted");
    try (ChildJvm child = start("sigint", out, "--epochs", "5")) {
      awaitLine(child, "Epoch 2/5");
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).inheritIO().start();
      assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -INT failed");
      assertEquals(130, child.awaitExit(120), child.describe());
      String text = String.join("\n", child.lines());
      assertTrue(text.contains("Interrupted after 1 complete epoch(s); backup in " + out.resolve("backup")
          + ". Run again with --resume to continue."), text);
      assertTrue(text.contains("Run interrupted after 1 epoch(s). Files:"), text);
    }
    assertFalse(BackupAndRestore.list(out.resolve("backup")).isEmpty());

    List<String> fresh = runToEnd("fresh", out, 0, "--epochs", "1", "--fresh");
    assertTrue(fresh.contains("--fresh: deleting the interrupted run's backup " + out.resolve("backup")),
        String.join("\n", fresh));
    assertEquals(2, Files.readAllLines(out.resolve("training_log.csv")).size(), "the new run's CSV only");

    List<String> nothing = runToEnd("nothing", out, 0, "--epochs", "1", "--resume");
    String text = String.join("\n", nothing);
    assertTrue(text.contains("Nothing to resume in " + out + ": no backup of an interrupted run there"), text);
    assertTrue(text.contains("Run completed after 1 epoch(s)"), text);
  }

  @Test
  void badArguments_exitWithUsageStatus_andNameWhatWasReceived() throws Exception {
    Path out = tmp.resolve("bad");
    runToEnd("bad", out, TrainDigits.EXIT_USAGE, "--resume", "--fresh");
    String err = Files.readString(tmp.resolve("logs/bad.err"), StandardCharsets.UTF_8);
    assertTrue(err.contains("--resume and --fresh contradict each other"), err);
    assertFalse(Files.exists(out), "nothing is created for a refused invocation");
  }
}
