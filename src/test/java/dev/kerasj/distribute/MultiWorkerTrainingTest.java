package dev.kerasj.distribute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.History;
import dev.kerasj.examples.Digits;
import dev.kerasj.reliability.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two and three worker JVMs on 127.0.0.1 train the digits MLP with {@link MultiWorkerMirroredStrategy} over
 * TensorFlow's gRPC servers and {@code CollectiveReduceV2}; every worker ends with the same weights, bit for bit, and
 * those equal a single-process run over the same global batches within {@value #TOLERANCE} (not bitwise: one process
 * sums a batch's gradient inside one MatMul, the group sums per-slice gradients, a different order of float
 * additions).
 */
class MultiWorkerTrainingTest {
  static final int EPOCHS = 3;
  /** Largest absolute difference allowed between a group's final weights and one process's. */
  static final double TOLERANCE = 1e-6;
  static final int TIMEOUT_SECONDS = 30;

  static float[] reference;
  static List<Double> referenceLoss;

  @BeforeAll
  static void trainInOneProcess() {
    Digits data = WorkerChild.data();
    try (Sequential model = WorkerChild.newModel(null)) {
      History h = model.fit(data.pixels(), data.labels(), FitOptions.builder().epochs(EPOCHS)
          .batchSize(WorkerChild.BATCH).verbose(0).build());
      referenceLoss = h.history().get("loss");
      List<Float> all = new ArrayList<>();
      model.getWeights().forEach(w -> w.scalars().forEach(s -> all.add(s.getFloat())));
      reference = new float[all.size()];
      for (int i = 0; i < reference.length; i++) {
        reference[i] = all.get(i);
      }
    }
  }

  @Test
  void twoWorkers_endWithTheWeightsOfOneProcessOverTheSameGlobalBatches(@TempDir Path dir) throws Exception {
    trainAndCompare(dir, 2);
  }

  @Test
  void threeWorkers_endWithTheWeightsOfOneProcessOverTheSameGlobalBatches(@TempDir Path dir) throws Exception {
    trainAndCompare(dir, 3);
  }

  private static void trainAndCompare(Path dir, int n) throws Exception {
    try (WorkerGroup group = WorkerGroup.start(dir, dir.resolve("logs"), n, EPOCHS, TIMEOUT_SECONDS, 0, false)) {
      List<List<String>> epochs = new ArrayList<>();
      for (ChildJvm w : group.workers) {
        assertEquals(0, w.awaitExit(120), group.describe());
        assertTrue(w.lines().contains("DONE"), group.describe());
        epochs.add(w.lines().stream().filter(l -> l.startsWith("EPOCH ")).toList());
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
      System.out.printf("%d workers: max |weight - one process| = %.3g over %d weights%n", n, worst, chief.length);
      assertTrue(worst <= TOLERANCE, n + " workers: max weight difference from one process " + worst);
      assertEquals(EPOCHS, epochs.get(0).size(), group.describe());
      for (int e = 0; e < EPOCHS; e++) {
        double loss = Double.parseDouble(epochs.get(0).get(e).split(" ")[2]);
        assertEquals(referenceLoss.get(e), loss, 1e-6, "epoch " + e + " loss");
      }
    }
  }
}
