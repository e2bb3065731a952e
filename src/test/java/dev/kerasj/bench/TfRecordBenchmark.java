package dev.kerasj.bench;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.data.Dataset;
import dev.kerasj.data.Feature;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;

/**
 * The MLP benchmark's data streamed from TFRecord files (not a JUnit test; a benchmark prints numbers). Two modes:
 * <ul>
 *   <li>{@code throughput} (default): {@link MlpBenchmark}'s model (784-256-128-10, Adam, sparse categorical
 *       cross-entropy + accuracy, batch 128) and its 60,000 seeded synthetic samples, written to 4 TFRecord files
 *       (a float feature of 784, an int64 label) in a temp dir. Two models of the same seed train in the same
 *       process, one from the arrays ({@code fit(float[][], int[])}, shuffled as by default), one from
 *       {@code Dataset.fromTFRecord(files).batch(128).prefetch(AUTOTUNE)}, epochs interleaved in alternating order.
 *       Prints samples/s, process CPU per step, the time between steps (the pull run, for the Dataset) and inside
 *       them (the training run), and {@code ratio_tfrecord=} (medians, TFRecord / arrays).</li>
 *   <li>{@code memory}: about {@code --gb} GB of records (the 60,000 rows cycled; 8 files) trained on for
 *       {@code --epochs} passes; prints RSS every {@code --every} steps and the largest growth over the RSS at the
 *       end of the first epoch. Run it with a heap far smaller than the data ({@code -Xmx512m}).</li>
 * </ul>
 * The temp dir is deleted afterwards.
 *
 * <pre>
 * python-interop/benchmark_tfrecord.sh [--mode throughput|memory] [--rounds 5] [--epochs N] [--gb 2] [--every 500]
 * </pre>
 */
public final class TfRecordBenchmark {
  static final int FILES = 4;
  static final int MEMORY_FILES = 8;

  public static void main(String[] args) throws IOException {
    String mode = "throughput";
    int rounds = 5;
    Integer epochs = null;
    double gb = 2;
    int every = 500;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--mode" -> mode = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--gb" -> gb = Double.parseDouble(args[++i]);
        case "--every" -> every = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]
            + ". Expected: [--mode throughput|memory] [--rounds N] [--epochs N] [--gb G] [--every STEPS]");
      }
    }
    float[][] x = new float[MlpBenchmark.SAMPLES][MlpBenchmark.FEATURES];
    int[] y = new int[MlpBenchmark.SAMPLES];
    Random rng = new Random(MlpBenchmark.DATA_SEED); // MlpBenchmark's data, value for value
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < MlpBenchmark.FEATURES; j++) {
        x[i][j] = (float) rng.nextGaussian();
      }
      y[i] = rng.nextInt(MlpBenchmark.CLASSES);
    }
    Path dir = Files.createTempDirectory("kerasj-tfrecord-bench");
    System.out.printf(Locale.ROOT, "java %s, %d cpus, max heap %d MB, load average %.2f; mode=%s%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            .getSystemLoadAverage(), mode);
    try {
      if (mode.equals("memory")) {
        memory(x, y, dir, gb, epochs == null ? 2 : epochs, every);
      } else if (mode.equals("throughput")) {
        throughput(x, y, dir, rounds, epochs == null ? 1 : epochs);
      } else {
        throw new IllegalArgumentException("Unknown mode " + mode + ". Expected: throughput or memory");
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static void throughput(float[][] x, int[] y, Path dir, int rounds, int epochs) throws IOException {
    List<Path> files = write(x, y, dir, FILES, x.length);
    Dataset records = records(files);
    double batches = Math.ceil(x.length / (double) MlpBenchmark.BATCH_SIZE);
    String[] names = {"arrays", "tfrecord"};
    List<List<double[]>> stats = List.of(new ArrayList<>(), new ArrayList<>());
    try (Sequential arrays = model(); Sequential streamed = model()) {
      StepTimer timer = new StepTimer();
      Runnable[] fits = {
          () -> arrays.fit(x, y, FitOptions.builder().epochs(epochs).batchSize(MlpBenchmark.BATCH_SIZE).verbose(0)
              .callbacks(List.of(timer)).build()),
          () -> streamed.fit(records, FitOptions.builder().epochs(epochs).verbose(0).callbacks(List.of(timer))
              .build())};
      for (Runnable f : fits) {
        f.run(); // warm-up: graph build, the first Session.runs
      }
      for (int r = 0; r < rounds; r++) {
        StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
        for (int k = 0; k < fits.length; k++) {
          int i = (k + r) % fits.length;
          long c0 = CPU.getProcessCpuTime();
          timer.reset();
          long t0 = System.nanoTime();
          fits[i].run();
          double s = (System.nanoTime() - t0) / 1e9;
          double[] st = {x.length * (double) epochs / s, (CPU.getProcessCpuTime() - c0) / 1e3 / (batches * epochs),
              timer.medianBetweenUs(), timer.medianInsideUs()};
          stats.get(i).add(st);
          line.append(String.format(Locale.ROOT, " %s %.0f samples/s (%.0f us CPU/step, between steps %.0f us, "
              + "step %.0f us);", names[i], st[0], st[1], st[2], st[3]));
        }
        System.out.println(line);
      }
    }
    String[] columns = {"samples_per_sec", "cpu_us_per_step", "between_steps_us", "step_us"};
    for (int i = 0; i < names.length; i++) {
      for (int c = 0; c < columns.length; c++) {
        System.out.printf(Locale.ROOT, "%s_%s=%.0f%n", names[i], columns[c], median(stats.get(i), c));
      }
    }
    System.out.printf(Locale.ROOT, "ratio_tfrecord=%.3f%n", median(stats.get(1), 0) / median(stats.get(0), 0));
  }

  private static void memory(float[][] x, int[] y, Path dir, double gb, int epochs, int every) throws IOException {
    long recordBytes = Example.newBuilder().build().getSerializedSize() + example(x[0], y[0]).getSerializedSize()
        + 16L;
    int n = (int) Math.ceil(gb * 1e9 / recordBytes);
    long t0 = System.nanoTime();
    List<Path> files = write(x, y, dir, MEMORY_FILES, n);
    long bytes = 0;
    for (Path p : files) {
      bytes += Files.size(p);
    }
    System.out.printf(Locale.ROOT, "wrote %d records, %.2f GB in %d files in %.1f s; RSS %.0f MB%n", n, bytes / 1e9,
        files.size(), (System.nanoTime() - t0) / 1e9, ProcStatus.rssMb());
    try (Sequential model = model()) {
      RssTracker rss = new RssTracker(every);
      long t1 = System.nanoTime();
      model.fit(records(files), FitOptions.builder().epochs(epochs).verbose(0).callbacks(List.of(rss)).build());
      double s = (System.nanoTime() - t1) / 1e9;
      System.out.printf(Locale.ROOT, "trained %d epochs over %.2f GB in %.0f s (%.0f samples/s)%n", epochs,
          bytes / 1e9, s, n * (double) epochs / s);
      System.out.printf(Locale.ROOT, "data_gb=%.2f%nmax_heap_mb=%d%nrss_after_first_epoch_mb=%.0f%n"
          + "max_rss_later_mb=%.0f%nrss_growth_after_first_epoch_mb=%.1f%npeak_rss_mb=%.0f%n", bytes / 1e9,
          Runtime.getRuntime().maxMemory() >> 20, rss.afterFirst, rss.maxLater, rss.maxLater - rss.afterFirst,
          ProcStatus.peakRssMb());
    }
  }

  static Dataset records(List<Path> files) {
    return Dataset.fromTFRecord(files, Dataset.Compression.NONE, Feature.floats("x", MlpBenchmark.FEATURES),
        Feature.int64s("label")).inputs("x").targets("label").batch(MlpBenchmark.BATCH_SIZE)
        .prefetch(Dataset.AUTOTUNE);
  }

  static Sequential model() {
    Sequential m = new Sequential(Input.of(MlpBenchmark.FEATURES), new Dense(256, "relu"), new Dense(128, "relu"),
        new Dense(MlpBenchmark.CLASSES, "softmax"));
    m.setSeed(MlpBenchmark.MODEL_SEED);
    m.compile(new Adam(), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** {@code n} records (row {@code i % x.length}) split in order over {@code count} files. */
  static List<Path> write(float[][] x, int[] y, Path dir, int count, int n) throws IOException {
    List<Path> files = new ArrayList<>();
    int per = (n + count - 1) / count;
    for (int f = 0; f < count; f++) {
      Path p = dir.resolve(String.format(Locale.ROOT, "part-%05d.tfrecord", f));
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p), 1 << 20)) {
        for (int i = f * per; i < Math.min(n, (f + 1) * per); i++) {
          writeRecord(out, example(x[i % x.length], y[i % x.length]).toByteArray());
        }
      }
      files.add(p);
    }
    return files;
  }

  static Example example(float[] row, int label) {
    FloatList.Builder floats = FloatList.newBuilder();
    for (float v : row) {
      floats.addValue(v);
    }
    return Example.newBuilder().setFeatures(Features.newBuilder()
        .putFeature("x", org.tensorflow.proto.Feature.newBuilder().setFloatList(floats).build())
        .putFeature("label", org.tensorflow.proto.Feature.newBuilder()
            .setInt64List(Int64List.newBuilder().addValue(label)).build())).build();
  }

  /** TFRecord framing: length (uint64 LE), its masked crc32c, the payload, its masked crc32c. */
  static void writeRecord(OutputStream out, byte[] data) {
    ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(data.length);
    head.putInt(maskedCrc(head.array(), 8));
    ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(data, data.length));
    try {
      out.write(head.array());
      out.write(data);
      out.write(tail.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int maskedCrc(byte[] b, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, 0, len);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  private static final com.sun.management.OperatingSystemMXBean CPU = (com.sun.management.OperatingSystemMXBean)
      java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /** Wall time between one batch's end and the next one's begin (the pull) and from begin to end (the step). */
  static final class StepTimer implements Callback {
    private final List<Long> between = new ArrayList<>();
    private final List<Long> inside = new ArrayList<>();
    private long lastEnd = -1;
    private long begin;

    void reset() {
      between.clear();
      inside.clear();
      lastEnd = -1;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
      lastEnd = -1;
    }

    @Override
    public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
      begin = System.nanoTime();
      if (lastEnd >= 0) {
        between.add(begin - lastEnd);
      }
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
      lastEnd = System.nanoTime();
      inside.add(lastEnd - begin);
    }

    double medianBetweenUs() {
      return MlpBenchmark.medianMicros(between);
    }

    double medianInsideUs() {
      return MlpBenchmark.medianMicros(inside);
    }
  }

  /** Prints RSS every {@code every} steps; remembers it at the end of epoch 1 and its maximum afterwards. */
  static final class RssTracker implements Callback {
    private final int every;
    private long steps;
    private int epoch;
    double afterFirst = Double.NaN;
    double maxLater = Double.NaN;

    RssTracker(int every) {
      this.every = every;
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
      this.epoch = epoch;
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
      steps++;
      if (steps % every == 0) {
        double rss = ProcStatus.rssMb();
        System.out.printf(Locale.ROOT, "epoch %d step %d: RSS %.0f MB, heap used %.0f MB%n", epoch + 1, steps, rss,
            (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0);
        if (epoch > 0) {
          maxLater = Double.isNaN(maxLater) ? rss : Math.max(maxLater, rss);
        }
      }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
      double rss = ProcStatus.rssMb();
      System.out.printf(Locale.ROOT, "end of epoch %d (%d steps): RSS %.0f MB, loss %.4f%n", epoch + 1, steps, rss,
          logs.get("loss"));
      if (epoch == 0) {
        afterFirst = rss;
      } else {
        maxLater = Double.isNaN(maxLater) ? rss : Math.max(maxLater, rss);
      }
    }
  }

  static double median(List<double[]> rows, int column) {
    return MlpBenchmark.median(rows.stream().mapToDouble(r -> r[column]).toArray());
  }
}
