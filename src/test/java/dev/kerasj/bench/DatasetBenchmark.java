package dev.kerasj.bench;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.data.Dataset;
import dev.kerasj.data.Feature;
import dev.kerasj.data.Transforms;
import dev.kerasj.examples.Digits;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Step overhead of {@code fit} over a {@link Dataset} against today's array feed, on the README's digits MLP
 * (64-64-10, Adam, sparse categorical cross-entropy + accuracy) at batch 32 (not a JUnit test; a benchmark prints
 * numbers). Three feeds of the same model, each timed over whole epochs after one warm-up epoch, rounds in rotating
 * order so machine drift hits all of them:
 * <ul>
 *   <li>{@code arrays}: {@code fit(float[][], int[])} (one Java-to-tensor copy per batch, shuffle off);</li>
 *   <li>{@code dataset-arrays}: {@code fit(Dataset.fromArrays(x, y).batch(32))};</li>
 *   <li>{@code dataset-tfrecord}: {@code testdata/datasets/digits_train.tfrecord} (150 records) repeated 12 times,
 *       parsed, normalized and prefetched ({@code prefetch(AUTOTUNE)}).</li>
 * </ul>
 * Prints per-round samples/s and process CPU time per step (all threads: tf.data's too; steadier than wall time
 * on a shared machine), then {@code <feed>_cpu_us_per_step=}, {@code <feed>_samples_per_sec=} medians and {@code ratio_<feed>=} (dataset /
 * arrays; above 1 is faster).
 *
 * <pre>
 * python-interop/benchmark_dataset.sh [--rounds 5] [--epochs 3]
 * </pre>
 */
public final class DatasetBenchmark {
  public static void main(String[] args) {
    int rounds = 5;
    int epochs = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]
            + ". Expected: [--rounds N] [--epochs N]");
      }
    }
    Digits d = Digits.load(Digits.DEFAULT_CSV);
    float[][] x = new float[1800][];
    int[] y = new int[1800];
    for (int i = 0; i < 1800; i++) { // the first 150 digits 12 times, as the TFRecord feed reads them
      float[] row = d.pixels()[i % 150];
      x[i] = new float[64];
      for (int j = 0; j < 64; j++) {
        x[i][j] = (row[j] - 8f) / 4f;
      }
      y[i] = d.labels()[i % 150];
    }
    Dataset records = Dataset.fromTFRecord(Path.of("testdata", "datasets", "digits_train.tfrecord"),
        Feature.floats("pixels", 64), Feature.int64s("label")).inputs("pixels").targets("label").repeat(12)
        .batch(32).map("pixels", Transforms.normalize(8, 16)).prefetch(Dataset.AUTOTUNE);
    Dataset fromArrays = Dataset.fromArrays(x, y).batch(32);
    String[] names = {"arrays", "dataset-arrays", "dataset-tfrecord"};
    List<List<Double>> rates = new ArrayList<>();
    List<List<Double>> cpu = new ArrayList<>();
    for (String n : names) {
      rates.add(new ArrayList<>());
      cpu.add(new ArrayList<>());
    }
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    try (Sequential m0 = model(); Sequential m1 = model(); Sequential m2 = model()) {
      Sequential[] models = {m0, m1, m2};
      int finalEpochs = epochs;
      Runnable[] fits = {
          () -> models[0].fit(x, y, FitOptions.builder().epochs(finalEpochs).batchSize(32).shuffle(false).verbose(0)
              .build()),
          () -> models[1].fit(fromArrays, FitOptions.builder().epochs(finalEpochs).verbose(0).build()),
          () -> models[2].fit(records, FitOptions.builder().epochs(finalEpochs).verbose(0).build())};
      for (Runnable f : fits) {
        f.run(); // warm-up: graph build, first Session.run
      }
      for (int r = 0; r < rounds; r++) {
        StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
        for (int k = 0; k < fits.length; k++) {
          int i = (k + r) % fits.length;
          long c0 = os.getProcessCpuTime();
          long t0 = System.nanoTime();
          fits[i].run();
          double s = (System.nanoTime() - t0) / 1e9;
          double rate = 1800.0 * epochs / s;
          double cpuPerStep = (os.getProcessCpuTime() - c0) / 1e3 / (57.0 * epochs);
          rates.get(i).add(rate);
          cpu.get(i).add(cpuPerStep);
          line.append(String.format(Locale.ROOT, " %s %.0f samples/s (%.0f us CPU/step);", names[i], rate,
              cpuPerStep));
        }
        System.out.println(line);
      }
    }
    double base = median(rates.get(0));
    for (int i = 0; i < names.length; i++) {
      System.out.printf(Locale.ROOT, "%s_samples_per_sec=%.0f%n", names[i].replace('-', '_'), median(rates.get(i)));
      System.out.printf(Locale.ROOT, "%s_cpu_us_per_step=%.0f%n", names[i].replace('-', '_'), median(cpu.get(i)));
    }
    for (int i = 1; i < names.length; i++) {
      System.out.printf(Locale.ROOT, "ratio_%s=%.3f%n", names[i].replace('-', '_'), median(rates.get(i)) / base);
    }
  }

  static Sequential model() {
    Sequential m = new Sequential(Input.of(64), new Dense(64, "relu"), new Dense(10, "softmax"));
    m.setSeed(42);
    m.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
