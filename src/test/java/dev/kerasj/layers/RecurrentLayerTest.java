package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.initializers.Orthogonal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shapes, weights, defaults and Keras-style argument errors of SimpleRNN, LSTM and GRU; the Orthogonal initializer. */
class RecurrentLayerTest {
  private static void assertMessage(Exception e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  private static void assertWeights(Layer layer, long[]... shapes) {
    List<Layer.WeightShape> ws = layer.weightShapes(new long[] {8, 3});
    assertEquals(List.of("kernel", "recurrent_kernel", "bias"), ws.stream().map(Layer.WeightShape::name).toList());
    for (int i = 0; i < shapes.length; i++) {
      assertArrayEquals(shapes[i], ws.get(i).shape(), ws.get(i).name());
    }
  }

  @Test
  void weights_haveKerasNamesAndFusedGateShapes() {
    assertWeights(new SimpleRNN(4), new long[] {3, 4}, new long[] {4, 4}, new long[] {4});
    assertWeights(new LSTM(4), new long[] {3, 16}, new long[] {4, 16}, new long[] {16});
    assertWeights(new GRU(4), new long[] {3, 12}, new long[] {4, 12}, new long[] {2, 12});
  }

  @Test
  void outputShape_lastStepOrEveryStep() {
    assertArrayEquals(new long[] {5}, new LSTM(5).computeOutputShape(new long[] {8, 3}));
    assertArrayEquals(new long[] {8, 5},
        GRU.builder(5).returnSequences(true).build().computeOutputShape(new long[] {8, 3}));
  }

  @Test
  void defaults_areKeras() {
    LSTM l = new LSTM(2);
    assertEquals("tanh", l.activation().kerasName());
    assertEquals("sigmoid", l.recurrentActivation().kerasName());
    assertTrue(l.useBias() && l.unitForgetBias());
    assertEquals("glorot_uniform", l.kernelInitializer().name());
    assertEquals("orthogonal", l.recurrentInitializer().name());
    assertEquals("zeros", l.biasInitializer().name());
    assertEquals("lstm_cell", l.cellName());
    assertEquals("gru_cell", new GRU(2).cellName());
    assertEquals("simple_rnn_cell", new SimpleRNN(2).cellName());
  }

  @Test
  void lstm_unitForgetBias_startsTheForgetGateBiasAtOne() {
    try (Sequential m = new Sequential(Input.of(4, 2), new LSTM(3))) {
      m.build();
      float[] bias = new float[12];
      m.getWeights().get(2).copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(bias, false, false));
      assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}, bias, 0f);
      assertEquals(4 * 3 * (2 + 3 + 1), m.countParams(), "Keras' LSTM parameter count");
    }
  }

  @Test
  void nonPositiveUnits_isRefusedWithTheValueReceived() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new LSTM(0)), "units", "got 0");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> GRU.builder(-2).build()), "units", "got -2");
  }

  @Test
  void unknownActivation_namesTheIdentifier() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> LSTM.builder(2).recurrentActivation("bogus")),
        "'bogus'");
  }

  @Test
  void gruResetAfterFalse_isRefused() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> GRU.builder(2).resetAfter(false)),
        "reset_after=False");
  }

  @Test
  void inputWithoutTimeAxis_isRefusedNamingTheShape() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new Sequential(Input.of(8), new LSTM(2))),
        "rank 3", "(None, 8)");
  }

  @Test
  void orthogonal_columnsOrRowsAreOrthonormalTimesGain() {
    for (long[] shape : new long[][] {{5, 3}, {3, 5}, {4, 4}}) {
      float[] w = new Orthogonal(2.0, 1L).generate(shape, 0);
      int rows = (int) shape[0];
      int cols = (int) shape[1];
      boolean tall = rows >= cols;
      int k = Math.min(rows, cols);
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          double dot = 0;
          for (int i = 0; i < Math.max(rows, cols); i++) {
            dot += tall ? w[i * cols + a] * w[i * cols + b] : w[a * cols + i] * w[b * cols + i];
          }
          assertEquals(a == b ? 4.0 : 0.0, dot, 1e-5, java.util.Arrays.toString(shape) + " " + a + "," + b);
        }
      }
    }
  }

  @Test
  void orthogonal_ofAVector_isRefusedLikeKeras() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new Orthogonal().generate(new long[] {4}, 0)),
        "at least two-dimensional", "[4]");
  }

  @Test
  void bidirectional_copiesTheLayerForwardAndBackward_likeKeras() {
    Bidirectional b = new Bidirectional(LSTM.builder(3).returnSequences(true).build());
    assertEquals("forward_lstm", b.forwardLayer().name());
    assertEquals("backward_lstm", b.backwardLayer().name());
    assertTrue(b.backwardLayer().goBackwards() && !b.forwardLayer().goBackwards());
    assertTrue(b.forwardLayer().zeroOutputForMask() && b.backwardLayer().zeroOutputForMask(),
        "Keras forces zero_output_for_mask = return_sequences");
    assertArrayEquals(new long[] {8, 6}, b.computeOutputShape(new long[] {8, 3}), "concat doubles the units");
    assertArrayEquals(new long[] {3}, new Bidirectional(new GRU(3), "ave").computeOutputShape(new long[] {8, 3}));
  }

  @Test
  void bidirectional_badMergeModeOrBackwardLayer_isRefusedLikeKeras() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new Bidirectional(new LSTM(2), "max")),
        "Invalid merge mode. Received: max");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new Bidirectional(LSTM.builder(2).goBackwards(true).build())), "different `go_backwards`");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new Bidirectional(new LSTM(2), "sum", null, LSTM.builder(3).goBackwards(true).build())),
        "same units", "2 and 3");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new Bidirectional(null)), "Received: null");
  }

  @Test
  void bidirectional_setTrainableFalse_freezesBothLayers() {
    Bidirectional b = new Bidirectional(new LSTM(2));
    try (Sequential m = new Sequential(Input.of(5, 3), b, new Dense(1))) {
      b.setTrainable(false);
      m.build();
      assertTrue(!b.forwardLayer().trainable() && !b.backwardLayer().trainable());
      assertTrue(b.weights().stream().noneMatch(Weight::trainable), "every Bidirectional weight is frozen");
      assertEquals(6, b.weights().size());
      assertEquals(2 * 4 * 2 * (3 + 2 + 1), b.countParams(), "Keras' parameter count of Bidirectional(LSTM(2))");
    }
  }
}
