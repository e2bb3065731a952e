package dev.kerasj.bench;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.TensorFlow;

/**
 * Graph build time and memory of a deep MLP: how long kerasj takes from {@code new Sequential(...)} to the end of
 * the second training step, and how much memory that takes (not a JUnit test: run it from
 * {@code python-interop/benchmark_graph_build.sh}, which starts one JVM per depth and repetition and prints it next
 * to Keras 3's numbers).
 *
 * <p>Model: {@code Input(64)}, {@code --layers} times {@code Dense(64, relu)}, {@code Dense(10, softmax)}; Adam,
 * sparse categorical cross-entropy, batch 128, {@value #SAMPLES} seeded synthetic samples, one epoch (3 steps).
 * Phases, each timed with {@link System#nanoTime}:
 * <ul>
 *   <li>{@code load}: {@code TensorFlow.version()}, which loads the native library (Python's
 *       {@code import tensorflow}); left out of the total;
 *   <li>{@code construct}: {@code new Sequential(layers)} (Java objects only);
 *   <li>{@code compile}: {@code compile(...)}, which builds the model as Keras users call it: the inference and
 *       training graphs, loss, gradients ({@code addGradients}), optimizer slots and updates, the session, the
 *       weights' initial values and the runs that assign them;
 *   <li>{@code fit_setup}: from the {@code fit} call to the first batch-begin, and from the end of step 1 to the
 *       begin of step 2;
 *   <li>{@code step1}, {@code step2}: the first and second training batch inside {@code fit} (batch-begin to
 *       batch-end; the first includes TensorFlow's pruning and Grappler optimization of the step's subgraph). The
 *       clock stops at the end of step 2.
 * </ul>
 *
 * <p>With {@code --profile}, a JFR recording samples the main thread every {@value #SAMPLE_MS} ms (Java and native
 * frames) and the samples are split by phase and by the TensorFlow C function on the stack
 * ({@code TF_FinishOperation}, {@code TF_AddGradientsWithPrefix}, {@code TF_SessionRun} ...), or by the kerasj/TF
 * Java code when no C function is on it; TF Java's scan of every graph operation when a name scope is created
 * ({@code NameScope.importIdsFrom}) has its own bucket. TensorFlow's own thread pools are native threads JFR does not see, so a
 * step's kernels show up as the main thread waiting in {@code TF_SessionRun}.
 *
 * <pre>
 * java -cp &lt;test classpath&gt; dev.kerasj.bench.GraphBuildBenchmark --layers 64 [--profile]
 * </pre>
 *
 * <p>Ends with machine-readable {@code key=value} lines: times in ms, memory in MB ({@code peak_rss_mb} is
 * {@code VmHWM} from {@code /proc/self/status}; {@code peak_heap_mb} the sum of the heap pools' peak use), and
 * {@code ops_compile}, the graph's operation count after {@code compile}.
 */
public final class GraphBuildBenchmark {
  static final int FEATURES = 64;
  static final int UNITS = 64;
  static final int CLASSES = 10;
  static final int BATCH_SIZE = 128;
  static final int SAMPLES = 384;
  static final long SEED = 0;
  static final int SAMPLE_MS = 10;

  private GraphBuildBenchmark() {}

  public static void main(String[] args) throws IOException {
    int layers = 64;
    boolean profile = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--layers" -> layers = Integer.parseInt(args[++i]);
        case "--profile" -> profile = true;
        default -> throw new IllegalArgumentException(
            "Unknown argument '" + args[i] + "'. Expected: [--layers N] [--profile]");
      }
    }
    float[][] x = new float[SAMPLES][FEATURES];
    int[] y = new int[SAMPLES];
    Random rng = new Random(SEED);
    for (int i = 0; i < SAMPLES; i++) {
      for (int j = 0; j < FEATURES; j++) {
        x[i][j] = (float) rng.nextGaussian();
      }
      y[i] = rng.nextInt(CLASSES);
    }
    System.out.printf(Locale.ROOT, "java %s, %d cpus; layers=%d Dense(%d, relu), samples=%d, batch_size=%d%n",
        System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), layers, UNITS, SAMPLES,
        BATCH_SIZE);
    Recording recording = profile ? startRecording() : null;
    Phases phases = new Phases();
    phases.begin("load");
    TensorFlow.version(); // loads the native library, like Python's import tensorflow
    phases.begin("construct");
    List<Layer> stack = new ArrayList<>();
    stack.add(Input.of(FEATURES));
    for (int i = 0; i < layers; i++) {
      stack.add(new Dense(UNITS, "relu"));
    }
    stack.add(new Dense(CLASSES, "softmax"));
    long ops;
    float loss;
    try (Sequential model = new Sequential(stack.toArray(Layer[]::new))) {
      model.setSeed(SEED);
      phases.begin("compile");
      model.compile(new Adam(), new SparseCategoricalCrossentropy());
      phases.end();
      ops = countOps(model);
      StepTimer steps = new StepTimer(phases);
      phases.begin("fit_setup");
      loss = model.fit(x, y, FitOptions.builder().batchSize(BATCH_SIZE).epochs(1).shuffle(false).verbose(0)
          .callbacks(steps).build()).get("loss").get(0).floatValue();
    }
    for (Map.Entry<String, Double> e : phases.ms.entrySet()) {
      System.out.printf(Locale.ROOT, "  %-10s %9.1f ms%n", e.getKey(), e.getValue());
    }
    System.out.printf(Locale.ROOT, "  graph ops after compile %d; first epoch loss %.6f%n", ops, loss);
    if (recording != null) {
      printProfile(recording, phases);
    }
    double total = phases.ms.entrySet().stream().filter(e -> !e.getKey().equals("load"))
        .mapToDouble(Map.Entry::getValue).sum();
    phases.ms.forEach((k, v) -> System.out.printf(Locale.ROOT, "%s_ms=%.1f%n", k, v));
    System.out.printf(Locale.ROOT, "to_second_step_ms=%.1f%n", total);
    System.out.printf(Locale.ROOT, "ops_compile=%d%n", ops);
    System.out.printf(Locale.ROOT, "peak_rss_mb=%.1f%n", peakRssMb());
    System.out.printf(Locale.ROOT, "peak_heap_mb=%.1f%n", peakHeapMb());
    System.out.printf(Locale.ROOT, "first_epoch_loss=%.6f%n", loss);
  }

  private static long countOps(Sequential model) {
    Graph g = model.graphForInternalUse().graph();
    long n = 0;
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }

  /**
   * Named wall-clock intervals, one open at a time; {@code begin} closes the open one. Keeps each phase's time
   * span so profile samples can be attributed to it.
   */
  static final class Phases {
    final Map<String, Double> ms = new LinkedHashMap<>();
    final List<Object[]> spans = new ArrayList<>(); // {name, Instant start, Instant end}
    private String open;
    private long start;
    private Instant startInstant;

    void begin(String name) {
      end();
      open = name;
      startInstant = Instant.now();
      start = System.nanoTime();
    }

    void end() {
      if (open != null) {
        ms.merge(open, (System.nanoTime() - start) / 1e6, Double::sum);
        spans.add(new Object[] {open, startInstant, Instant.now()});
        open = null;
      }
    }

    String at(Instant t) {
      for (Object[] s : spans) {
        if (!t.isBefore((Instant) s[1]) && !t.isAfter((Instant) s[2])) {
          return (String) s[0];
        }
      }
      return "other";
    }
  }

  /**
   * Times the first two training batches as phases {@code step1} and {@code step2}; the time between them goes to
   * {@code fit_setup}, and the clock stops at the end of step 2.
   */
  private static final class StepTimer implements Callback {
    private final Phases phases;

    StepTimer(Phases phases) {
      this.phases = phases;
    }

    @Override
    public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
      if (batch < 2) {
        phases.begin("step" + (batch + 1));
      }
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
      if (batch == 0) {
        phases.begin("fit_setup");
      } else if (batch == 1) {
        phases.end();
      }
    }
  }

  private static Recording startRecording() {
    Recording r = new Recording();
    r.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(SAMPLE_MS));
    r.enable("jdk.NativeMethodSample").withPeriod(java.time.Duration.ofMillis(SAMPLE_MS));
    r.enable("jdk.GarbageCollection");
    r.start();
    return r;
  }

  /**
   * Prints, per phase, how the main thread's samples split between TensorFlow C functions, kerasj's initializers,
   * other kerasj/TF Java code and the JVM, plus the GC pause time.
   */
  private static void printProfile(Recording recording, Phases phases) throws IOException {
    recording.stop();
    Path file = Files.createTempFile("graph-build", ".jfr");
    try {
      recording.dump(file);
      recording.close();
      Map<String, Map<String, Integer>> byPhase = new LinkedHashMap<>();
      for (Object[] s : phases.spans) {
        byPhase.putIfAbsent((String) s[0], new TreeMap<>());
      }
      double gcMs = 0;
      for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
        String type = e.getEventType().getName();
        if (type.equals("jdk.GarbageCollection")) {
          gcMs += e.getDuration().toNanos() / 1e6;
          continue;
        }
        if (!e.hasField("sampledThread") || e.getThread("sampledThread") == null
            || !"main".equals(e.getThread("sampledThread").getJavaName())) {
          continue;
        }
        String phase = phases.at(e.getStartTime());
        byPhase.computeIfAbsent(phase, k -> new TreeMap<>()).merge(classify(e.getStackTrace()), 1, Integer::sum);
      }
      System.out.printf(Locale.ROOT, "profile: main-thread samples every %d ms by phase (GC pauses %.0f ms in all)%n",
          SAMPLE_MS, gcMs);
      byPhase.forEach((phase, counts) -> {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-10s %5d:", phase, total));
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
            .forEach(c -> line.append(String.format(Locale.ROOT, " %s %.0f%%;", c.getKey(), 100.0 * c.getValue() / total)));
        System.out.println(line);
      });
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * A name scope's scan of the graph, else the TF C function nearest the top of the stack, else the first kerasj or
   * TF Java frame's class and method.
   */
  static String classify(RecordedStackTrace stack) {
    if (stack == null) {
      return "(no stack)";
    }
    for (RecordedFrame f : stack.getFrames()) {
      if (f.getMethod().getName().equals("importIdsFrom")) {
        return "NameScope.importIdsFrom";
      }
    }
    String firstOwn = null;
    for (RecordedFrame f : stack.getFrames()) {
      String cls = f.getMethod().getType().getName();
      String m = f.getMethod().getName();
      if (cls.equals("org.tensorflow.internal.c_api.global.tensorflow") || m.startsWith("TF_")) {
        return m;
      }
      if (firstOwn == null && cls.startsWith("dev.kerasj.initializers")) {
        return "initializers";
      }
      if (firstOwn == null && (cls.startsWith("dev.kerasj") || cls.startsWith("org.tensorflow"))) {
        firstOwn = cls.substring(cls.lastIndexOf('.') + 1) + "." + m;
      }
    }
    return firstOwn == null ? "jvm" : "java:" + firstOwn;
  }

  /** Peak resident set size ({@code VmHWM}) from {@code /proc/self/status}, MB; NaN where there is no procfs. */
  static double peakRssMb() {
    return ProcStatus.peakRssMb();
  }

  /** Sum of the heap pools' peak use, MB (an upper bound of the peak heap: pools peak at different times). */
  static double peakHeapMb() {
    long bytes = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        bytes += p.getPeakUsage().getUsed();
      }
    }
    return bytes / (1024.0 * 1024.0);
  }
}
