package dev.kerasj.distribute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.History;
import dev.kerasj.distribute.WorkerChild.Variant;
import dev.kerasj.examples.Digits;
import dev.kerasj.reliability.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two and three worker JVMs on 127.0.0.1 train the digits MLP with {@link MultiWorkerMirroredStrategy} over
 * TensorFlow's gRPC servers and {@code CollectiveReduceV2}; every worker ends with the same weights, bit for bit, and
 * those equal a single-process run over the same global batches within {@value #TOLERANCE} (not bitwise: one process
 * sums a batch's gradient inside one MatMul, the group sums per-slice gradients, a different order of float
 * additions). The two-worker runs train with class weights, the three-worker run with sample weights. A model with
 * BatchNormalization trains with each worker's moving statistics local, as in Keras (see its test).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiWorkerTrainingTest {
  static final int EPOCHS = 3;
  /** Largest absolute difference allowed between a group's final weights and one process's. */
  static final double TOLERANCE = 1e-6;
  static final int TIMEOUT_SECONDS = 30;

  /** The two-worker runs (the plain one, the resumed one) train with class weights. */
  static final Variant TWO_WORKERS = Variant.CLASS_WEIGHTS;
  /** The three-worker run, whose last batch splits unevenly, trains with sample weights. */
  static final Variant THREE_WORKERS = Variant.SAMPLE_WEIGHTS;

  /** One process's final weights and per-epoch losses, by sample count and variant. */
  record Reference(float[] weights, List<Double> loss) {}

  static final java.util.Map<String, Reference> REFERENCES = new java.util.HashMap<>();

  static Reference reference(int samples, Variant variant) {
    return REFERENCES.computeIfAbsent(samples + " " + variant, key -> {
      Digits data = WorkerChild.data(samples);
      try (Sequential model = WorkerChild.newModel(null)) {
        History h = model.fit(data.pixels(), data.labels(), WorkerChild.options(variant, data).epochs(EPOCHS)
            .batchSize(WorkerChild.BATCH).verbose(0).build());
        List<Float> all = new ArrayList<>();
        model.getWeights().forEach(w -> w.scalars().forEach(s -> all.add(s.getFloat())));
        return new Reference(floats(all), h.history().get("loss"));
      }
    });
  }

  /** Each worker's {@code DSEPOCH} lines in the last {@link #trainAndCompare} run. */
  static List<List<String>> datasetEpochs;

  /** The uninterrupted two-worker run's final weights (the resume test compares with them bit for bit). */
  static float[] twoWorkers;

  /** With class weights (every worker weights its slice's samples by their labels' classes). */
  @Test
  @Order(1)
  void twoWorkers_classWeights_endWithTheWeightsOfOneProcessOverTheSameGlobalBatches(@TempDir Path dir)
      throws Exception {
    twoWorkers = trainAndCompare(dir, 2, WorkerChild.SAMPLES, false, TWO_WORKERS);
    // The same workers then fit a Dataset (WorkerChild.weightedRecords: TFRecords with sample weights, shuffled,
    // global batches of 33 cut 17/16, the last of 18 cut 9/9, validation on other records): they end with
    // identical weights, equal to one process over the same global batches.
    float[] chief = WorkerGroup.readWeights(dir.resolve("dataset-0.bin"));
    assertArrayEquals(chief, WorkerGroup.readWeights(dir.resolve("dataset-1.bin")), "dataset fit: worker 1's weights");
    List<String> epochs = datasetEpochs.get(0);
    assertEquals(epochs, datasetEpochs.get(1), "dataset fit: worker 1 logged other values");
    try (Sequential model = WorkerChild.newModel(null)) {
      History h = model.fit(WorkerChild.weightedRecords(), FitOptions.builder().epochs(EPOCHS).seed(WorkerChild.SEED)
          .validationData(WorkerChild.validationRecords()).verbose(0).build());
      List<Float> all = new ArrayList<>();
      model.getWeights().forEach(w -> w.scalars().forEach(s -> all.add(s.getFloat())));
      float[] one = floats(all);
      assertEquals(one.length, chief.length);
      double worst = 0;
      for (int i = 0; i < one.length; i++) {
        worst = Math.max(worst, Math.abs(chief[i] - one[i]));
      }
      System.out.printf("2 workers, dataset fit: max |weight - one process| = %.3g over %d weights%n", worst,
          one.length);
      assertTrue(worst <= TOLERANCE, "dataset fit: max weight difference from one process " + worst);
      assertEquals(EPOCHS, epochs.size());
      for (int e = 0; e < EPOCHS; e++) {
        String[] f = epochs.get(e).split(" ");
        assertEquals(h.history().get("loss").get(e), Double.parseDouble(f[2]), 1e-6, "dataset fit: epoch " + e
            + " loss");
        assertEquals(h.history().get("val_loss").get(e), Double.parseDouble(f[3]), 1e-6, "dataset fit: epoch " + e
            + " val_loss");
      }
    }
  }

  /**
   * With 580 samples the last global batch has 4, split 2, 1, 1: slices are weighted by their size; with sample
   * weights, each worker feeds its slice's. Each worker trains another model first in the same process, whose
   * collectives must not collide with this one's.
   */
  @Test
  @Order(2)
  void threeWorkers_sampleWeights_unevenLastBatch_afterAnotherModel_endWithTheWeightsOfOneProcess(@TempDir Path dir)
      throws Exception {
    trainAndCompare(dir, 3, WorkerChild.UNEVEN_SAMPLES, true, THREE_WORKERS);
  }

  /**
   * SIGKILL one worker mid-epoch: the chief's next all-reduce times out and it exits with TensorFlow's error within
   * the collective timeout; relaunching both resumes from the chief's BackupAndRestore backup and ends with the
   * uninterrupted run's weights, bit for bit. Only the chief's directories hold files; Python's tf.train.Checkpoint
   * restores the chief's last ModelCheckpoint (python-interop/tests/test_java_distributed.py).
   */
  @Test
  @Order(3)
  void killedWorker_failsTheOthersWithinTheTimeout_andARelaunchResumesToTheUninterruptedWeights(@TempDir Path dir)
      throws Exception {
    if (twoWorkers == null) {
      twoWorkers = trainAndCompare(dir.resolve("uninterrupted"), 2, WorkerChild.SAMPLES, false, TWO_WORKERS);
    }
    Path run = dir.resolve("run");
    int timeout = 5;
    try (WorkerGroup group = WorkerGroup.start(run, dir.resolve("logs-1"), 2, EPOCHS, timeout, 150, true,
        WorkerChild.SAMPLES, false, TWO_WORKERS)) {
      ChildJvm victim = group.workers.get(1);
      long deadline = System.currentTimeMillis() + 120_000;
      String line;
      do {
        line = victim.nextLine(deadline - System.currentTimeMillis());
        assertTrue(line != null && !line.equals(ChildJvm.EOF), "worker 1 never reached epoch 2, batch 6\n"
            + group.describe());
      } while (!line.equals("BATCH 1 5"));
      long killedAt = System.nanoTime();
      assertEquals(ChildJvm.SIGKILL_EXIT, victim.kill());
      ChildJvm chief = group.workers.get(0);
      int status = chief.awaitExit(timeout + 30);
      double seconds = (System.nanoTime() - killedAt) / 1e9;
      System.out.printf("chief exited %.1f s after worker 1's SIGKILL (collective timeout %d s)%n", seconds, timeout);
      assertEquals(3, status, group.describe());
      String failure = chief.lines().stream().filter(l -> l.startsWith("FAILED ")).findFirst().orElse("");
      // Either TensorFlow notices the dead peer's closed port (UNAVAILABLE, at once) or the collective times out.
      assertTrue(failure.contains("WorkerFailureException: MultiWorkerMirroredStrategy: worker 0 of 2 stopped at "
          + "epoch 2, batch"), failure + "\n" + group.describe());
      assertTrue(failure.contains("is unreachable") || failure.contains("did not answer within the collective "
          + "timeout of 5 s"), failure);
      assertTrue(seconds < timeout + 15, "the chief took " + seconds + " s to fail");
    }
    assertTrue(java.nio.file.Files.exists(run.resolve("backup")), "the chief left no backup");
    try (WorkerGroup group = WorkerGroup.start(run, dir.resolve("logs-2"), 2, EPOCHS, 30, 0, true,
        WorkerChild.SAMPLES, false, TWO_WORKERS)) {
      for (ChildJvm w : group.workers) {
        assertEquals(0, w.awaitExit(120), group.describe());
      }
    }
    float[] resumed = WorkerGroup.readWeights(run.resolve("final-0.bin"));
    assertArrayEquals(twoWorkers, resumed, "the resumed run's weights differ from the uninterrupted run's");
    assertArrayEquals(resumed, WorkerGroup.readWeights(run.resolve("final-1.bin")));
    assertFalse(java.nio.file.Files.exists(run.resolve("backup")), "a completed run deletes the chief's backups");
    List<String> checkpoints;
    try (var files = java.nio.file.Files.list(run.resolve("ckpt"))) {
      checkpoints = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(List.of("checkpoint", "ckpt-001.data-00000-of-00001", "ckpt-001.index",
        "ckpt-002.data-00000-of-00001", "ckpt-002.index", "ckpt-003.data-00000-of-00001", "ckpt-003.index"),
        checkpoints.stream().filter(n -> !n.startsWith(".kerasj")).toList(),
        "only the chief's checkpoints, no workertemp_1: " + checkpoints);
    DistributedInterop.export(run.resolve("ckpt"), resumed);
  }

  /**
   * A worker that hangs (SIGSTOP: its connections stay open, so TensorFlow cannot see it is gone): the chief's
   * all-reduce gives up after the collective timeout ({@code DEADLINE_EXCEEDED}) and the chief exits.
   */
  @Test
  @Order(4)
  void hungWorker_failsTheOthersAfterTheCollectiveTimeout(@TempDir Path dir) throws Exception {
    int timeout = 4;
    try (WorkerGroup group = WorkerGroup.start(dir, dir.resolve("logs"), 2, EPOCHS, timeout, 150, false)) {
      ChildJvm victim = group.workers.get(1);
      long deadline = System.currentTimeMillis() + 120_000;
      String line;
      do {
        line = victim.nextLine(deadline - System.currentTimeMillis());
        assertTrue(line != null && !line.equals(ChildJvm.EOF), "worker 1 never reached batch 4\n" + group.describe());
      } while (!line.equals("BATCH 0 3"));
      Process stop = new ProcessBuilder("kill", "-STOP", String.valueOf(victim.pid())).start();
      assertTrue(stop.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && stop.exitValue() == 0, "kill -STOP");
      long stoppedAt = System.nanoTime();
      ChildJvm chief = group.workers.get(0);
      int status = chief.awaitExit(timeout + 30);
      double seconds = (System.nanoTime() - stoppedAt) / 1e9;
      System.out.printf("chief exited %.1f s after worker 1's SIGSTOP (collective timeout %d s)%n", seconds, timeout);
      assertEquals(3, status, group.describe());
      String failure = chief.lines().stream().filter(l -> l.startsWith("FAILED ")).findFirst().orElse("");
      assertTrue(failure.contains("did not answer within the collective timeout of 4 s")
          && failure.contains("Collective has timed out"), failure + "\n" + group.describe());
      assertTrue(seconds >= timeout - 1 && seconds < timeout + 15, "the chief took " + seconds + " s to fail");
    }
  }

  private static float[] trainAndCompare(Path dir, int n, int samples, boolean modelBefore, Variant variant)
      throws Exception {
    float[] reference = reference(samples, variant).weights();
    List<Double> referenceLoss = reference(samples, variant).loss();
    try (WorkerGroup group = WorkerGroup.start(dir, dir.resolve("logs"), n, EPOCHS, TIMEOUT_SECONDS, 0, false,
        samples, modelBefore, variant)) {
      List<List<String>> epochs = new ArrayList<>();
      datasetEpochs = new ArrayList<>();
      for (ChildJvm w : group.workers) {
        assertEquals(0, w.awaitExit(120), group.describe());
        assertTrue(w.lines().contains("DONE"), group.describe());
        epochs.add(w.lines().stream().filter(l -> l.startsWith("EPOCH ")).toList());
        datasetEpochs.add(w.lines().stream().filter(l -> l.startsWith("DSEPOCH ")).toList());
      }
      float[] chief = WorkerGroup.readWeights(dir.resolve("final-0.bin"));
      for (int i = 1; i < n; i++) {
        assertArrayEquals(chief, WorkerGroup.readWeights(dir.resolve("final-" + i + ".bin")),
            "worker " + i + "'s weights differ from the chief's");
        assertEquals(epochs.get(0), epochs.get(i), "worker " + i + " logged other values than the chief");
      }
      assertEquals(reference.length, chief.length);
      double worst = 0;
      for (int i = 0; i < chief.length; i++) {
        worst = Math.max(worst, Math.abs(chief[i] - reference[i]));
      }
      System.out.printf("%d workers, %d samples, %s: max |weight - one process| = %.3g over %d weights%n", n,
          samples, variant, worst, chief.length);
      assertTrue(worst <= TOLERANCE, n + " workers: max weight difference from one process " + worst);
      assertEquals(EPOCHS, epochs.get(0).size(), group.describe());
      for (int e = 0; e < EPOCHS; e++) {
        double loss = Double.parseDouble(epochs.get(0).get(e).split(" ")[2]);
        assertEquals(referenceLoss.get(e), loss, 1e-6, "epoch " + e + " loss");
      }
      return chief;
    }
  }

  /** Relative tolerance of a replayed moving statistic (the replay sums in double, TensorFlow in float32). */
  static final double MOVING_TOLERANCE = 1e-5;

  /**
   * BatchNormalization (momentum {@value WorkerChild#BN_MOMENTUM}) after Dense(16), two workers, SGD, global batch
   * 48, unshuffled, {@value #EPOCHS} epochs (36 steps), compared with what Keras 3.15 does under
   * tf.distribute.MultiWorkerMirroredStrategy with {@code synchronized=False}: each worker normalizes with its own
   * slice's batch statistics; the gradients are the mean of the workers' (all-reduced); the moving statistics,
   * created with aggregation "none", are assigned on each worker's local copy from its own slice and never
   * all-reduced. The honest references, computed here in one process:
   * <ul>
   *   <li>trainable weights and logged loss: one process with batches of 24 (the slices) and gradient accumulation
   *       over 2 steps, which averages exactly the two slices' gradients, each from its own batch statistics;
   *   <li>worker i's moving mean and variance: replayed in Java from the Dense kernel and bias before each global
   *       step (recorded in that run) and worker i's 24 rows: {@code moving = moving * momentum + moment * (1 -
   *       momentum)} with tf.nn.moments' mean and biased variance.
   * </ul>
   * Validation (192 other digits) runs on each worker with its own moving statistics; the logged {@code val_loss} is
   * the chief's on every worker, so callbacks decide alike.
   */
  @Test
  @Order(5)
  void twoWorkers_batchNormalization_gradientsAllReduced_movingStatisticsLocalToEachWorker_asInKeras(
      @TempDir Path dir) throws Exception {
    int n = 2;
    int slice = WorkerChild.BATCH / n;
    Digits data = WorkerChild.data(WorkerChild.SAMPLES);
    List<float[]> kernels = new ArrayList<>();
    List<float[]> biases = new ArrayList<>();
    float[] reference;
    List<Double> referenceLoss;
    List<long[]> shapes = new ArrayList<>();
    try (Sequential model = WorkerChild.newBatchNormModel(null, n)) {
      dev.kerasj.callbacks.Callback record = new dev.kerasj.callbacks.Callback() {
        @Override
        public void onTrainBatchBegin(int batch, java.util.Map<String, Double> logs) {
          if (batch % n == 0) { // the weights every slice of this global step sees
            List<org.tensorflow.ndarray.FloatNdArray> w = model.getWeights();
            kernels.add(flat(w.get(0)));
            biases.add(flat(w.get(1)));
          }
        }
      };
      History h = model.fit(data.pixels(), data.labels(), WorkerChild.options(Variant.BATCH_NORM, data)
          .epochs(EPOCHS).batchSize(slice).verbose(0).callbacks(record).build());
      List<Float> all = new ArrayList<>();
      for (org.tensorflow.ndarray.FloatNdArray w : model.getWeights()) {
        shapes.add(w.shape().asArray());
        w.scalars().forEach(x -> all.add(x.getFloat()));
      }
      reference = floats(all);
      referenceLoss = h.history().get("loss");
    }
    // Keras' order: Dense kernel, bias; gamma, beta, moving_mean, moving_variance; Dense kernel, bias.
    assertEquals(8, shapes.size());
    int units = Math.toIntExact(shapes.get(1)[0]);
    int[] offsets = new int[shapes.size() + 1];
    for (int k = 0; k < shapes.size(); k++) {
      offsets[k + 1] = offsets[k] + Math.toIntExact(java.util.Arrays.stream(shapes.get(k)).reduce(1, (a, b) -> a * b));
    }
    int steps = WorkerChild.SAMPLES / WorkerChild.BATCH * EPOCHS;
    assertEquals(steps, kernels.size());

    try (WorkerGroup group = WorkerGroup.start(dir, dir.resolve("logs"), n, EPOCHS, TIMEOUT_SECONDS, 0, false,
        WorkerChild.SAMPLES, false, Variant.BATCH_NORM)) {
      List<List<String>> epochs = new ArrayList<>();
      for (ChildJvm w : group.workers) {
        assertEquals(0, w.awaitExit(120), group.describe());
        epochs.add(w.lines().stream().filter(l -> l.startsWith("EPOCH ")).toList());
      }
      // The validation logs (val_loss last on each EPOCH line) are the chief's on every worker, although each
      // worker validates with its own moving statistics: its own evaluate differs.
      assertEquals(epochs.get(0), epochs.get(1), "the workers logged different losses or validation losses");
      String[] last = epochs.get(0).get(EPOCHS - 1).split(" ");
      assertEquals(5, last.length, "no val_loss logged: " + epochs.get(0));
      double loggedVal = Double.parseDouble(last[4]);
      double[] own = new double[n];
      for (int i = 0; i < n; i++) {
        own[i] = Double.parseDouble(group.workers.get(i).lines().stream().filter(l -> l.startsWith("EVAL "))
            .findFirst().orElseThrow(() -> new AssertionError(group.describe())).substring(5));
      }
      assertEquals(own[0], loggedVal, 1e-6, "the logged val_loss is not the chief's own validation loss");
      System.out.printf("BatchNormalization, 2 workers: logged val_loss %.7f (the chief's); worker 1's own %.7f%n",
          loggedVal, own[1]);
      assertTrue(Math.abs(own[1] - own[0]) > 1e-4, "worker 1's own validation loss " + own[1]
          + " is the chief's " + own[0] + ": its moving statistics made no difference");
      for (int e = 0; e < EPOCHS; e++) {
        double loss = Double.parseDouble(epochs.get(0).get(e).split(" ")[2]);
        assertEquals(referenceLoss.get(e), loss, TOLERANCE, "epoch " + e + " loss");
      }
      float[][] workers = new float[n][];
      for (int i = 0; i < n; i++) {
        workers[i] = WorkerGroup.readWeights(dir.resolve("final-" + i + ".bin"));
        assertEquals(reference.length, workers[i].length);
      }
      double worstTrainable = 0;
      for (int k : new int[] {0, 1, 2, 3, 6, 7}) {
        float[] chief = java.util.Arrays.copyOfRange(workers[0], offsets[k], offsets[k + 1]);
        assertArrayEquals(chief, java.util.Arrays.copyOfRange(workers[1], offsets[k], offsets[k + 1]),
            "trainable weight " + k + " differs between the workers");
        for (int j = 0; j < chief.length; j++) {
          worstTrainable = Math.max(worstTrainable, Math.abs(chief[j] - reference[offsets[k] + j]));
        }
      }
      double[] worstMoving = new double[n];
      double apart = 0;
      for (int i = 0; i < n; i++) {
        float[][] moving = replayMovingStatistics(data.pixels(), kernels, biases, units, i * slice, slice);
        for (int k = 0; k < 2; k++) {
          for (int j = 0; j < units; j++) {
            float got = workers[i][offsets[4 + k] + j];
            float want = moving[k][j];
            assertEquals(want, got, MOVING_TOLERANCE * Math.max(1, Math.abs(want)),
                "worker " + i + (k == 0 ? " moving_mean[" : " moving_variance[") + j + "]");
            worstMoving[i] = Math.max(worstMoving[i], Math.abs(got - want));
            if (i == 1) {
              apart = Math.max(apart, Math.abs(got - workers[0][offsets[4 + k] + j]));
            }
          }
        }
      }
      System.out.printf("BatchNormalization, 2 workers: max |trainable - one process (accumulated slices)| = %.3g; "
          + "max |moving statistics - replay| = %.3g (worker 0), %.3g (worker 1); workers' moving statistics "
          + "differ by up to %.3g%n", worstTrainable, worstMoving[0], worstMoving[1], apart);
      assertTrue(worstTrainable <= TOLERANCE, "trainable weights differ from one process by " + worstTrainable);
      // Local statistics really are local: an all-reduced (averaged) moving mean would make the workers equal.
      assertTrue(apart > 1e-2, "the workers' moving statistics differ by only " + apart);
    }
  }

  /**
   * A worker's moving mean and variance after every recorded step: the Dense output of its rows {@code [offset,
   * offset + rows)} of each global batch (unshuffled), tf.nn.moments (mean, then the mean squared difference to
   * it), and Keras' update in float32 from zeros and ones.
   */
  private static float[][] replayMovingStatistics(float[][] x, List<float[]> kernels, List<float[]> biases, int units,
      int offset, int rows) {
    float keep = (float) WorkerChild.BN_MOMENTUM;
    float blend = (float) (1.0 - WorkerChild.BN_MOMENTUM);
    float[] mean = new float[units];
    float[] variance = new float[units];
    java.util.Arrays.fill(variance, 1f);
    int perEpoch = WorkerChild.SAMPLES / WorkerChild.BATCH;
    int inputs = x[0].length;
    for (int t = 0; t < kernels.size(); t++) {
      int first = (t % perEpoch) * WorkerChild.BATCH + offset;
      float[] kernel = kernels.get(t);
      float[] bias = biases.get(t);
      double[][] h = new double[rows][units];
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < units; j++) {
          double sum = bias[j];
          for (int k = 0; k < inputs; k++) {
            sum += (double) x[first + r][k] * kernel[k * units + j];
          }
          h[r][j] = (float) sum;
        }
      }
      for (int j = 0; j < units; j++) {
        double m = 0;
        for (int r = 0; r < rows; r++) {
          m += h[r][j];
        }
        m /= rows;
        double v = 0;
        for (int r = 0; r < rows; r++) {
          v += (h[r][j] - m) * (h[r][j] - m);
        }
        v /= rows;
        mean[j] = mean[j] * keep + (float) m * blend;
        variance[j] = variance[j] * keep + (float) v * blend;
      }
    }
    return new float[][] {mean, variance};
  }

  private static float[] flat(org.tensorflow.ndarray.FloatNdArray w) {
    List<Float> all = new ArrayList<>();
    w.scalars().forEach(x -> all.add(x.getFloat()));
    return floats(all);
  }

  private static float[] floats(List<Float> all) {
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }
}
