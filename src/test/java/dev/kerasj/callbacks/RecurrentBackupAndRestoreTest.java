package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.GRU;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.LSTM;
import dev.kerasj.layers.Masking;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.Interrupts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * {@link BackupAndRestore} with recurrent layers: a Masking -> GRU(returnSequences) -> LSTM -> Dropout -> Dense model,
 * both recurrent layers with dropout and recurrent dropout, interrupted in the middle of an epoch and resumed ends bit
 * for bit where an uninterrupted run ends (weights and history): the unrolled graph has no hidden state between
 * steps, the dropout masks are a function of (layer seed, step counter), and Adam's slots and the counter are saved.
 */
class RecurrentBackupAndRestoreTest {
  static final int SAMPLES = 40;
  static final int BATCH = 8; // 5 batches per epoch
  static final int EPOCHS = 3;
  static final int STEPS = 6;
  static final int FEATURES = 3;

  @TempDir
  Path tmp;

  static Sequential model() {
    Sequential m = new Sequential(Input.of(STEPS, FEATURES), new Masking(),
        GRU.builder(5).returnSequences(true).dropout(0.2).recurrentDropout(0.2).build(),
        LSTM.builder(4).dropout(0.1).recurrentDropout(0.3).build(), new Dropout(0.2), new Dense(3, "softmax"));
    m.setSeed(5);
    m.compile(new Adam(0.02), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** Sequences with 2..6 real steps, zero-padded at the end. */
  static float[][][] x() {
    SplittableRandom r = new SplittableRandom(9);
    float[][][] x = new float[SAMPLES][STEPS][FEATURES];
    for (float[][] row : x) {
      int real = 2 + r.nextInt(STEPS - 1);
      for (int t = 0; t < real; t++) {
        for (int j = 0; j < FEATURES; j++) {
          row[t][j] = (float) r.nextDouble(-1, 1);
        }
      }
    }
    return x;
  }

  static int[] y() {
    float[][][] x = x();
    int[] y = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      float s = 0;
      for (float[] step : x[i]) {
        s += step[0];
      }
      y[i] = s > 0.5 ? 2 : s > -0.5 ? 1 : 0;
    }
    return y;
  }

  record Result(TrainingOutcome outcome, List<float[]> weights, Map<String, List<Double>> history) {}

  Result fit(Path run, int interruptAt) throws IOException {
    try (Sequential m = model()) {
      BackupAndRestore backup = BackupAndRestore.builder(run.resolve("backup")).build();
      Callback interrupter = Interrupts.afterBatch(backup, interruptAt);
      History h = m.fit(x(), y(), FitOptions.builder().epochs(EPOCHS).batchSize(BATCH).verbose(0)
          .callbacks(interrupter, backup).build());
      List<float[]> weights = new ArrayList<>();
      for (FloatNdArray w : m.getWeights()) {
        float[] v = new float[(int) w.size()];
        w.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
        weights.add(v);
      }
      return new Result(h.outcome(), weights, h.history());
    }
  }

  @ParameterizedTest(name = "interrupted after global batch {0}")
  @ValueSource(ints = {2, 7})
  void resume_midEpoch_endsBitwiseEqualToUninterruptedRun(int batch) throws IOException {
    Result reference = fit(tmp.resolve("reference"), -1);
    assertEquals(TrainingOutcome.COMPLETED, reference.outcome());
    Path run = tmp.resolve("run");
    assertEquals(TrainingOutcome.INTERRUPTED, fit(run, batch).outcome());
    Result resumed = fit(run, -1);
    assertEquals(TrainingOutcome.COMPLETED, resumed.outcome());
    assertEquals(reference.weights().size(), resumed.weights().size());
    for (int i = 0; i < reference.weights().size(); i++) {
      assertArrayEquals(reference.weights().get(i), resumed.weights().get(i), 0f, "weight " + i + " (bitwise)");
    }
    assertEquals(reference.history(), resumed.history());
  }
}
