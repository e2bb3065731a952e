package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.optimizers.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Recurrent dropout, checked in distribution (kerasj's random stream is not Keras'): a linear SimpleRNN with identity
 * kernels on inputs of ones makes the training loss (MSE against 0, one batch of every sample, so the loss is computed before any update) a closed-form
 * function of how the masks are drawn. Keras draws one mask per sequence, kept for every step; per-step masks, or no
 * dropout, give other values far outside the tolerance (about 8 standard errors).
 */
class RecurrentDropoutTest {
  static final int STEPS = 8;
  static final int UNITS = 4;
  static final int SAMPLES = 4096;

  private static float[][] identity() {
    float[][] m = new float[UNITS][UNITS];
    for (int i = 0; i < UNITS; i++) {
      m[i][i] = 1f;
    }
    return m;
  }

  /** The first epoch's training loss of a linear SimpleRNN(identity, identity) on ones, one batch. */
  private static double trainingLoss(SimpleRNN rnn, float[][] recurrentKernel) {
    try (Sequential m = new Sequential(Input.of(STEPS, UNITS), rnn)) {
      m.setSeed(17);
      m.compile(new SGD(1e-9), new MeanSquaredError());
      m.setWeights(List.of(identity(), recurrentKernel));
      float[][][] x = new float[SAMPLES][STEPS][UNITS];
      for (float[][] row : x) {
        for (float[] step : row) {
          java.util.Arrays.fill(step, 1f);
        }
      }
      float[][] y = new float[SAMPLES][UNITS];
      return m.fit(x, y, FitOptions.builder().epochs(1).batchSize(SAMPLES).shuffle(false).verbose(0).build())
          .history().get("loss").get(0);
    }
  }

  private static SimpleRNN.Builder linear() {
    return SimpleRNN.builder(UNITS).activation("linear").useBias(false);
  }

  @Test
  void inputDropout_oneMaskPerSequence_keptForEveryStep() {
    // h_T = sum_t x_t * m: with one mask m in {0, 2}, E[h^2] = 64 * E[m^2] = 128 (per-step masks: 72; none: 64).
    double loss = trainingLoss(linear().dropout(0.5).build(), new float[UNITS][UNITS]);
    double sum = trainingLoss(linear().dropout(0.5).build(), identity());
    assertEquals(2.0, loss, 0.2, "no recurrence: E[(x m)^2] = E[m^2] = 2");
    assertEquals(128.0, sum, 8.0, "identity recurrence sums the same mask over 8 steps");
  }

  @Test
  void recurrentDropout_oneMaskPerSequence_keptForEveryStep() {
    // h_t = 1 + r * h_{t-1} with one r in {0, 2} per unit: h_T = 1 or 2^8 - 1 = 255, E[h^2] = (1 + 65025) / 2.
    double loss = trainingLoss(linear().recurrentDropout(0.5).build(), identity());
    assertEquals(32513.0, loss, 1500.0);
  }

  @Test
  void dropoutRate_outsideZeroToOne_isRefusedLikeKeras() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LSTM.builder(2).dropout(1.0)
        .build());
    assertTrue(e.getMessage().contains("`dropout`") && e.getMessage().contains("dropout=1.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GRU.builder(2).recurrentDropout(-0.1).build());
    assertTrue(e.getMessage().contains("recurrent_dropout=-0.1"), e.getMessage());
  }

  @Test
  void dropout_isOffAtInference() {
    try (Sequential m = new Sequential(Input.of(STEPS, UNITS), linear().dropout(0.5).recurrentDropout(0.5).build())) {
      m.setWeights(List.of(identity(), identity()));
      float[][][] x = new float[1][STEPS][UNITS];
      for (float[] step : x[0]) {
        java.util.Arrays.fill(step, 1f);
      }
      float[] out = new float[UNITS];
      m.predict(x).copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
      for (float v : out) {
        assertEquals(8f, v, 0f);
      }
    }
  }
}
