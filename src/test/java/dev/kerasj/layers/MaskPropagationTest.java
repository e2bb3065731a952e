package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Model;
import dev.kerasj.initializers.Constant;
import dev.kerasj.testing.LogCapture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The mask contract of {@link Layer} as Keras 3 runs it: a layer that makes a mask, layers that support masking pass
 * it on (Dense, Activation, Dropout, BatchNormalization), a layer that reads it receives it, and a layer that does not
 * support masking stops it with Keras' warning.
 */
class MaskPropagationTest {
  /** Masks out the samples (rows) whose first feature is 0, like Keras' {@code Masking(mask_value=0)} on rows. */
  static final class RowMask extends Layer {
    RowMask() {
      super(null, null);
    }

    @Override
    public String className() {
      return "RowMask";
    }

    @Override
    public String defaultNamePrefix() {
      return "row_mask";
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
    @SuppressWarnings("unchecked")
    public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
      Ops tf = ctx.tf();
      Operand<TFloat32> first = tf.gather((Operand<TFloat32>) inputs.get(0), tf.constant(0), tf.constant(1));
      return tf.math.notEqual(first, tf.constant(0f));
    }
  }

  /**
   * Zeroes the masked rows: proves the mask reached it. It consumes the mask the way Keras' mask-reading layers do
   * (supports masking, passes none on), so it stops the mask without a warning.
   */
  static final class ZeroMasked extends Layer {
    ZeroMasked() {
      super(null, null);
    }

    @Override
    public String className() {
      return "ZeroMasked";
    }

    @Override
    public String defaultNamePrefix() {
      return "zero_masked";
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
      return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks, boolean training) {
      Ops tf = ctx.tf();
      Operand<TFloat32> x = (Operand<TFloat32>) inputs.get(0);
      if (masks.get(0) == null) {
        return x;
      }
      Operand<TFloat32> keep = tf.expandDims(tf.dtypes.cast(masks.get(0), TFloat32.class), tf.constant(-1));
      return tf.math.mul(x, keep);
    }
  }

  static float[][] rows() {
    return new float[][] {{1, 2}, {0, 5}, {3, 1}};
  }

  static Dense ones() {
    return Dense.builder(2).kernelInitializer(Constant.ones()).build();
  }

  @Test
  void mask_passesThroughLayersThatSupportIt_andReachesTheLayerThatReadsIt() {
    KerasTensor x = Input.tensor("x", 2);
    KerasTensor h = new Activation("linear").apply(ones().apply(new RowMask().apply(x)));
    try (LogCapture logs = LogCapture.start(); Model m = new Model(x, new ZeroMasked().apply(h))) {
      float[] out = new float[6];
      m.predict(rows()).copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
      assertArrayEquals(new float[] {3, 3, 0, 0, 4, 4}, out, 0f, "row 1 (first feature 0) is masked out");
      assertEquals(List.of(), logs.messages(Level.WARN, dev.kerasj.internal.Network.class));
    }
  }

  @Test
  void mask_stopsAtALayerWithoutMaskingSupport_withKerasWarning() {
    KerasTensor x = Input.tensor("x", 2);
    KerasTensor h = new Flatten().apply(new RowMask().apply(x)); // Keras' Flatten does not support masking
    try (LogCapture logs = LogCapture.start();
        Model m = new Model(x, new ZeroMasked().apply(h))) {
      float[] out = new float[6];
      m.predict(rows()).copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
      assertArrayEquals(new float[] {1, 2, 0, 5, 3, 1}, out, 0f, "no mask reaches ZeroMasked");
      List<String> warnings = logs.messages(Level.WARN, dev.kerasj.internal.Network.class);
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("'flatten' (of type Flatten)") && warnings.get(0).contains("destroy the mask"),
          warnings.get(0));
    }
  }
}
