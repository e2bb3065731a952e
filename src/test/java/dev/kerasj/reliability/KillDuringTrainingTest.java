package dev.kerasj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.savedmodel.SavedModelLoader;
import dev.kerasj.saving.savedmodel.TrainingState;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a training JVM ({@link TrainerChild}) at random moments, many of them while a checkpoint is being written,
 * and checks after every kill, in this JVM, that nothing complete was lost and nothing incomplete is offered:
 * <ul>
 *   <li>every weights checkpoint {@link TfCheckpoint#list} reports restores into a fresh model, and holds exactly the
 *       values the uninterrupted reference run had when it saved that name (so a half-written or stale file is never
 *       taken for a checkpoint: it would either fail to restore or hash differently);</li>
 *   <li>{@link TfCheckpoint#latest} is one of them: the last save that returned, or the one the kill interrupted;</li>
 *   <li>once a SavedModel was ever saved, {@link Sequential#load} of the fixed path succeeds and holds exactly the
 *       reference model of the epoch its {@code TrainingState} names (the last completed save or the interrupted
 *       one);</li>
 *   <li>the restarted child resumes from the latest complete epoch boundary on disk (see {@link TrainerChild}).</li>
 * </ul>
 * Each round ends with an uninterrupted life that prints the final weights' hash, which must equal the reference
 * run's bit for bit (resume points are epoch boundaries only, shuffling depends on (seed, epoch), no Dropout).
 *
 * <p>Kill timing is random, from a seed that changes every run so that CI keeps exploring new moments; it is printed
 * at the start and in every failure message (set {@code -Dkerasj.killSeed=N} to replay the same plans; the exact
 * moment a kill lands still depends on scheduling). Two lanes with their own directories run side by side to fit the
 * JVM start-ups (about 2 s each, mostly loading TensorFlow) into the time budget on two cores.
 */
class KillDuringTrainingTest {
  static final int LANES = 2;
  static final int KILLS_PER_LANE = 10;
  static final long LIFE_TIMEOUT_S = 120;
  /** Names of the copies an overwrite keeps aside until the new checkpoint or SavedModel is in place. */
  static final String PREVIOUS_PREFIX = ".kerasj-previous-";

  @TempDir Path tmp;

  /** What one uninterrupted run printed: hash by weights checkpoint name, by completed epoch, and at the end. */
  record Reference(Map<String, String> weights, Map<Integer, String> epochs, String done) {}

  /** One hash seen anywhere (a child's line or a restore in this JVM), to compare with the reference at the end. */
  record Observation(String what, String key, String hash, String context) {}

  /** Counts for the report. */
  record LaneResult(int lives, int kills, int duringSave, int duringWeightsSave, int duringModelSave,
      int beforeResume, int withStagingLeftover, int withPreviousCopy, int modelOnlyAsPreviousCopy, int rounds,
      int maxListed, List<Observation> observations, List<String> finals) {
    String summary() {
      return lives + " lives, " + kills + " kills (" + duringSave + " during a save: " + duringWeightsSave
          + " weights, " + duringModelSave + " SavedModel; " + beforeResume + " before training resumed), "
          + withStagingLeftover + " left a staging directory, " + withPreviousCopy + " a kept-aside previous copy ("
          + modelOnlyAsPreviousCopy + " with the SavedModel only there); " + rounds + " round(s), at most "
          + maxListed + " weights checkpoints listed (maxToKeep " + TrainerChild.MAX_TO_KEEP + "; more is a "
          + "checkpoint leaked by a crash, see RetentionAfterCrashTest), " + observations.size() + " hashes compared";
    }
  }

  private enum PlanKind { SAVE, DISK, REPLACE, TRAINING, STARTUP }

  /**
   * When to kill one life.
   * <ul>
   *   <li>SAVE: {@code delayMs} (0-30) after the {@code n}-th SAVING line, printed just before a save starts. The
   *       first save of each kind in a JVM spends its first few hundred ms in Java before touching the disk, so
   *       these kills mostly land before any file exists;</li>
   *   <li>DISK: {@code delayMs} (0-5) after the {@code n}-th entry created or renamed into the run's two directories
   *       (staging directories and files, kept-aside copies, the renamed data and index files, state files, the
   *       model directory; only saves write there), which lands kills between the protocol's steps;</li>
   *   <li>REPLACE: {@code delayMs} (0-2) after the {@code n}-th {@code .kerasj-previous-*} entry appears: the old
   *       SavedModel renamed aside (or an overwritten checkpoint's pair kept aside), aiming at the moment where the
   *       fixed path {@code model} does not exist until the new one is renamed in;</li>
   *   <li>TRAINING: {@code delayMs} (0-1000) after the child resumed;</li>
   *   <li>STARTUP: {@code delayMs} (200-2000) after the process started: JVM and TensorFlow start-up, reading the
   *       checkpoint to resume from.</li>
   * </ul>
   */
  private record Plan(PlanKind kind, int n, long delayMs) {
    static Plan random(Random r) {
      double u = r.nextDouble();
      if (u < 0.3) {
        return new Plan(PlanKind.SAVE, 1 + r.nextInt(3), r.nextInt(31));
      }
      if (u < 0.55) {
        return new Plan(PlanKind.DISK, 1 + r.nextInt(22), r.nextInt(6));
      }
      if (u < 0.7) {
        return new Plan(PlanKind.REPLACE, 1 + r.nextInt(2), r.nextInt(3));
      }
      if (u < 0.9) {
        return new Plan(PlanKind.TRAINING, 0, r.nextInt(1000));
      }
      return new Plan(PlanKind.STARTUP, 0, 200 + r.nextInt(1800));
    }
  }

  @Test
  void sigkillAtRandomMoments_keepsEveryCompleteCheckpoint_andResumedRunEndsBitwiseEqual() throws Exception {
    long seed = Long.getLong("kerasj.killSeed", System.nanoTime());
    System.out.println("KillDuringTrainingTest seed=" + seed + " (replay with -Dkerasj.killSeed=" + seed + ")");
    Path csv = Path.of("testdata", "digits", "digits.csv").toAbsolutePath();
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(LANES + 1);
    try {
      Future<Reference> reference = pool.submit(() -> runReference(tmp.resolve("reference"), csv));
      List<Future<LaneResult>> lanes = new ArrayList<>();
      for (int i = 0; i < LANES; i++) {
        int lane = i;
        lanes.add(pool.submit(() -> new Lane(lane, seed + lane, csv).run()));
      }
      Reference ref = unwrap(reference);
      int kills = 0;
      int duringSave = 0;
      List<String> report = new ArrayList<>();
      for (int i = 0; i < LANES; i++) {
        LaneResult r = unwrap(lanes.get(i));
        kills += r.kills();
        duringSave += r.duringSave();
        report.add("lane " + i + ": " + r.summary());
        for (Observation o : r.observations()) {
          String want = switch (o.what()) {
            case "weights" -> ref.weights().get(o.key());
            case "epoch" -> ref.epochs().get(Integer.parseInt(o.key()));
            case "done" -> ref.done();
            default -> throw new IllegalStateException(o.what());
          };
          assertEquals(want, o.hash(), "seed=" + seed + " lane " + i + ": " + o.what() + " " + o.key()
              + " differs from the uninterrupted run (" + o.context() + ")");
        }
        assertTrue(r.finals().size() >= 1, "seed=" + seed + " lane " + i + " never finished a round");
      }
      long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
      System.out.println("KillDuringTrainingTest seed=" + seed + ": " + kills + " SIGKILLs, " + duringSave
          + " during a save, " + seconds + " s\n  " + String.join("\n  ", report));
      assertTrue(kills >= 20, "seed=" + seed + ": expected at least 20 kills, made " + kills);
      assertTrue(duringSave >= 5, "seed=" + seed + ": expected at least 5 kills during a save, got " + duringSave);
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> T unwrap(Future<T> f) throws Exception {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw (Exception) e.getCause();
    }
  }

  private Reference runReference(Path dir, Path csv) throws Exception {
    try (ChildJvm child = ChildJvm.start(List.of(), TrainerChild.class, tmp.resolve("logs/reference.err"),
        dir.toString(), csv.toString())) {
      int exit = child.awaitExit(LIFE_TIMEOUT_S);
      assertEquals(0, exit, "reference run failed\n" + child.describe());
      Map<String, String> weights = new HashMap<>();
      Map<Integer, String> epochs = new HashMap<>();
      String done = null;
      for (String line : child.lines()) {
        String[] f = line.split(" ");
        switch (f[0]) {
          case "SAVING" -> {
            if (f[1].equals("weights")) {
              weights.put(f[2], f[3]);
            }
          }
          case "EPOCH" -> epochs.put(Integer.parseInt(f[1]), f[2]);
          case "DONE" -> done = f[1];
          default -> { }
        }
      }
      assertEquals(TrainerChild.EPOCHS, epochs.size(), child.describe());
      assertEquals(TrainerChild.EPOCHS * TrainerChild.STEPS / TrainerChild.SAVE_FREQ, weights.size(),
          child.describe());
      assertTrue(done != null, child.describe());
      List<Path> kept = TfCheckpoint.list(TrainerChild.weightsDir(dir));
      assertEquals(TrainerChild.MAX_TO_KEEP, kept.size(), "retention of the uninterrupted run: " + kept);
      return new Reference(weights, epochs, done);
    }
  }

  /** Kills, checks and restarts children in its own directory until it made its share of kills. */
  private final class Lane {
    final int id;
    final long seed;
    final Path csv;
    final Random random;
    final List<Observation> observations = new ArrayList<>();
    final List<String> finals = new ArrayList<>();
    int kills;
    int duringSave;
    int duringWeightsSave;
    int duringModelSave;
    int beforeResume;
    int withStagingLeftover;
    int withPreviousCopy;
    int modelOnlyAsPreviousCopy;
    int rounds;
    int maxListed;
    int life;

    // What the directory must hold, learned from the children's lines and from the checks after each kill.
    Path dir;
    String lastWeights;
    Integer modelEpoch;
    String expectedResume;

    Lane(int id, long seed, Path csv) {
      this.id = id;
      this.seed = seed;
      this.csv = csv;
      this.random = new Random(seed);
    }

    LaneResult run() throws Exception {
      newRound();
      try (Sequential probe = TrainerChild.newModel()) {
        while (true) {
          Plan plan = kills < KILLS_PER_LANE ? Plan.random(random) : null;
          life++;
          String context = "seed=" + seed + " lane " + id + " round " + rounds + " life " + life + " plan " + plan;
          Files.createDirectories(TrainerChild.weightsDir(dir));
          try (WatchService watcher = watch(dir, TrainerChild.weightsDir(dir));
              ChildJvm child = ChildJvm.start(List.of(), TrainerChild.class,
                  tmp.resolve("logs/lane" + id + "-life" + life + ".err"), dir.toString(), csv.toString())) {
            boolean killed = plan != null && execute(plan, child, watcher);
            int exit = killed ? child.kill() : child.awaitExit(LIFE_TIMEOUT_S);
            List<String> lines = child.lines();
            context += " lines " + lines;
            checkLines(lines, context, child);
            if (killed) {
              assertEquals(ChildJvm.SIGKILL_EXIT, exit, "expected death by SIGKILL: " + context + "\n"
                  + child.describe());
              kills++;
              classify(lines);
              checkDirectory(lines, probe, context);
            } else {
              assertEquals(0, exit, "child failed: " + context + "\n" + child.describe());
              String done = lines.get(lines.size() - 1);
              assertTrue(done.startsWith("DONE "), context);
              observations.add(new Observation("done", "", done.substring(5), context));
              finals.add(done);
              checkFinished(lines, context);
              if (kills >= KILLS_PER_LANE) {
                break;
              }
              newRound();
            }
          }
        }
      }
      return new LaneResult(life, kills, duringSave, duringWeightsSave, duringModelSave, beforeResume,
          withStagingLeftover, withPreviousCopy, modelOnlyAsPreviousCopy, rounds, maxListed, observations, finals);
    }

    private void newRound() {
      rounds++;
      dir = tmp.resolve("lane" + id + "-round" + rounds);
      lastWeights = null;
      modelEpoch = null;
      expectedResume = "scratch 0";
    }

    /** Waits for the plan's moment; false when the child ended first. */
    private boolean execute(Plan plan, ChildJvm child, WatchService watcher) throws InterruptedException {
      if (plan.kind() == PlanKind.DISK || plan.kind() == PlanKind.REPLACE) {
        return executeDisk(plan, child, watcher);
      }
      long deadline = Long.MAX_VALUE;
      int savings = 0;
      if (plan.kind() == PlanKind.STARTUP) {
        deadline = plan.delayMs();
      }
      while (true) {
        long wait = deadline == Long.MAX_VALUE ? LIFE_TIMEOUT_S * 1000 : deadline - child.millisSinceStart();
        String line = child.nextLine(wait);
        if (line == null) {
          if (deadline == Long.MAX_VALUE) {
            throw new AssertionError("child silent for " + LIFE_TIMEOUT_S + " s\n" + child.describe());
          }
          return child.isAlive();
        }
        if (line.equals(ChildJvm.EOF) || line.startsWith("DONE")) {
          return false;
        }
        if (plan.kind() == PlanKind.TRAINING && line.startsWith("RESUME")) {
          deadline = child.millisSinceStart() + plan.delayMs();
        }
        if (plan.kind() == PlanKind.SAVE && line.startsWith("SAVING") && ++savings == plan.n()) {
          if (plan.delayMs() > 0) {
            Thread.sleep(plan.delayMs());
          }
          return child.isAlive();
        }
      }
    }

    /**
     * Kills {@code delayMs} after the {@code n}-th entry created or renamed into the run's two directories (REPLACE:
     * the {@code n}-th kept-aside previous copy).
     */
    private boolean executeDisk(Plan plan, ChildJvm child, WatchService watcher) throws InterruptedException {
      int seen = 0;
      while (child.millisSinceStart() < LIFE_TIMEOUT_S * 1000) {
        WatchKey key = watcher.poll(2, TimeUnit.MILLISECONDS);
        if (key != null) {
          for (WatchEvent<?> e : key.pollEvents()) {
            boolean counts = plan.kind() == PlanKind.DISK
                || e.context().toString().startsWith(PREVIOUS_PREFIX);
            if (counts && ++seen == plan.n()) {
              if (plan.delayMs() > 0) {
                Thread.sleep(plan.delayMs());
              }
              return child.isAlive();
            }
          }
          key.reset();
        }
        for (String line; (line = child.nextLine(0)) != null; ) {
          if (line.equals(ChildJvm.EOF) || line.startsWith("DONE")) {
            return false;
          }
        }
      }
      throw new AssertionError("child did not finish within " + LIFE_TIMEOUT_S + " s\n" + child.describe());
    }

    /** Reports every entry created or renamed into {@code dirs}: nothing but saves writes there. */
    private static WatchService watch(Path... dirs) throws IOException {
      WatchService watcher = dirs[0].getFileSystem().newWatchService();
      for (Path d : dirs) {
        d.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
      }
      return watcher;
    }

    /** The child's own lines: resumed where the directory said, and every hash it printed is the reference's. */
    private void checkLines(List<String> lines, String context, ChildJvm child) {
      for (String line : lines) {
        String[] f = line.split(" ");
        switch (f[0]) {
          case "RESUME" -> assertEquals(expectedResume, f[1] + " " + f[2],
              "resumed from another point than the latest complete checkpoint: " + context);
          case "SAVING" -> {
            if (f[1].equals("weights")) {
              observations.add(new Observation("weights", f[2], f[3], "printed by the child, " + context));
            }
          }
          case "EPOCH" -> observations.add(new Observation("epoch", f[1], f[2], "printed by the child, " + context));
          case "SAVED", "DONE" -> { }
          default -> throw new AssertionError("unexpected child line '" + line + "': " + context + "\n"
              + child.describe());
        }
      }
    }

    private void classify(List<String> lines) {
      String lastEvent = null;
      for (String line : lines) {
        if (line.startsWith("SAVING") || line.startsWith("SAVED")) {
          lastEvent = line;
        }
      }
      if (lines.stream().noneMatch(l -> l.startsWith("RESUME"))) {
        beforeResume++;
      }
      if (lastEvent != null && lastEvent.startsWith("SAVING")) {
        duringSave++;
        if (lastEvent.startsWith("SAVING weights")) {
          duringWeightsSave++;
        } else {
          duringModelSave++;
        }
      }
    }

    /** The checks after a kill, in this JVM, before the next child starts. */
    private void checkDirectory(List<String> lines, Sequential probe, String context) throws Exception {
      String inFlightWeights = null;
      Integer inFlightModel = null;
      for (String line : lines) {
        String[] f = line.split(" ");
        if (f[0].equals("SAVING") && f[1].equals("weights")) {
          inFlightWeights = f[2];
        } else if (f[0].equals("SAVED") && f[1].equals("weights")) {
          lastWeights = f[2];
          inFlightWeights = null;
        } else if (f[0].equals("SAVING") && f[1].equals("model")) {
          inFlightModel = Integer.parseInt(f[2]);
        } else if (f[0].equals("SAVED") && f[1].equals("model")) {
          modelEpoch = Integer.parseInt(f[2]);
          inFlightModel = null;
        }
      }
      String where = context + "\n" + listing();
      int resumeEpoch = 0;
      String resumeFrom = "scratch";

      Path weightsDir = TrainerChild.weightsDir(dir);
      List<Path> listed = TfCheckpoint.list(weightsDir);
      maxListed = Math.max(maxListed, listed.size());
      for (Path p : listed) {
        String name = p.getFileName().toString();
        assertTrue(TrainerChild.CKPT_NAME.matcher(name).matches(), "listed something that is not a checkpoint this "
            + "run wrote: " + p + "; " + where);
        try {
          probe.loadWeights(p);
        } catch (Exception e) {
          throw new AssertionError("listed checkpoint " + p + " does not restore: " + e + "; " + where, e);
        }
        observations.add(new Observation("weights", name, TrainerChild.hash(probe), "restored in the parent, "
            + context));
        if (TrainerChild.batchOf(p) == TrainerChild.STEPS && TrainerChild.epochOf(p) > resumeEpoch) {
          resumeEpoch = TrainerChild.epochOf(p);
          resumeFrom = "weights:" + name;
        }
      }
      Optional<Path> latest = TfCheckpoint.latest(weightsDir);
      if (listed.isEmpty()) {
        assertTrue(latest.isEmpty(), "latest without any listed checkpoint: " + latest + "; " + where);
        assertEquals(null, lastWeights, "a saved weights checkpoint disappeared; " + where);
      } else {
        assertTrue(latest.isPresent() && listed.contains(latest.get()), "latest " + latest + " is not one of the "
            + "listed " + listed + "; " + where);
        Set<String> acceptable = new LinkedHashSet<>();
        if (lastWeights != null) {
          acceptable.add(lastWeights);
        }
        if (inFlightWeights != null) {
          acceptable.add(inFlightWeights);
        }
        String name = latest.get().getFileName().toString();
        assertTrue(acceptable.contains(name), "latest is " + name + ", expected the last completed save or the "
            + "interrupted one " + acceptable + "; " + where);
        lastWeights = name;
      }

      Path modelDir = TrainerChild.modelDir(dir);
      TrainingState state = null;
      try {
        state = SavedModelLoader.readTrainingState(modelDir);
      } catch (NoSuchFileException e) {
        assertEquals(null, modelEpoch, "the SavedModel saved at epoch " + modelEpoch + " is gone: " + e + "; "
            + where);
      } catch (Exception e) {
        throw new AssertionError("SavedModel at " + modelDir + " is unreadable: " + e + "; " + where, e);
      }
      if (state != null) {
        Set<Integer> acceptable = new LinkedHashSet<>();
        if (modelEpoch != null) {
          acceptable.add(modelEpoch);
        }
        if (inFlightModel != null) {
          acceptable.add(inFlightModel);
        }
        assertTrue(acceptable.contains(state.epoch()), "SavedModel holds epoch " + state.epoch() + ", expected the "
            + "last completed save or the interrupted one " + acceptable + "; " + where);
        try (Sequential loaded = Sequential.load(modelDir)) {
          observations.add(new Observation("epoch", Integer.toString(state.epoch()), TrainerChild.hash(loaded),
              "SavedModel loaded in the parent, " + context));
        } catch (Exception e) {
          throw new AssertionError("SavedModel at " + modelDir + " does not load: " + e + "; " + where, e);
        }
        modelEpoch = state.epoch();
        if (!Files.exists(modelDir)) {
          modelOnlyAsPreviousCopy++;
        }
        if (modelEpoch >= resumeEpoch) {
          resumeEpoch = modelEpoch;
          resumeFrom = "model";
        }
      }
      expectedResume = resumeFrom + " " + resumeEpoch;
      if (leftovers(DurableFiles.STAGING_PREFIX) > 0) {
        withStagingLeftover++;
      }
      if (leftovers(PREVIOUS_PREFIX) > 0) {
        withPreviousCopy++;
      }
    }

    /**
     * After an uninterrupted life: the last weights checkpoint is the run's final state, and the SavedModel is the
     * one this life saved last or, when it resumed from the final weights checkpoint and had nothing left to train,
     * the one saved before.
     */
    private void checkFinished(List<String> lines, String context) throws IOException {
      List<Path> listed = TfCheckpoint.list(TrainerChild.weightsDir(dir));
      String last = String.format("ckpt-%03d-%04d", TrainerChild.EPOCHS, TrainerChild.STEPS);
      Optional<Path> latest = TfCheckpoint.latest(TrainerChild.weightsDir(dir));
      assertEquals(last, listed.get(listed.size() - 1).getFileName().toString(), "the final checkpoint is not listed "
          + "as complete; " + context + "\n" + listing());
      boolean trainedNothing = lines.contains("RESUME weights:" + last + " " + TrainerChild.EPOCHS);
      if (!trainedNothing) {
        assertEquals(Optional.of(last), latest.map(p -> p.getFileName().toString()), context + "\n" + listing());
      } else {
        // Killed between the final pair's commit and the state file's update, then resumed with nothing left to
        // train: no save runs, so the state file keeps naming the checkpoint before (ModelCheckpoint adopts the
        // final pair for retention but does not rewrite TensorFlow's state file); the final pair is complete and
        // listed (above), which is where kerasj resumes from.
        assertTrue(latest.isPresent() && listed.contains(latest.get()), context + "\n" + listing());
      }
      Integer expectedModel = modelEpoch;
      for (String line : lines) {
        if (line.startsWith("SAVED model ")) {
          expectedModel = Integer.parseInt(line.substring("SAVED model ".length()));
        }
      }
      if (expectedModel == null) {
        // Every life of this round was killed before its first SavedModel save completed, and the last one resumed
        // from the final epoch's weights with nothing left to train (ModelCheckpoint saves at epoch ends, as Keras'):
        // then no SavedModel may exist, not even a partial one.
        assertFalse(Files.exists(TrainerChild.modelDir(dir)), "a SavedModel no save reported; " + context);
      } else {
        assertEquals(expectedModel, SavedModelLoader.readTrainingState(TrainerChild.modelDir(dir)).epoch(), context);
      }
      maxListed = Math.max(maxListed, listed.size());
    }

    private long leftovers(String prefix) throws IOException {
      try (Stream<Path> s = Stream.concat(list(dir), list(TrainerChild.weightsDir(dir)))) {
        return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
      }
    }

    private Stream<Path> list(Path d) throws IOException {
      return Files.isDirectory(d) ? Files.list(d) : Stream.empty();
    }

    private String listing() {
      try (Stream<Path> s = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
        return "directory " + dir + ":\n  " + s.map(p -> dir.relativize(p).toString()).sorted()
            .collect(Collectors.joining("\n  "));
      } catch (IOException e) {
        return "<listing failed: " + e + ">";
      }
    }
  }
}
