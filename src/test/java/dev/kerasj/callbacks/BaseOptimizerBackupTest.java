package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.Interrupts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * Runs with Keras' base-optimizer state, interrupted inside an epoch and resumed from their {@link BackupAndRestore}
 * backup, end bitwise equal to the uninterrupted run. With {@code useEma} (overwriting the weights every 5 steps) the
 * averages are optimizer variables that travel with the backup, and the end-of-fit overwrite (Keras'
 * {@code finalize_variable_values}) is left to the run that finishes. With {@code gradientAccumulationSteps(3)} and 8
 * steps per epoch the interruptions fall with gradients accumulated but not yet applied.
 */
class BaseOptimizerBackupTest {
  @TempDir
  Path tmp;

  record Run(TrainingOutcome outcome, List<float[]> weights, Map<String, List<Double>> history) {}

  Run fit(Path dir, int interruptAt, boolean ema) {
    return fit(dir, interruptAt,
        Adam.builder().learningRate(0.02).useEma(ema).emaMomentum(0.9).emaOverwriteFrequency(5).build());
  }

  Run fit(Path dir, int interruptAt, dev.kerasj.optimizers.Optimizer optimizer) {
    try (Sequential m = new Sequential(Input.of(4), new Dense(8, "relu"), new Dense(3, "softmax"))) {
      m.setSeed(17);
      m.compile(optimizer, "categorical_crossentropy", "accuracy");
      BackupAndRestore backup = BackupAndRestore.builder(dir.resolve("backup")).build();
      Callback interrupter = Interrupts.afterBatch(backup, interruptAt);
      History h = m.fit(StatefulMetricBackupTest.x(), StatefulMetricBackupTest.y(), FitOptions.builder()
          .epochs(StatefulMetricBackupTest.EPOCHS).batchSize(StatefulMetricBackupTest.BATCH).verbose(0)
          .callbacks(interrupter, backup).build());
      List<float[]> weights = new ArrayList<>();
      for (FloatNdArray w : m.getWeights()) {
        float[] v = new float[(int) w.size()];
        w.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
        weights.add(v);
      }
      return new Run(h.outcome(), weights, h.history());
    }
  }

  @ParameterizedTest(name = "interrupted after global batch {0}")
  @ValueSource(ints = {2, 11})
  void resume_insideAnEpoch_withEma_endsBitwiseEqualToUninterruptedRun(int at) {
    Run reference = fit(tmp.resolve("reference"), -1, true);
    assertEquals(TrainingOutcome.COMPLETED, reference.outcome());
    Path run = tmp.resolve("run");
    assertEquals(TrainingOutcome.INTERRUPTED, fit(run, at, true).outcome());
    Run resumed = fit(run, -1, true);
    assertEquals(TrainingOutcome.COMPLETED, resumed.outcome());
    for (int i = 0; i < reference.weights().size(); i++) {
      assertArrayEquals(reference.weights().get(i), resumed.weights().get(i), 0f, "weight " + i + " (bitwise)");
    }
    assertEquals(reference.history(), resumed.history());
    // The averages change the run: without them the same training ends elsewhere.
    Run plain = fit(tmp.resolve("plain"), -1, false);
    assertFalse(Arrays.equals(plain.weights().get(0), reference.weights().get(0)), "EMA made no difference");
  }

  @ParameterizedTest(name = "interrupted after global batch {0}")
  @ValueSource(ints = {4, 9})
  void resume_midAccumulation_endsBitwiseEqualToUninterruptedRun(int at) {
    java.util.function.Supplier<dev.kerasj.optimizers.Optimizer> adam =
        () -> Adam.builder().learningRate(0.02).gradientAccumulationSteps(3).build();
    Run reference = fit(tmp.resolve("reference"), -1, adam.get());
    assertEquals(TrainingOutcome.COMPLETED, reference.outcome());
    Path run = tmp.resolve("run");
    assertEquals(TrainingOutcome.INTERRUPTED, fit(run, at, adam.get()).outcome());
    Run resumed = fit(run, -1, adam.get());
    assertEquals(TrainingOutcome.COMPLETED, resumed.outcome());
    for (int i = 0; i < reference.weights().size(); i++) {
      assertArrayEquals(reference.weights().get(i), resumed.weights().get(i), 0f, "weight " + i + " (bitwise)");
    }
    assertEquals(reference.history(), resumed.history());
    Run plain = fit(tmp.resolve("plain"), -1, Adam.builder().learningRate(0.02).build());
    assertFalse(Arrays.equals(plain.weights().get(0), reference.weights().get(0)), "accumulation made no difference");
  }
}
