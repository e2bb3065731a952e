package dev.kerasj.bench;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.LSTM;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The recurrent layers' cost (not a JUnit test: run it from {@code python-interop/benchmark_lstm.sh}).
 *
 * <p>Part 1, the unrolled graph: for each sequence length (default 8, 32, 128) a small LSTM model
 * ({@code Input(T, 8) -> LSTM(32) -> Dense(10, softmax)}, Adam) is built and fitted on 256 synthetic samples, batch
 * 32; it prints the graph's op count once the training graph exists, the graph build time (model construction,
 * compile and the first {@code fit} call's graph work: the first epoch minus one timed epoch) and the step time.
 *
 * <p>Part 2, throughput against Keras: the LSTM digits model of testdata/rnn ({@code Input(8, 8) -> LSTM(16)} ... here
 * {@code LSTM(32)} for a heavier step) on all 1797 rows of testdata/digits/digits.csv read as 8 steps of 8 features,
 * batch 32, Adam, one warm-up epoch then timed epochs; {@code python-interop/bench_keras_lstm.py} is the Keras twin.
 *
 * <pre>
 * java -cp &lt;test classpath&gt; dev.kerasj.bench.LstmBenchmark [--lengths 8,32,128] [--epochs 5] [--data csv]
 * </pre>
 *
 * Ends with {@code kerasj_samples_per_sec=<median>}.
 */
public final class LstmBenchmark {
  static final int FEATURES = 8;
  static final int UNITS = 32;
  static final int BATCH_SIZE = 32;
  static final int UNROLL_SAMPLES = 256;

  private LstmBenchmark() {}

  public static void main(String[] args) throws IOException {
    List<Integer> lengths = List.of(8, 32, 128);
    int epochs = 5;
    Path data = Path.of("testdata", "digits", "digits.csv");
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--lengths" -> lengths = Arrays.stream(args[i + 1].split(",")).map(Integer::parseInt).toList();
        case "--epochs" -> epochs = Integer.parseInt(args[i + 1]);
        case "--data" -> data = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("Unknown argument '" + args[i]
            + "'. Expected: [--lengths 8,32,128] [--epochs 5] [--data csv]");
      }
    }
    System.out.printf(Locale.ROOT, "java %s, %d cpus%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors());
    for (int t : lengths) {
      unrolled(t);
    }
    throughput(data, epochs);
  }

  private static Sequential lstmModel(int steps) {
    Sequential m = new Sequential(Input.of(steps, FEATURES), new LSTM(UNITS), new Dense(10, "softmax"));
    m.setSeed(0);
    m.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  private static void unrolled(int steps) {
    Random rng = new Random(steps);
    float[][][] x = new float[UNROLL_SAMPLES][steps][FEATURES];
    int[] y = new int[UNROLL_SAMPLES];
    for (int i = 0; i < UNROLL_SAMPLES; i++) {
      for (float[] row : x[i]) {
        for (int j = 0; j < FEATURES; j++) {
          row[j] = (float) rng.nextGaussian();
        }
      }
      y[i] = rng.nextInt(10);
    }
    FitOptions one = FitOptions.builder().epochs(1).batchSize(BATCH_SIZE).shuffle(false).verbose(0).build();
    long t0 = System.nanoTime();
    try (Sequential m = lstmModel(steps)) {
      m.fit(x, y, one);
      double first = (System.nanoTime() - t0) / 1e9;
      double[] epochSeconds = new double[3];
      for (int e = 0; e < epochSeconds.length; e++) {
        long s = System.nanoTime();
        m.fit(x, y, one);
        epochSeconds[e] = (System.nanoTime() - s) / 1e9;
      }
      double epoch = median(epochSeconds);
      int stepsPerEpoch = (UNROLL_SAMPLES + BATCH_SIZE - 1) / BATCH_SIZE;
      long ops = 0;
      for (Iterator<?> it = m.graphForInternalUse().graph().operations(); it.hasNext(); it.next()) {
        ops++;
      }
      System.out.printf(Locale.ROOT, "unrolled T=%d: graph ops=%d, graph build %.2f s, step %.1f ms "
          + "(LSTM(%d), %d features, batch %d)%n", steps, ops, first - epoch, epoch / stepsPerEpoch * 1e3, UNITS,
          FEATURES, BATCH_SIZE);
    }
  }

  private static void throughput(Path csv, int epochs) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    int n = lines.size() - 1;
    float[][][] x = new float[n][8][8];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      String[] f = lines.get(i + 1).split(",");
      for (int p = 0; p < 64; p++) {
        x[i][p / 8][p % 8] = Float.parseFloat(f[p]) / 16f;
      }
      y[i] = Integer.parseInt(f[64]);
    }
    List<Double> seconds = new ArrayList<>();
    Callback timer = new Callback() {
      long start;

      @Override
      public void onEpochBegin(int epoch, Map<String, Double> logs) {
        start = System.nanoTime();
      }

      @Override
      public void onEpochEnd(int epoch, Map<String, Double> logs) {
        seconds.add((System.nanoTime() - start) / 1e9);
      }
    };
    try (Sequential m = lstmModel(8)) {
      m.fit(x, y, FitOptions.builder().epochs(1 + epochs).batchSize(BATCH_SIZE).verbose(0).callbacks(timer).build());
    }
    double[] rates = new double[epochs];
    for (int e = 0; e < epochs; e++) {
      rates[e] = n / seconds.get(e + 1);
      System.out.printf(Locale.ROOT, "epoch %d/%d: %.3f s, %.1f samples/s%n", e + 1, epochs, seconds.get(e + 1),
          rates[e]);
    }
    System.out.printf(Locale.ROOT, "kerasj_samples_per_sec=%.1f%n", median(rates));
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
