package dev.kerasj.reliability.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a {@link BackupChild} again and again, at random batches and during saves (backups and
 * ModelCheckpoint writes), restarting it each time, until at least {@value #KILLS_PER_LANE} kills per lane landed;
 * then lets it finish and checks that the run ended exactly as an uninterrupted one: the final weights bit for bit,
 * the CSV log byte for byte, and the same ModelCheckpoint files (names, and each one's weights, restored in this
 * JVM, bit for bit). Kill timing comes from a seed printed at the start and in failures ({@code -Dkerasj.killSeed=N} replays
 * the plans; the exact moment still depends on scheduling). Two lanes run side by side to overlap JVM start-ups.
 */
class BackupKillTest {
  static final int LANES = 2;
  static final int KILLS_PER_LANE = 15;
  static final long LIFE_TIMEOUT_S = 120;

  @TempDir
  Path tmp;

  /** What one finished run left: the final weights' hash, the CSV log and the checkpoint files' names. */
  record Finished(String weights, String csv, List<String> files, java.util.Map<String, String> checkpointWeights) {}

  /** Counts for the report. */
  record Lane(Finished result, List<Finished> earlierRounds, int lives, int kills, int duringBackup,
      int duringCheckpoint, int rounds) {}

  @Test
  void killedAtRandomBatchesAndDuringSaves_resumesToTheUninterruptedResult() throws Exception {
    long seed = Long.getLong("kerasj.killSeed", System.nanoTime());
    System.out.println("BackupKillTest seed " + seed + " (replay with -Dkerasj.killSeed=" + seed + ")");
    ExecutorService pool = Executors.newFixedThreadPool(LANES + 1);
    try {
      Future<Finished> reference = pool.submit(() -> runToEnd(tmp.resolve("reference"), "reference"));
      List<Future<Lane>> lanes = new ArrayList<>();
      for (int i = 0; i < LANES; i++) {
        int lane = i;
        lanes.add(pool.submit(() -> killLoop(tmp.resolve("lane" + lane), new Random(seed + lane), seed, lane)));
      }
      Finished ref = reference.get();
      assertEquals(List.of("best/best-01.data-00000-of-00001", "best/best-01.index"), ref.files().subList(0, 2),
          "the reference run saved a best checkpoint after epoch 1: " + ref.files());
      int kills = 0;
      int duringSaves = 0;
      for (Future<Lane> f : lanes) {
        Lane lane = f.get();
        System.out.println("lane: " + lane.lives() + " lives, " + lane.kills() + " kills (" + lane.duringBackup()
            + " during a backup write, " + lane.duringCheckpoint() + " during a ModelCheckpoint save), "
            + lane.rounds() + " round(s)");
        assertEquals(ref.weights(), lane.result().weights(), "final weights differ from the uninterrupted run (seed "
            + seed + ")");
        assertEquals(ref.csv(), lane.result().csv(), "CSV log differs (seed " + seed + ")");
        assertEquals(ref.files(), lane.result().files(), "ModelCheckpoint files differ (seed " + seed + ")");
        assertEquals(ref.checkpointWeights(), lane.result().checkpointWeights(),
            "the kept checkpoints hold other weights (seed " + seed + ")");
        for (Finished round : lane.earlierRounds()) {
          assertEquals(ref, round, "an earlier round ended differently (seed " + seed + ")");
        }
        kills += lane.kills();
        duringSaves += lane.duringBackup() + lane.duringCheckpoint();
      }
      assertTrue(kills >= 30, "at least 30 kills: " + kills);
      assertTrue(duringSaves >= 5, "some kills landed during saves: " + duringSaves + " (seed " + seed + ")");
    } finally {
      pool.shutdownNow();
    }
  }

  /** Kills lives of a child in {@code dir} until {@link #KILLS_PER_LANE} kills landed, then lets one finish. */
  private Lane killLoop(Path root, Random random, long seed, int laneNo) throws Exception {
    int lives = 0;
    int kills = 0;
    int duringBackup = 0;
    int duringCheckpoint = 0;
    int rounds = 1;
    List<Finished> earlier = new ArrayList<>();
    Path dir = root.resolve("round1");
    while (true) {
      lives++;
      boolean kill = kills < KILLS_PER_LANE;
      try (ChildJvm child = ChildJvm.start(List.of(), BackupChild.class,
          root.resolve("logs/life" + lives + ".err"), dir.toString())) {
        if (!kill) {
          int exit = child.awaitExit(LIFE_TIMEOUT_S);
          assertEquals(0, exit, "final life failed (seed " + seed + ")\n" + child.describe());
          return new Lane(finished(dir, child.lines()), earlier, lives, kills, duringBackup, duringCheckpoint,
              rounds);
        }
        boolean duringSave = random.nextBoolean();
        int target = duringSave ? 1 + random.nextInt(2) : 1 + random.nextInt(8);
        long delayMicros = duringSave ? random.nextInt(20_000) : 0;
        int seen = 0;
        boolean ended = false;
        while (seen < target) {
          String line = child.nextLine(LIFE_TIMEOUT_S * 1000);
          if (line == null || line.equals(ChildJvm.EOF)) {
            ended = true;
            break;
          }
          if (duringSave ? line.contains("BackupAndRestore: writing") || line.contains("saving model to")
              : line.startsWith("STEP ")) {
            seen++;
          }
        }
        if (ended) {
          // The run finished before this kill: start a new round so every round ends in a checked result.
          int exit = child.awaitExit(LIFE_TIMEOUT_S);
          assertEquals(0, exit, "life failed (seed " + seed + ")\n" + child.describe());
          earlier.add(finished(dir, child.lines()));
          rounds++;
          dir = root.resolve("round" + rounds);
          continue;
        }
        if (delayMicros > 0) {
          Thread.sleep(delayMicros / 1000, (int) (delayMicros % 1000) * 1000);
        }
        int exit = child.kill();
        if (exit != ChildJvm.SIGKILL_EXIT) {
          assertEquals(0, exit, "life failed (seed " + seed + ")\n" + child.describe());
          continue; // it finished just before the signal
        }
        kills++;
        String open = openSave(child.lines());
        if ("backup".equals(open)) {
          duringBackup++;
        } else if ("checkpoint".equals(open)) {
          duringCheckpoint++;
        }
        List<Path> backups = BackupAndRestore.list(dir.resolve("backup"));
        // A backup is committed before the oldest is deleted (never fewer than two good ones while writing), so a
        // kill between the two leaves one more; the next backup deletes it. The child's "writing" line can still be
        // in its output buffer at that moment, so the window cannot be told from its output: one more is allowed
        // after any kill.
        int allowed = BackupAndRestore.BACKUPS_KEPT + 1;
        assertTrue(backups.size() <= allowed, "at most " + allowed + " backups after a kill ("
            + ("backup".equals(open) ? "inside" : "outside") + " a backup write by the child's output): " + backups
            + " (seed " + seed + ")");
      }
    }
  }

  /** Which save the last lines show in progress when the child died: "backup", "checkpoint" or null. */
  static String openSave(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i);
      if (l.contains("BackupAndRestore: wrote") || l.contains("finished saving") || l.startsWith("STEP ")) {
        return null;
      }
      if (l.contains("BackupAndRestore: writing")) {
        return "backup";
      }
      if (l.contains("saving model to")) {
        return "checkpoint";
      }
    }
    return null;
  }

  private Finished runToEnd(Path dir, String name) throws Exception {
    try (ChildJvm child = ChildJvm.start(List.of(), BackupChild.class, tmp.resolve("logs/" + name + ".err"),
        dir.toString())) {
      int exit = child.awaitExit(LIFE_TIMEOUT_S);
      assertEquals(0, exit, name + " run failed\n" + child.describe());
      return finished(dir, child.lines());
    }
  }

  private static Finished finished(Path dir, List<String> lines) throws IOException {
    assertTrue(lines.contains("OUTCOME COMPLETED"), "the run completed: " + lines);
    String weights = lines.stream().filter(l -> l.startsWith("WEIGHTS ")).findFirst().orElseThrow();
    assertTrue(!Files.exists(dir.resolve("backup")), "a completed run deletes its backup");
    List<String> files = new ArrayList<>();
    for (String sub : List.of("best", "ckpt")) {
      try (Stream<Path> s = Files.list(dir.resolve(sub))) {
        s.map(p -> sub + "/" + p.getFileName()).filter(n -> !n.contains("/.")).sorted().forEach(files::add);
      }
    }
    java.util.Map<String, String> checkpoints = new java.util.TreeMap<>();
    for (String f : files) {
      if (f.endsWith(".index")) {
        String prefix = f.substring(0, f.length() - ".index".length());
        try (dev.kerasj.Sequential m = BackupChild.newModel()) {
          m.loadWeights(dir.resolve(prefix));
          checkpoints.put(prefix, BackupChild.hash(m));
        } catch (Exception e) {
          throw new AssertionError("checkpoint " + prefix + " does not restore", e);
        }
      }
    }
    return new Finished(weights, Files.readString(dir.resolve("log.csv"), StandardCharsets.UTF_8), files,
        checkpoints);
  }
}
