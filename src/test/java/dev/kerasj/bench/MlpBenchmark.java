package dev.kerasj.bench;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.internal.Tensors;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Training-throughput and memory benchmark of kerasj against a bare TensorFlow Java loop running the same graph
 * step (not a JUnit test: run it from {@code python-interop/benchmark_mlp.sh}).
 *
 * <p>Model: MLP 784-256-128-10 (relu, relu, softmax), Adam, sparse categorical cross-entropy with the accuracy
 * metric, batch 128, on 60,000 seeded synthetic samples. After one warm-up epoch of each, timed epochs alternate
 * kerasj and bare in ABBA order, so machine noise and drift hit both. Both sides shuffle every epoch and copy the
 * shuffled rows of the same {@code float[][]} into a fresh batch tensor every step; the bare loop copies each row
 * straight into the tensor's native buffer (one copy), kerasj does what {@code fit} does. Both fetch the loss and
 * the accuracy sum and count, so TensorFlow runs the same ops.
 *
 * <pre>
 * java -cp &lt;test classpath&gt; dev.kerasj.bench.MlpBenchmark [--epochs 3] [--memory-epochs 10] [--profile]
 * </pre>
 *
 * <p>Ends with machine-readable lines: {@code kerasj_samples_per_sec}, {@code bare_samples_per_sec},
 * {@code facade_overhead_pct} ({@code (bare / kerasj - 1) * 100} of the medians), {@code rss_growth_mb} and a few
 * more. Besides wall-clock throughput it reports the training thread's CPU time per step, which on a busy machine
 * is a steadier measure of the façade's own work than wall time. Resident memory is read from
 * {@code /proc/self/status}; run with a fixed, pre-touched heap (equal {@code -Xms} and {@code -Xmx},
 * {@code -XX:+AlwaysPreTouch}) so that heap growth does not show up as RSS growth.
 */
public final class MlpBenchmark {
  static final int SAMPLES = 60_000;
  static final int FEATURES = 784;
  static final int CLASSES = 10;
  static final int BATCH_SIZE = 128;
  static final long DATA_SEED = 0;
  static final long MODEL_SEED = 0;
  static final int DEFAULT_EPOCHS = 3;
  static final int DEFAULT_MEMORY_EPOCHS = 10;
  static final double RSS_GROWTH_LIMIT_MB = 50;
  static final int PROFILE_ROUNDS = 3;
  static final int STEPS = (SAMPLES + BATCH_SIZE - 1) / BATCH_SIZE;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private MlpBenchmark() {}

  public static void main(String[] args) {
    Args a = Args.parse(args);
    float[][] x = new float[SAMPLES][FEATURES];
    int[] y = new int[SAMPLES];
    Random rng = new Random(DATA_SEED);
    for (int i = 0; i < SAMPLES; i++) {
      for (int j = 0; j < FEATURES; j++) {
        x[i][j] = (float) rng.nextGaussian();
      }
      y[i] = rng.nextInt(CLASSES);
    }
    System.out.printf(Locale.ROOT, "java %s, %d cpus; samples=%d, batch_size=%d, epochs=%d, memory_epochs=%d%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), SAMPLES, BATCH_SIZE,
        a.epochs, a.memoryEpochs);
    try (Sequential model = new Sequential(
        Input.of(FEATURES), new Dense(256, "relu"), new Dense(128, "relu"), new Dense(CLASSES, "softmax"))) {
      model.setSeed(MODEL_SEED);
      model.compile(new Adam(), new SparseCategoricalCrossentropy(), "accuracy");
      KerasjRunner kerasj = new KerasjRunner(model, x, y);
      BareLoop bare = new BareLoop(model.graphForInternalUse());
      bare.checkFetchesMatch(model, x, y);
      new Run(kerasj, bare, x, y, a).all();
    }
  }

  /** The phases of one benchmark run and their printed results. */
  private record Run(KerasjRunner kerasj, BareLoop bare, float[][] x, int[] y, Args args) {
    void all() {
      int epoch = 0;
      System.out.printf(Locale.ROOT, "warm-up: kerasj %.0f samples/s, bare %.0f samples/s%n",
          kerasj.epoch(epoch).samplesPerSec(), bare.epoch(x, y, epoch, BareLoop.Copy.DIRECT).samplesPerSec());
      epoch++;
      double[] kerasjRates = new double[args.epochs];
      double[] fitCallRates = new double[args.epochs];
      double[] bareRates = new double[args.epochs];
      double[] pairedOverheads = new double[args.epochs];
      double[] kerasjCpu = new double[args.epochs];
      double[] bareCpu = new double[args.epochs];
      for (int i = 0; i < args.epochs; i++, epoch++) {
        boolean kerasjFirst = i % 2 == 0;
        EpochTime k = null;
        EpochTime b = null;
        for (int side = 0; side < 2; side++) {
          if ((side == 0) == kerasjFirst) {
            k = kerasj.epoch(epoch);
          } else {
            b = bare.epoch(x, y, epoch, BareLoop.Copy.DIRECT);
          }
        }
        kerasjRates[i] = k.samplesPerSec();
        fitCallRates[i] = SAMPLES / k.fitCallSeconds();
        bareRates[i] = b.samplesPerSec();
        pairedOverheads[i] = (bareRates[i] / kerasjRates[i] - 1) * 100;
        kerasjCpu[i] = k.mainCpuMicrosPerStep();
        bareCpu[i] = b.mainCpuMicrosPerStep();
        System.out.printf(Locale.ROOT, "epoch %d/%d: kerasj %.0f samples/s (whole fit() call %.0f; training thread "
            + "CPU %.0f us/step), bare %.0f samples/s (CPU %.0f us/step) [%s]%n", i + 1, args.epochs, kerasjRates[i],
            fitCallRates[i], kerasjCpu[i], bareRates[i], bareCpu[i], b.breakdown());
      }
      double kerasjMedian = median(kerasjRates);
      double bareMedian = median(bareRates);
      double overheadPct = (bareMedian / kerasjMedian - 1) * 100;
      System.out.printf(Locale.ROOT, "median: kerasj %.0f samples/s, bare %.0f samples/s, facade overhead %.1f%% "
          + "(median of adjacent pairs %.1f%%); training-thread CPU per step: kerasj %.0f us, bare %.0f us%n",
          kerasjMedian, bareMedian, overheadPct, median(pairedOverheads), median(kerasjCpu), median(bareCpu));
      if (args.profile) {
        epoch = profile(epoch);
      }
      double rssGrowth = memory(epoch);
      System.out.printf(Locale.ROOT, "kerasj_samples_per_sec=%.1f%n", kerasjMedian);
      System.out.printf(Locale.ROOT, "kerasj_fit_call_samples_per_sec=%.1f%n", median(fitCallRates));
      System.out.printf(Locale.ROOT, "bare_samples_per_sec=%.1f%n", bareMedian);
      System.out.printf(Locale.ROOT, "facade_overhead_pct=%.2f%n", overheadPct);
      System.out.printf(Locale.ROOT, "facade_overhead_paired_pct=%.2f%n", median(pairedOverheads));
      System.out.printf(Locale.ROOT, "kerasj_thread_cpu_us_per_step=%.1f%n", median(kerasjCpu));
      System.out.printf(Locale.ROOT, "bare_thread_cpu_us_per_step=%.1f%n", median(bareCpu));
      System.out.printf(Locale.ROOT, "rss_growth_mb=%.1f%n", rssGrowth);
    }

    /**
     * Per-step time split, {@link #PROFILE_ROUNDS} rounds of: one kerasj epoch with a batch timer, one bare epoch
     * copying rows straight into the tensor, one bare epoch copying twice like kerasj. Training-thread CPU per step
     * is the low-noise figure: it leaves out time the thread waits for TensorFlow's pool or for other processes.
     */
    private int profile(int epoch) {
      System.out.println("profile (" + PROFILE_ROUNDS + " rounds):");
      double[][] cpu = new double[3][PROFILE_ROUNDS];
      for (int round = 0; round < PROFILE_ROUNDS; round++) {
        BatchTimer timer = new BatchTimer();
        EpochTime k = kerasj.epoch(epoch++, timer);
        cpu[0][round] = k.mainCpuMicrosPerStep();
        System.out.printf(Locale.ROOT, "  kerasj:       %.0f samples/s, CPU %.0f us/step; %s%n", k.samplesPerSec(),
            cpu[0][round], timer.summary());
        for (BareLoop.Copy copy : BareLoop.Copy.values()) {
          EpochTime t = bare.epoch(x, y, epoch++, copy);
          cpu[1 + copy.ordinal()][round] = t.mainCpuMicrosPerStep();
          System.out.printf(Locale.ROOT, "  bare %-7s %.0f samples/s, CPU %.0f us/step [%s]%n",
              copy.name().toLowerCase(Locale.ROOT) + ":", t.samplesPerSec(), t.mainCpuMicrosPerStep(), t.breakdown());
        }
      }
      System.out.printf(Locale.ROOT, "  median training-thread CPU per step: kerasj %.0f us, bare direct %.0f us, "
          + "bare twice %.0f us%n", median(cpu[0]), median(cpu[1]), median(cpu[2]));
      System.out.println("  " + hostPrep(x, y));
      return epoch;
    }

    /**
     * Batch preparation alone, without Session.run: kerasj's {@code HostArray.gather} + {@code Tensors.of} (what
     * FitLoop and TrainingGraph do per step) against one copy straight into the tensor, interleaved per batch so
     * noise hits both; medians over 5 passes of one epoch's batches.
     */
    private static String hostPrep(float[][] x, int[] y) {
      HostArray hx = HostArray.from(x, "x");
      HostArray hy = HostArray.from(y, "y");
      int[] order = BareLoop.permutation(SAMPLES, MODEL_SEED, 0);
      double[] kerasjUs = new double[5];
      double[] directUs = new double[5];
      double[] kerasjCpuUs = new double[5];
      double[] directCpuUs = new double[5];
      for (int pass = 0; pass < kerasjUs.length; pass++) {
        long[] ns = new long[4];
        for (int from = 0; from < SAMPLES; from += BATCH_SIZE) {
          int to = Math.min(SAMPLES, from + BATCH_SIZE);
          long c0 = THREADS.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          try (Tensor xt = Tensors.of(hx.gather(order, from, to), TFloat32.class);
              Tensor yt = Tensors.of(hy.gather(order, from, to), TInt32.class)) {
            ns[0] += System.nanoTime() - t0;
            ns[1] += THREADS.getCurrentThreadCpuTime() - c0;
          }
          long c1 = THREADS.getCurrentThreadCpuTime();
          long t1 = System.nanoTime();
          try (TFloat32 xt = BareLoop.gather(x, order, from, to, BareLoop.Copy.DIRECT);
              TInt32 yt = BareLoop.gatherLabels(y, order, from, to)) {
            ns[2] += System.nanoTime() - t1;
            ns[3] += THREADS.getCurrentThreadCpuTime() - c1;
          }
        }
        kerasjUs[pass] = ns[0] / 1e3 / STEPS;
        kerasjCpuUs[pass] = ns[1] / 1e3 / STEPS;
        directUs[pass] = ns[2] / 1e3 / STEPS;
        directCpuUs[pass] = ns[3] / 1e3 / STEPS;
      }
      return String.format(Locale.ROOT, "batch tensors alone (no Session.run), per step: kerasj HostArray.gather + "
          + "Tensors.of %.1f us (CPU %.1f us); rows straight into the tensor %.1f us (CPU %.1f us)",
          median(kerasjUs), median(kerasjCpuUs), median(directUs), median(directCpuUs));
    }

    /** Trains kerasj for {@code memoryEpochs} more epochs; returns RSS growth (MB) from after epoch 2 to the last. */
    private double memory(int epoch) {
      double[] after = new double[args.memoryEpochs];
      for (int i = 0; i < args.memoryEpochs; i++, epoch++) {
        double before = rssMb();
        EpochTime t = kerasj.epoch(epoch);
        after[i] = rssMb();
        System.out.printf(Locale.ROOT,
            "memory epoch %d/%d: rss before %.1f MB, after %.1f MB; heap committed %.1f MB; %.0f samples/s%n",
            i + 1, args.memoryEpochs, before, after[i], heapCommittedMb(), t.samplesPerSec());
      }
      double growth = after[after.length - 1] - after[1];
      System.out.printf(Locale.ROOT, "rss growth from memory epoch 2 to %d: %.1f MB (limit %.0f MB)%s%n",
          args.memoryEpochs, growth, RSS_GROWTH_LIMIT_MB, growth > RSS_GROWTH_LIMIT_MB ? "  ** RSS GROWTH **" : "");
      return growth;
    }
  }

  /** Seconds of one epoch's batch loop, the whole enclosing call, and (bare loop) where the steps spent them. */
  record EpochTime(double loopSeconds, double fitCallSeconds, double mainCpuSeconds, String breakdown) {
    double samplesPerSec() {
      return SAMPLES / loopSeconds;
    }

    /** CPU time of the training thread per step: Java work plus JNI; TensorFlow's kernels run on its own pool. */
    double mainCpuMicrosPerStep() {
      return mainCpuSeconds / STEPS * 1e6;
    }
  }

  /**
   * Runs one kerasj epoch per {@code fit} call, timed from {@code onEpochBegin} to {@code onEpochEnd} like the
   * Keras side, so the per-call input conversion (reported separately) is not counted. {@code initialEpoch(e)}
   * gives every epoch its own shuffle order.
   */
  private record KerasjRunner(Sequential model, float[][] x, int[] y) {
    EpochTime epoch(int epoch, Callback... extra) {
      EpochTimer timer = new EpochTimer();
      FitOptions options = FitOptions.builder().initialEpoch(epoch).epochs(epoch + 1).batchSize(BATCH_SIZE)
          .shuffle(true).verbose(0).callbacks(timer).callbacks(extra).build();
      long start = System.nanoTime();
      model.fit(x, y, options);
      double call = (System.nanoTime() - start) / 1e9;
      return new EpochTime(timer.seconds, call, timer.cpuSeconds, "");
    }
  }

  /** Wall time from the first epoch's begin to its end. */
  private static final class EpochTimer implements Callback {
    private long start;
    private long cpuStart;
    private double seconds;
    private double cpuSeconds;

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
      cpuStart = THREADS.getCurrentThreadCpuTime();
      start = System.nanoTime();
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
      seconds = (System.nanoTime() - start) / 1e9;
      cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
    }
  }

  /** Splits kerasj's steps into batch-begin to batch-end (the step) and batch-end to next begin (the loop). */
  private static final class BatchTimer implements Callback {
    private final List<Long> inStep = new ArrayList<>();
    private final List<Long> between = new ArrayList<>();
    private long begin;
    private long end = -1;

    @Override
    public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
      begin = System.nanoTime();
      if (end >= 0) {
        between.add(begin - end);
      }
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
      end = System.nanoTime();
      inStep.add(end - begin);
    }

    String summary() {
      return String.format(Locale.ROOT, "median per step: batch begin->end %.1f us (gather, tensors, Session.run, logs), "
          + "end->next begin %.1f us (callback dispatch, loop)", medianMicros(inStep), medianMicros(between));
    }
  }

  /**
   * The same compiled graph step without the façade: feed {@code x} and {@code compile/y}, fetch the loss and the
   * accuracy sum and count, target {@code train_step}. Every tensor is closed in its step.
   */
  static final class BareLoop {
    /** How a batch reaches its tensor. */
    enum Copy {
      /** Each shuffled row copied straight into the tensor's native buffer. */
      DIRECT,
      /** Rows gathered into a heap array first, then copied into a new tensor (what FitLoop and Tensors.of do). */
      TWICE
    }

    /** Fetch names of {@code TrainingGraph} for SparseCategoricalCrossentropy + accuracy; checked at start-up. */
    static final String[] FETCHES = {"compile/train/DivNoNan", "compile/train/Sum_1", "compile/train/Cast_3"};

    private final Session session;
    private final Output<?> xIn;
    private final Output<?> yIn;
    private final Operation train;
    private final Output<?>[] fetches;
    private double sink;

    BareLoop(ModelGraph modelGraph) {
      Graph g = modelGraph.graph();
      this.session = modelGraph.session();
      this.xIn = g.outputOrThrow("x");
      this.yIn = g.outputOrThrow("compile/y");
      this.train = g.operationOrThrow("train_step");
      this.fetches = Arrays.stream(FETCHES).map(g::outputOrThrow).toArray(Output<?>[]::new);
    }

    /**
     * Fails unless {@link #FETCHES} are the loss and the accuracy sum and count: on one batch, without training,
     * they must match {@code evaluate} (no Dropout or BatchNormalization, so both passes agree).
     */
    void checkFetchesMatch(Sequential model, float[][] x, int[] y) {
      float[][] xb = Arrays.copyOf(x, BATCH_SIZE);
      int[] yb = Arrays.copyOf(y, BATCH_SIZE);
      Map<String, Double> expected = model.evaluate(xb, yb, BATCH_SIZE);
      int[] identity = new int[BATCH_SIZE];
      Arrays.setAll(identity, i -> i);
      float[] got = new float[fetches.length];
      try (TFloat32 xt = gather(x, identity, 0, BATCH_SIZE, Copy.DIRECT);
          TInt32 yt = gatherLabels(y, identity, 0, BATCH_SIZE)) {
        Session.Runner r = session.runner().feed(xIn, xt).feed(yIn, yt);
        Arrays.stream(fetches).forEach(r::fetch);
        try (Result res = r.run()) {
          for (int i = 0; i < got.length; i++) {
            got[i] = ((TFloat32) res.get(i)).getFloat();
          }
        }
      }
      if (Math.abs(got[0] - expected.get("loss")) > 1e-4 || Math.abs(got[1] / got[2] - expected.get("accuracy")) > 1e-6) {
        throw new IllegalStateException("Bare-loop fetches " + Arrays.toString(FETCHES) + " gave loss=" + got[0]
            + ", accuracy=" + got[1] / got[2] + "; evaluate gave " + expected + ". TrainingGraph's op names changed: "
            + "update BareLoop.FETCHES");
      }
    }

    EpochTime epoch(float[][] x, int[] y, int epoch, Copy copy) {
      int[] order = permutation(SAMPLES, MODEL_SEED, epoch);
      long build = 0;
      long run = 0;
      long read = 0;
      long cpuStart = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      for (int from = 0; from < SAMPLES; from += BATCH_SIZE) {
        int to = Math.min(SAMPLES, from + BATCH_SIZE);
        long t0 = System.nanoTime();
        try (TFloat32 xt = gather(x, order, from, to, copy); TInt32 yt = gatherLabels(y, order, from, to)) {
          Session.Runner r = session.runner().feed(xIn, xt).feed(yIn, yt).addTarget(train);
          for (Output<?> f : fetches) {
            r.fetch(f);
          }
          long t1 = System.nanoTime();
          try (Result res = r.run()) {
            long t2 = System.nanoTime();
            for (int i = 0; i < fetches.length; i++) {
              sink += ((TFloat32) res.get(i)).getFloat();
            }
            build += t1 - t0;
            run += t2 - t1;
            read -= t2;
          }
        }
        read += System.nanoTime();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpu = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
      String breakdown = String.format(Locale.ROOT, "per step: tensors %.1f us, Session.run %.1f us, read+close %.1f us",
          build / 1e3 / STEPS, run / 1e3 / STEPS, read / 1e3 / STEPS);
      return new EpochTime(seconds, seconds, cpu, breakdown);
    }

    static TFloat32 gather(float[][] x, int[] order, int from, int to, Copy copy) {
      Shape shape = Shape.of(to - from, FEATURES);
      if (copy == Copy.TWICE) {
        float[] heap = new float[(to - from) * FEATURES];
        for (int i = from; i < to; i++) {
          System.arraycopy(x[order[i]], 0, heap, (i - from) * FEATURES, FEATURES);
        }
        return TFloat32.tensorOf(shape, DataBuffers.of(heap, true, false));
      }
      TFloat32 t = TFloat32.tensorOf(shape);
      FloatDataBuffer buf = t.asRawTensor().data().asFloats();
      for (int i = from; i < to; i++) {
        // slice(..).write(row): per-row offset(..).write(..) measured 2-4x slower here.
        buf.slice((long) (i - from) * FEATURES, FEATURES).write(x[order[i]]);
      }
      return t;
    }

    static TInt32 gatherLabels(int[] y, int[] order, int from, int to) {
      int[] labels = new int[to - from];
      for (int i = from; i < to; i++) {
        labels[i - from] = y[order[i]];
      }
      return TInt32.tensorOf(Shape.of(to - from), DataBuffers.of(labels, true, false));
    }

    /** A Fisher-Yates shuffle per epoch, the same work as FitLoop's. */
    static int[] permutation(int n, long seed, int epoch) {
      SplittableRandom rng = new SplittableRandom(seed * 31 + epoch);
      int[] order = new int[n];
      Arrays.setAll(order, i -> i);
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      return order;
    }
  }

  /** Command-line options. */
  private record Args(int epochs, int memoryEpochs, boolean profile) {
    static Args parse(String[] args) {
      int epochs = DEFAULT_EPOCHS;
      int memoryEpochs = DEFAULT_MEMORY_EPOCHS;
      boolean profile = false;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--epochs" -> epochs = positive(args, ++i, 1);
          case "--memory-epochs" -> memoryEpochs = positive(args, ++i, 3);
          case "--profile" -> profile = true;
          default -> throw new IllegalArgumentException(
              "Unknown argument '" + args[i] + "'. Expected: [--epochs N] [--memory-epochs N>=3] [--profile]");
        }
      }
      return new Args(epochs, memoryEpochs, profile);
    }

    private static int positive(String[] args, int i, int min) {
      if (i >= args.length) {
        throw new IllegalArgumentException("Expected a number after " + args[i - 1]);
      }
      int v = Integer.parseInt(args[i]);
      if (v < min) {
        throw new IllegalArgumentException("Expected " + args[i - 1] + " >= " + min + ". Received: " + v);
      }
      return v;
    }
  }

  /** Resident set size of this process from {@code /proc/self/status}, in MB; NaN where there is no procfs. */
  static double rssMb() {
    return ProcStatus.rssMb();
  }

  static double heapCommittedMb() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getCommitted() / (1024.0 * 1024.0);
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double medianMicros(List<Long> nanos) {
    return median(nanos.stream().mapToDouble(v -> v / 1e3).toArray());
  }
}
