package dev.kerasj.bench;

import dev.kerasj.serving.ServedModel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Serving throughput and memory of {@link ServedModel} against a bare {@code Session.run} loop on the same SavedModel
 * in the same process (not a JUnit test).
 *
 * <p>Model: {@code testdata/serving/keras_export} (Keras {@code model.export()} of Input(4) → Dense(8, relu) →
 * Dense(3, softmax)): so small that the per-call cost of the API — checks, tensor creation, copying results out — is
 * what is measured, the worst case for the façade. Each call of either side builds its input tensor from the same
 * {@code float[][]}, runs {@code serving_default} and copies the output to the heap; the bare side feeds and fetches
 * pre-resolved graph endpoints with no checks. For batch 1 and 64, and for 1 and {@code --threads} threads all sharing
 * one model, the sides alternate A B B A ({@code --reps} times each) and the median calls/s is reported with the
 * ratio served / bare. Then {@code --memory-calls} calls (batch 1, all threads) go through {@link ServedModel} while
 * resident memory ({@code VmRSS} of {@code /proc/self/status}) is sampled ten times. Besides wall-clock calls/s it
 * prints the calling threads' CPU time per call, a steadier measure of the API's own work on a busy machine (for this
 * model TensorFlow runs the ops on the calling thread too, so both sides include them).
 *
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/cp.txt
 * java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.kerasj.bench.ServingBenchmark [--calls 100000] [--threads 8] [--reps 2] [--memory-calls 1000000]
 * </pre>
 */
public final class ServingBenchmark {
  private static final Path MODEL = Path.of("testdata", "serving", "keras_export");

  private ServingBenchmark() {}

  /** One way of running one call of batch {@code x.length}. */
  private interface Caller {
    Object call(float[][] x);
  }

  public static void main(String[] args) throws Exception {
    int calls = 100_000;
    int threads = 8;
    int reps = 2;
    long memoryCalls = 1_000_000;
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--calls" -> calls = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--reps" -> reps = Integer.parseInt(v);
        case "--memory-calls" -> memoryCalls = Long.parseLong(v);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]
            + ". Expected: --calls N --threads N --reps N --memory-calls N");
      }
    }
    System.out.printf(Locale.ROOT, "cpus=%d calls=%d threads=%d reps=%d memory_calls=%d%n",
        Runtime.getRuntime().availableProcessors(), calls, threads, reps, memoryCalls);
    try (ServedModel served = ServedModel.open(MODEL);
        SavedModelBundle bundle = SavedModelBundle.load(MODEL.toAbsolutePath().toString(), "serve")) {
      Session session = bundle.session();
      Output<?> in = bundle.graph().operation("serving_default_features").output(0);
      String outName = served.signature("serving_default").outputs().get("output_0").tensorName();
      Output<?> out = bundle.graph().operation(outName.substring(0, outName.indexOf(':'))).output(0);
      // Each side ends with the output copied to the Java heap once: ServedModel's NdArray, the bare loop's float[].
      Caller servedCaller = x -> served.call("serving_default", Map.of("features", x)).get("output_0");
      Caller bareCaller = x -> {
        float[] flat = new float[x.length * 4];
        for (int r = 0; r < x.length; r++) {
          System.arraycopy(x[r], 0, flat, r * 4, 4);
        }
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(x.length, 4), DataBuffers.of(flat, true, false));
            Result r = session.runner().feed(in, t).fetch(out).run()) {
          TFloat32 y = (TFloat32) r.get(0);
          float[] host = new float[Math.toIntExact(y.size())];
          y.copyTo(DataBuffers.of(host, false, false));
          return host;
        }
      };
      checkSame(servedCaller, bareCaller);
      System.out.println("| batch | threads | served calls/s | bare calls/s | served / bare "
          + "| caller CPU µs/call served | bare |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (int batch : new int[] {1, 64}) {
        float[][] x = data(batch);
        for (int t : new int[] {1, threads}) {
          run(servedCaller, x, t, Math.max(1000, calls / 10)); // warm-up
          run(bareCaller, x, t, Math.max(1000, calls / 10));
          List<Speed> s = new ArrayList<>();
          List<Speed> b = new ArrayList<>();
          for (int rep = 0; rep < reps; rep++) {
            s.add(measure(servedCaller, x, t, calls));
            b.add(measure(bareCaller, x, t, calls));
            b.add(measure(bareCaller, x, t, calls));
            s.add(measure(servedCaller, x, t, calls));
          }
          double sm = median(s.stream().map(Speed::callsPerSec).toList());
          double bm = median(b.stream().map(Speed::callsPerSec).toList());
          System.out.printf(Locale.ROOT, "| %d | %d | %,.0f | %,.0f | %.3f | %.1f | %.1f |%n", batch, t, sm, bm,
              sm / bm, median(s.stream().map(Speed::cpuMicrosPerCall).toList()),
              median(b.stream().map(Speed::cpuMicrosPerCall).toList()));
        }
      }
      memory(servedCaller, threads, memoryCalls);
    }
  }

  private static void checkSame(Caller a, Caller b) {
    float[][] x = data(64);
    FloatNdArray served = (FloatNdArray) a.call(x);
    float[] host = new float[Math.toIntExact(served.size())];
    served.copyTo(DataBuffers.of(host, false, false));
    if (!Arrays.equals(host, (float[]) b.call(x))) {
      throw new IllegalStateException("served and bare outputs differ");
    }
  }

  /** Calls per second and the calling threads' CPU time per call (µs): the Java-side cost, steadier when busy. */
  private record Speed(double callsPerSec, double cpuMicrosPerCall) {}

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Runs {@code calls} calls split over {@code threads} threads; returns calls per second. */
  private static double run(Caller caller, float[][] x, int threads, long calls) throws Exception {
    return measure(caller, x, threads, calls).callsPerSec();
  }

  private static Speed measure(Caller caller, float[][] x, int threads, long calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicLong left = new AtomicLong(calls);
      AtomicLong cpuNanos = new AtomicLong();
      List<Callable<Void>> tasks = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        tasks.add(() -> {
          long cpu0 = THREADS.getCurrentThreadCpuTime();
          while (left.getAndDecrement() > 0) {
            caller.call(x);
          }
          cpuNanos.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu0);
          return null;
        });
      }
      long start = System.nanoTime();
      for (Future<Void> f : pool.invokeAll(tasks)) {
        f.get();
      }
      return new Speed(calls / ((System.nanoTime() - start) / 1e9), cpuNanos.get() / 1e3 / calls);
    } finally {
      pool.shutdownNow();
    }
  }

  private static void memory(Caller caller, int threads, long calls) throws Exception {
    float[][] x = data(1);
    long chunk = Math.max(1, calls / 10);
    double start = rssMb();
    double max = start;
    System.out.printf(Locale.ROOT, "memory run: %,d served calls, batch 1, %d threads; rss at start %.1f MB%n", calls,
        threads, start);
    long done = 0;
    long t0 = System.nanoTime();
    while (done < calls) {
      long n = Math.min(chunk, calls - done);
      run(caller, x, threads, n);
      done += n;
      double rss = rssMb();
      max = Math.max(max, rss);
      System.out.printf(Locale.ROOT, "  after %,d calls: rss %.1f MB%n", done, rss);
    }
    double end = rssMb();
    System.out.printf(Locale.ROOT, "memory_calls=%d calls_per_sec=%.0f rss_start_mb=%.1f rss_end_mb=%.1f "
        + "rss_max_mb=%.1f rss_growth_mb=%.1f%n", calls, calls / ((System.nanoTime() - t0) / 1e9), start, end, max,
        end - start);
  }

  private static float[][] data(int batch) {
    SplittableRandom r = new SplittableRandom(7);
    float[][] x = new float[batch][4];
    for (float[] row : x) {
      for (int j = 0; j < 4; j++) {
        row[j] = (float) r.nextGaussian();
      }
    }
    return x;
  }

  private static double median(List<Double> v) {
    double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  static double rssMb() {
    return ProcStatus.rssMb();
  }
}
