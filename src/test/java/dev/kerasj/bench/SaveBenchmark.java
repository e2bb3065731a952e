package dev.kerasj.bench;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.keras.KerasArchive;
import dev.kerasj.saving.keras.KerasWeights;
import dev.kerasj.saving.savedmodel.SavedModelWriter;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Save and restore times (TF checkpoint, SavedModel, Keras .weights.h5 and .keras) of a 25.2M-parameter Dense model
 * with Adam state (about 302 MB of variables), against the
 * physical floor of writing the same bytes with fsync (not a JUnit test: run it from
 * {@code python-interop/benchmark_save.sh}, which prints it next to Python's numbers).
 *
 * <p>Model: Input(2048) → Dense(4096, relu) → Dense(4096, relu) → Dense(10, softmax), Adam, one training step so
 * the slots exist. Each repetition writes into a fresh directory under {@code --dir} (default
 * {@code target/bench/save}, the repository's disk) and the operations are interleaved per repetition, so noise and
 * drift hit all of them. Every figure is the median over {@code --reps} repetitions.
 *
 * <p>The fit-stall part trains {@code --stall-steps} batches with a {@link ModelCheckpoint} saving weights every
 * {@code --stall-every} batches, synchronously and then with {@code asyncSave(true)}, and reports how long the
 * training thread spent inside the checkpoint callback per save (plus the final wait at train end).
 *
 * <pre>
 * java -cp &lt;test classpath&gt; dev.kerasj.bench.SaveBenchmark [--reps 5] [--dir target/bench/save]
 * </pre>
 *
 * Ends with machine-readable {@code key=value} lines, in milliseconds.
 */
public final class SaveBenchmark {
  static final int INPUT = 2048;
  static final int HIDDEN = 4096;
  static final int CLASSES = 10;
  static final int BATCH = 32;
  static final long SEED = 0;

  private SaveBenchmark() {}

  public static void main(String[] args) throws IOException {
    int reps = 5;
    Path dir = Path.of("target/bench/save");
    int stallSteps = 12;
    int stallEvery = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--stall-steps" -> stallSteps = Integer.parseInt(args[++i]);
        case "--stall-every" -> stallEvery = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument '" + args[i]
            + "'. Expected: [--reps N] [--dir PATH] [--stall-steps N] [--stall-every N]");
      }
    }
    DurableFiles.deleteRecursively(dir);
    Files.createDirectories(dir);
    float[][] x = new float[BATCH * stallSteps][INPUT];
    int[] y = new int[x.length];
    Random rng = new Random(SEED);
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < INPUT; j++) {
        x[i][j] = (float) rng.nextGaussian();
      }
      y[i] = rng.nextInt(CLASSES);
    }
    try (Sequential model = newModel()) {
      model.fit(Arrays.copyOf(x, BATCH), Arrays.copyOf(y, BATCH),
          FitOptions.builder().batchSize(BATCH).epochs(1).verbose(0).build());
      long bytes = variableBytes(model);
      System.out.printf(Locale.ROOT, "java %s, %d cpus; params=%d, variables=%d (%.1f MB), reps=%d, dir=%s%n",
          System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), model.countParams(),
          model.graphForInternalUse().variables().size(), bytes / 1e6, reps, dir.toAbsolutePath());
      measureSaves(model, bytes, dir, reps);
      measureStall(model, x, y, dir, stallEvery);
    }
  }

  static Sequential newModel() {
    Sequential model = new Sequential(Input.of(INPUT), new Dense(HIDDEN, "relu"), new Dense(HIDDEN, "relu"),
        new Dense(CLASSES, "softmax"));
    model.setSeed(SEED);
    model.compile(new Adam(), new SparseCategoricalCrossentropy());
    return model;
  }

  static long variableBytes(Sequential model) {
    long n = 0;
    for (ModelGraph.VariableSlot s : model.graphForInternalUse().variables()) {
      long count = 1;
      for (long d : s.shape()) {
        count *= d;
      }
      n += count * 4; // float32, int64 scalars are noise at this size
    }
    return n;
  }

  private static void measureSaves(Sequential model, long bytes, Path dir, int reps) throws IOException {
    String[] names = {"floor_fsync_write", "tfcheckpoint_write", "tfcheckpoint_restore", "savedmodel_write",
        "savedmodel_load", "weights_h5_write", "weights_h5_restore", "keras_write", "keras_read"};
    double[][] ms = new double[names.length][reps];
    ByteBuffer payload = ByteBuffer.allocateDirect((int) Math.min(bytes, 64 << 20));
    new Random(1).ints(payload.capacity() / 4).forEach(payload::putInt);
    try (Sequential fresh = newModel()) {
      fresh.build();
      for (int r = 0; r < reps; r++) {
        Path rep = Files.createDirectories(dir.resolve("rep-" + r));
        ms[0][r] = time(() -> floorWrite(rep.resolve("floor.bin"), payload, bytes));
        Path prefix = rep.resolve("ckpt/ckpt-1");
        ms[1][r] = time(() -> TfCheckpoint.write(model, prefix));
        ms[2][r] = time(() -> TfCheckpoint.restore(fresh, prefix));
        Path sm = rep.resolve("savedmodel");
        ms[3][r] = time(() -> SavedModelWriter.write(model, sm));
        ms[4][r] = time(() -> Sequential.load(sm).close());
        Path h5 = rep.resolve("model.weights.h5");
        ms[5][r] = time(() -> KerasWeights.write(model, h5));
        ms[6][r] = time(() -> KerasWeights.restore(fresh, h5));
        Path keras = rep.resolve("model.keras");
        ms[7][r] = time(() -> KerasArchive.write(model, keras));
        ms[8][r] = time(() -> Sequential.load(keras).close());
        System.out.printf(Locale.ROOT, "rep %d/%d:", r + 1, reps);
        for (int i = 0; i < names.length; i++) {
          System.out.printf(Locale.ROOT, " %s %.0f ms;", names[i], ms[i][r]);
        }
        System.out.println();
        DurableFiles.deleteRecursively(rep);
      }
    }
    for (int i = 0; i < names.length; i++) {
      System.out.printf(Locale.ROOT, "%s_ms=%.1f%n", names[i], median(ms[i]));
    }
    System.out.printf(Locale.ROOT, "variable_mb=%.1f%n", bytes / 1e6);
  }

  /** The floor: {@code bytes} written with a FileChannel and forced to disk, plus the directory fsync. */
  private static void floorWrite(Path file, ByteBuffer payload, long bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long left = bytes;
      while (left > 0) {
        ByteBuffer b = payload.duplicate().clear();
        b.limit((int) Math.min(left, b.capacity()));
        while (b.hasRemaining()) {
          left -= ch.write(b);
        }
      }
      ch.force(true);
    }
    DurableFiles.fsyncDirectory(file.getParent());
  }

  /**
   * Training-thread time spent in the checkpoint callback per save, synchronous against asynchronous; the
   * asynchronous figure includes the wait for the previous write (if it has not finished) and the final wait in
   * {@code onTrainEnd}, spread over the saves.
   */
  private static void measureStall(Sequential model, float[][] x, int[] y, Path dir, int every) throws IOException {
    // warm-up step so the first timed batch does not pay graph setup
    model.fit(Arrays.copyOf(x, BATCH), Arrays.copyOf(y, BATCH),
        FitOptions.builder().batchSize(BATCH).epochs(1).verbose(0).build());
    for (boolean async : new boolean[] {false, true}) {
      Path ckptDir = dir.resolve(async ? "stall-async" : "stall-sync");
      ModelCheckpoint checkpoint = ModelCheckpoint.builder(ckptDir.resolve("ckpt-{batch}").toString())
          .saveWeightsOnly(true).saveFreq(every).maxToKeep(2).asyncSave(async).build();
      StallTimer timer = new StallTimer(every);
      long start = System.nanoTime();
      model.fit(x, y, FitOptions.builder().batchSize(BATCH).epochs(1).shuffle(false).verbose(0)
          .callbacks(timer.before, checkpoint, timer.after).build());
      double totalMs = (System.nanoTime() - start) / 1e6;
      double[] perSave = timer.saves.stream().mapToDouble(Double::doubleValue).toArray();
      double steps = x.length / BATCH;
      System.out.printf(Locale.ROOT, "%s: %d saves; training-thread wait per save: median %.0f ms, max %.0f ms; "
          + "train-end wait %.0f ms; plain step median %.0f ms; whole fit %.0f ms for %.0f steps%n",
          async ? "async" : "sync", perSave.length, median(perSave), Arrays.stream(perSave).max().orElse(0),
          timer.trainEndMs, median(timer.steps.stream().mapToDouble(Double::doubleValue).toArray()), totalMs, steps);
      System.out.printf(Locale.ROOT, "fit_stall_%s_ms=%.1f%n", async ? "async" : "sync", median(perSave));
      System.out.printf(Locale.ROOT, "fit_stall_%s_train_end_ms=%.1f%n", async ? "async" : "sync", timer.trainEndMs);
      DurableFiles.deleteRecursively(ckptDir);
    }
  }

  /** Two callbacks around the checkpoint callback: the time between them is the time the checkpoint took. */
  private static final class StallTimer {
    final List<Double> saves = new ArrayList<>();
    private final int every;
    final List<Double> steps = new ArrayList<>();
    double trainEndMs;
    private long t0;
    private long batchBegin;

    StallTimer(int every) {
      this.every = every;
    }

    final Callback before = new Callback() {
      @Override
      public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
        batchBegin = System.nanoTime();
      }

      @Override
      public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        steps.add((System.nanoTime() - batchBegin) / 1e6);
        t0 = System.nanoTime();
      }

      @Override
      public void onTrainEnd(Map<String, Double> logs) {
        t0 = System.nanoTime();
      }
    };

    final Callback after = new Callback() {
      @Override
      public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        double ms = (System.nanoTime() - t0) / 1e6;
        if ((batch + 1) % every == 0) { // ModelCheckpoint counts batches from train begin
          saves.add(ms);
        }
      }

      @Override
      public void onTrainEnd(Map<String, Double> logs) {
        trainEndMs = (System.nanoTime() - t0) / 1e6;
      }
    };
  }

  @FunctionalInterface
  private interface IoAction {
    void run() throws IOException;
  }

  private static double time(IoAction action) throws IOException {
    long t = System.nanoTime();
    action.run();
    return (System.nanoTime() - t) / 1e6;
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
