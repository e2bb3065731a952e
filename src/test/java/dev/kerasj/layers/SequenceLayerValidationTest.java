package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Model;
import dev.kerasj.Sequential;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;

/** Shapes, weights and Keras-style argument errors of the sequence layers. */
class SequenceLayerValidationTest {
  private static void assertMessage(IllegalArgumentException e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
    }
  }

  @Test
  void conv1d_kernelSizeZero_isRefusedWithTheValueReceived() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new Conv1D(4, 0)), "kernel_size=0",
        "positive");
  }

  @Test
  void conv1d_unknownPadding_namesTheThreeAllowed() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> Conv1D.builder(4, 3).padding("full")),
        "padding=full", "\"valid\", \"same\" or \"causal\"");
  }

  @Test
  void conv1d_stridesWithDilation_isRefused() {
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> Conv1D.builder(4, 3).strides(2).dilationRate(2).build()), "strides=2", "dilation_rate=2");
  }

  @Test
  void pooling1d_causalPadding_isRefused() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new MaxPooling1D(2, null, "causal", null)),
        "padding=causal", "\"valid\" or \"same\"");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new AveragePooling1D(2, null, "causal", null)),
        "padding=causal");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new AveragePooling1D(0)), "pool_size=0");
  }

  @Test
  void layerNormalization_otherAxisOrEpsilon_isRefused() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> LayerNormalization.builder().axis(1).build()),
        "axis=1", "axis=-1");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> LayerNormalization.builder().epsilon(0).build()), "epsilon=0.0");
  }

  @Test
  void masking_nanMaskValue_isRefused() {
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new Masking(Double.NaN)), "mask_value=NaN");
  }

  @Test
  void sequenceLayers_onImages_refuseTheRankWithTheShapeReceived() {
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new Sequential(Input.of(8, 8, 1), new Conv1D(4, 3))), "rank 3", "(None, 8, 8, 1)");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new Sequential(Input.of(8, 8, 1), new GlobalAveragePooling1D())), "rank 3", "(None, 8, 8, 1)");
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new Sequential(Input.of(8, 8), new GlobalMaxPooling2D())), "rank 4", "(None, 8, 8)");
    assertMessage(assertThrows(IllegalArgumentException.class, () -> new Sequential(Input.of(8), new Masking())),
        "rank >= 3", "(None, 8)");
  }

  @Test
  void conv1d_tooShortForTheDilatedKernel_isRefused() {
    assertMessage(assertThrows(IllegalArgumentException.class,
        () -> new Sequential(Input.of(4, 2), Conv1D.builder(3, 3).dilationRate(2).build())), "dilation_rate 2",
        "(None, 4, 2)");
  }

  @Test
  void outputShapes_andWeights_followKeras() {
    try (Sequential m = new Sequential(Input.of(10, 3),
        Conv1D.builder(4, 3).padding("causal").dilationRate(3).build(),
        Conv1D.builder(5, 2).strides(3).padding("same").build(), new MaxPooling1D(2, 1, "valid", null),
        new LayerNormalization(), new GlobalMaxPooling1D())) {
      assertArrayEquals(new long[] {10, 4}, m.layers().get(0).outputShape());
      assertArrayEquals(new long[] {4, 5}, m.layers().get(1).outputShape());
      assertArrayEquals(new long[] {3, 5}, m.layers().get(2).outputShape());
      assertArrayEquals(new long[] {5}, m.layers().get(4).outputShape());
      assertEquals(List.of("conv1d/kernel", "conv1d/bias", "conv1d_1/kernel", "conv1d_1/bias",
          "layer_normalization/gamma", "layer_normalization/beta"),
          m.weights().stream().map(Weight::path).toList());
      assertArrayEquals(new long[] {3, 3, 4}, m.weights().get(0).shape());
    }
  }

  /** A two-tap, all-ones causal kernel of dilation {@code d} gives {@code y[t] = x[t - d] + x[t]}, 0 before the start. */
  @org.junit.jupiter.params.ParameterizedTest(name = "dilation {0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3})
  void conv1d_causal_stepSeesOnlyItselfAndThePast(int dilation) {
    try (Sequential m = new Sequential(Input.of(5, 1),
        Conv1D.builder(1, 2).padding("causal").dilationRate(dilation).useBias(false).build())) {
      m.setWeights(List.of(dev.kerasj.internal.HostArray.ofFloats(new long[] {2, 1, 1}, new float[] {1, 1})));
      float[] x = {1, 2, 3, 4, 5};
      float[] want = new float[5];
      for (int t = 0; t < 5; t++) {
        want[t] = x[t] + (t >= dilation ? x[t - dilation] : 0);
      }
      org.tensorflow.ndarray.FloatNdArray y = m.predict(dev.kerasj.internal.HostArray.ofFloats(new long[] {1, 5, 1},
          x));
      float[] got = new float[5];
      for (int t = 0; t < 5; t++) {
        got[t] = y.getFloat(0, t, 0);
      }
      assertArrayEquals(want, got, 0f);
    }
  }

  /**
   * A merge layer passes its inputs' mask on (Keras 3.15's Merge.compute_mask), so GlobalAveragePooling1D after it
   * averages the 2 real steps only: (x + x) over steps 0..1 of [[1, 2], [3, 4], 0, 0, 0] is [4, 6]; with the mask
   * dropped it would be [1.6, 2.4].
   */
  @Test
  void mergeLayer_onMaskedInputs_passesTheMaskOn() {
    KerasTensor x = Input.tensor(5, 2);
    KerasTensor masked = new Masking().apply(x);
    KerasTensor sum = new Add().apply(List.of(masked, masked));
    try (Model m = new Model(x, new GlobalAveragePooling1D().apply(sum))) {
      float[] values = new float[10];
      values[0] = 1;
      values[1] = 2;
      values[2] = 3;
      values[3] = 4;
      org.tensorflow.ndarray.FloatNdArray out =
          m.predict(dev.kerasj.internal.HostArray.ofFloats(new long[] {1, 5, 2}, values));
      org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {4f, 6f},
          new float[] {out.getFloat(0, 0), out.getFloat(0, 1)}, 0f);
    }
  }

  /** A test layer that passes on a mask of the wrong length: one value per step of a 3-step sequence. */
  static final class WrongMask extends Layer {
    WrongMask() {
      super(null, null);
    }

    @Override
    public String className() {
      return "WrongMask";
    }

    @Override
    public String defaultNamePrefix() {
      return "wrong_mask";
    }

    @Override
    public long[] computeOutputShape(long[] inputShape) {
      return inputShape;
    }

    @Override
    public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
      return inputs;
    }

    @Override
    public boolean supportsMasking() {
      return true;
    }

    @Override
    public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
      return ctx.tf().constant(new boolean[][] {{true, true, false}});
    }
  }

  @Test
  void globalAveragePooling1D_maskOfAnotherLength_isRefusedWithBothShapes() {
    KerasTensor x = Input.tensor(5, 2);
    Model m = new Model(x, new GlobalAveragePooling1D().apply(new WrongMask().apply(x)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
      try (m) {
        m.predict(new float[][][] {{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}}});
      }
    });
    assertMessage(e, "(None, 5)", "mask shape [1, 3]", "(None, 5, 2)");
  }
}
