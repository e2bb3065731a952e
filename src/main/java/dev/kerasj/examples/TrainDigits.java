package dev.kerasj.examples;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.callbacks.CSVLogger;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.callbacks.TrainingOutcome;
import dev.kerasj.internal.ConsoleLogging;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.saving.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * The main job: trains a digit classifier on the shipped UCI digits with a progress bar and checkpoints, logs every
 * epoch to CSV and prints the test evaluation. Its Python twin is {@code python-interop/train_digits_keras.py}
 * (same split, architecture and hyper-parameters).
 *
 * <p>Under {@code --out} (default {@code target/digits-run}) it writes {@code checkpoints/epoch_NN-val_loss_X.XXXX.*}
 * (TF checkpoints of weights and optimizer state, the last 3 kept), {@code best_model/} (SavedModel of the best
 * val_loss), {@code last_model/} (SavedModel after every epoch), {@code training_log.csv}, and {@code backup/}
 * ({@link BackupAndRestore}, every {@value #BACKUP_EVERY_BATCHES} batches; deleted when the run completes).
 *
 * <p><b>Runs never mix silently.</b>
 * <ul>
 *   <li>Without {@code --resume}, it starts a new run: it says so when an earlier run left files there, and replaces
 *       them as it goes (the new run has its own best model; see {@link ModelCheckpoint}). If an <em>interrupted</em>
 *       run's backup is there, it refuses (exit status {@value #EXIT_USAGE}) unless {@code --fresh} is given, which
 *       deletes that backup first: a resumable run is never thrown away by a plain rerun.</li>
 *   <li>With {@code --resume}, it continues the interrupted run exactly where its last backup was taken (mid-epoch;
 *       weights, optimizer, CSV rows, best value and kept checkpoints equal an uninterrupted run's), or says that
 *       there is nothing to resume and starts a new run.</li>
 *   <li>Ctrl-C or SIGTERM finish the current step, write a backup and exit with status 130 or 143; SIGKILL loses
 *       at most the batches since the last backup.</li>
 * </ul>
 * It ends by naming every file it wrote.
 *
 * <p>Library messages (checkpoints saved, best value) are SLF4J log lines on stdout, in order with the progress bar;
 * {@code --verbose} adds kerasj's DEBUG messages, such as the saves of the checkpoints built with {@code verbose=0}.
 *
 * <pre>mvn -q compile exec:java [-Dexec.args="--epochs 20 --out target/digits-run --resume --device /GPU:0"]</pre>
 */
public final class TrainDigits {
  /** First rows used for training (the rest, 360 rows, are the test set), as in the Python twin. */
  static final int TRAIN_ROWS = 1437;
  /** Batches between two backups (an epoch is 41 batches). */
  static final int BACKUP_EVERY_BATCHES = 10;
  /** Exit status of a refused invocation (a bad argument, or an interrupted run that a plain rerun would drop). */
  static final int EXIT_USAGE = 2;

  private static final String USAGE = "Expected: --epochs N, --seed N, --out DIR, --data CSV, --device DEV, "
      + "--resume, --fresh, --verbose";

  private TrainDigits() {}

  /** Parsed command line. */
  record Args(int epochs, long seed, Path out, Path data, String device, boolean resume, boolean fresh,
      boolean verbose) {
    static Args parse(String[] args) {
      int epochs = 20;
      long seed = 42;
      Path out = Path.of("target", "digits-run");
      Path data = Digits.DEFAULT_CSV;
      String device = null;
      boolean resume = false;
      boolean fresh = false;
      boolean verbose = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--epochs" -> epochs = Integer.parseInt(value(args, ++i));
          case "--seed" -> seed = Long.parseLong(value(args, ++i));
          case "--out" -> out = Path.of(value(args, ++i));
          case "--data" -> data = Path.of(value(args, ++i));
          case "--device" -> device = value(args, ++i);
          case "--resume" -> resume = true;
          case "--fresh" -> fresh = true;
          case "--verbose" -> verbose = true;
          default -> throw new IllegalArgumentException("Unknown argument '" + args[i] + "'. " + USAGE);
        }
      }
      if (resume && fresh) {
        throw new IllegalArgumentException("--resume and --fresh contradict each other: --resume continues the "
            + "interrupted run, --fresh discards it");
      }
      return new Args(epochs, seed, out, data, device, resume, fresh, verbose);
    }

    private static String value(String[] args, int i) {
      if (i >= args.length) {
        throw new IllegalArgumentException(args[i - 1] + " needs a value. " + USAGE);
      }
      return args[i];
    }
  }

  public static void main(String[] argv) throws Exception {
    Args a;
    try {
      a = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("TrainDigits: " + e.getMessage());
      System.exit(EXIT_USAGE);
      return;
    }
    ConsoleLogging.configure(ConsoleLogging.Target.STDOUT, a.verbose());
    int status = run(a);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the job; the process exit status. */
  static int run(Args a) throws IOException {
    Digits all = Digits.load(a.data());
    Digits train = all.slice(0, TRAIN_ROWS);
    Digits test = all.slice(TRAIN_ROWS, all.size());
    Path out = a.out();
    Path log = out.resolve("training_log.csv");
    Path checkpoints = out.resolve("checkpoints");
    Path bestModel = out.resolve("best_model");
    Path lastModel = out.resolve("last_model");
    Path backupDir = out.resolve("backup");

    // A new run's retention may still keep checkpoints an earlier run left; the closing lines mark them.
    long runStartMillis = System.currentTimeMillis();
    List<Path> backups = BackupAndRestore.list(backupDir);
    if (!backups.isEmpty() && !a.resume()) {
      if (!a.fresh()) {
        System.err.printf(Locale.ROOT, "TrainDigits: %s holds an interrupted run (latest backup %s). Continue it "
            + "with --resume, or start a new run with --fresh (deletes that backup). Nothing was changed.%n", out,
            backups.get(backups.size() - 1));
        return EXIT_USAGE;
      }
      System.out.printf(Locale.ROOT, "--fresh: deleting the interrupted run's backup %s%n", backupDir);
      DurableFiles.deleteRecursively(backupDir);
    }
    if (a.resume()) {
      System.out.println(backups.isEmpty()
          ? "Nothing to resume in " + out + ": no backup of an interrupted run there (a run that completes deletes "
              + "its backup)."
          : "Resuming the interrupted run in " + out + " from its latest backup, " + backups.get(backups.size() - 1));
    }
    boolean newRun = backups.isEmpty() || !a.resume();
    if (newRun) {
      List<Path> earlier = java.util.stream.Stream.of(log, checkpoints, bestModel, lastModel).filter(Files::exists)
          .toList();
      System.out.println(earlier.isEmpty() ? "Starting a new run in " + out
          : "Starting a new run in " + out + "; it replaces what an earlier run left there as it goes: "
              + String.join(", ", earlier.stream().map(p -> out.relativize(p).toString()).toList()));
    }
    Files.createDirectories(out);

    BackupAndRestore backup = BackupAndRestore.builder(backupDir).saveFreq(BACKUP_EVERY_BATCHES).handleSigterm(true)
        .build();
    AtomicBoolean sigint = new AtomicBoolean();
    var previousInt = Signal.handle(new Signal("INT"), s -> {
      sigint.set(true);
      System.err.println("TrainDigits: interrupted; finishing the current step and writing a backup");
      backup.requestInterrupt();
    });
    ModelCheckpoint periodic = ModelCheckpoint.builder(
        checkpoints.resolve("epoch_{epoch:02d}-val_loss_{val_loss:.4f}").toString())
        .saveWeightsOnly(true).maxToKeep(3).build();
    ModelCheckpoint best = ModelCheckpoint.builder(bestModel.toString()).monitor("val_loss").saveBestOnly(true)
        .verbose(1).build();
    ModelCheckpoint last = ModelCheckpoint.builder(lastModel.toString()).build();
    try (Sequential model = new Sequential(Input.of(64), new Dense(64, "relu"), new Dense(10, "softmax"))) {
      model.setSeed(a.seed());
      if (a.device() != null) {
        model.setDevice(a.device());
      }
      model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
      System.out.print(model.summary());
      System.out.printf(Locale.ROOT, "Training on %d digits (%d held out for validation), testing on %d%n",
          train.size(), (int) Math.ceil(train.size() * 0.1), test.size());
      History history = model.fit(train.pixels(), train.labels(), FitOptions.builder()
          .epochs(a.epochs()).batchSize(32).validationSplit(0.1).shuffle(true).seed(a.seed()).verbose(1)
          .callbacks(backup, new CSVLogger(log), periodic, best, last)
          .build());
      TrainingOutcome outcome = history.outcome();
      List<Integer> epochs = history.epochs();
      int epochsDone = epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1) + 1;
      if (outcome == TrainingOutcome.INTERRUPTED) {
        System.out.printf(Locale.ROOT, "Interrupted after %d complete epoch(s); backup in %s. Run again with "
            + "--resume to continue.%n", epochsDone, backupDir);
      } else {
        Map<String, Double> scores = model.evaluate(test.pixels(), test.labels());
        System.out.printf(Locale.ROOT, "Test loss: %.4f - test accuracy: %.4f%n", scores.get("loss"),
            scores.get("accuracy"));
      }
      printArtifacts(outcome, epochsDone, log, best, last, periodic, newRun ? runStartMillis : Long.MIN_VALUE);
      return outcome != TrainingOutcome.INTERRUPTED ? 0 : sigint.get() ? 130 : 143;
    } finally {
      Signal.handle(new Signal("INT"), previousInt);
    }
  }

  /**
   * The closing lines: every file this run wrote or kept, with its path; kept checkpoints written before
   * {@code newRunStartMillis} (an earlier run's, which retention still manages) are marked.
   */
  private static void printArtifacts(TrainingOutcome outcome, int epochs, Path log, ModelCheckpoint best,
      ModelCheckpoint last, ModelCheckpoint periodic, long newRunStartMillis) {
    System.out.printf(Locale.ROOT, "Run %s after %d epoch(s). Files:%n", outcome.name().toLowerCase(Locale.ROOT),
        epochs);
    if (best.bestPath() != null) {
      artifact(String.format(Locale.ROOT, "best model (val_loss %.4f)", best.best()), best.bestPath());
    }
    if (!last.keptPaths().isEmpty()) {
      artifact("last model (epoch " + epochs + ")", last.keptPaths().get(last.keptPaths().size() - 1));
    }
    for (String p : periodic.keptPaths()) {
      artifact(writtenBefore(Path.of(p + ".index"), newRunStartMillis) ? "weights checkpoint (earlier run)"
          : "weights checkpoint", p + ".{index,data-00000-of-00001}");
    }
    artifact("training log", log.toString());
  }

  /** Whether a file kept by retention was written before this run began (an earlier run's). */
  private static boolean writtenBefore(Path file, long runStartMillis) {
    try {
      return Files.getLastModifiedTime(file).toMillis() < runStartMillis;
    } catch (IOException e) {
      return false;
    }
  }

  private static void artifact(String what, String path) {
    System.out.printf(Locale.ROOT, "  %-34s %s%n", what + ":", path);
  }
}
