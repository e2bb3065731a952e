package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code GlobalAveragePooling1D}: the mean over steps, {@code [b, steps, c] -> [b, c]}. With a mask (from
 * {@link Masking} or an upstream layer that passes one on) masked steps are left out of the mean, as in Keras:
 * {@code sum(x * mask) / sum(mask)}. A row whose steps are all masked gives NaN, as Keras' does. The output carries
 * no mask.
 */
public final class GlobalAveragePooling1D extends Layer {
  public GlobalAveragePooling1D() {
    this(null);
  }

  public GlobalAveragePooling1D(String name) {
    super(name, null);
  }

  @Override
  public String className() {
    return "GlobalAveragePooling1D";
  }

  @Override
  public String defaultNamePrefix() {
    return "global_average_pooling1d";
  }

  /** Keras' {@code supports_masking = True}; {@link #computeMask} ends the mask here, as Keras' returns None. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    return null;
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    if (in.length != 2) {
      throw shapeError("expects input of rank 3 (batch, steps, channels)", in);
    }
    return new long[] {in[1]};
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks, boolean training) {
    Operand<TBool> mask = masks.isEmpty() ? null : masks.get(0);
    if (mask == null) {
      return call(ctx, inputs.get(0), training);
    }
    checkMask(mask.shape());
    Ops tf = ctx.tf();
    Operand<TFloat32> x = (Operand<TFloat32>) inputs.get(0);
    Operand<TFloat32> weights = tf.dtypes.cast(tf.expandDims(mask, tf.constant(2)), TFloat32.class);
    Operand<TFloat32> sum = tf.reduceSum(tf.math.mul(x, weights), tf.constant(1));
    return tf.math.div(sum, tf.reduceSum(weights, tf.constant(1)));
  }

  /** A mask must be {@code [batch, steps]} of this layer's input, as Keras' broadcast requires. */
  private void checkMask(org.tensorflow.ndarray.Shape mask) {
    long steps = inputShape()[0];
    if (mask.isUnknown() || mask.numDimensions() != 2 || (mask.size(1) >= 0 && mask.size(1) != steps)) {
      throw new IllegalArgumentException("Layer '" + name() + "' (GlobalAveragePooling1D) expects a mask of shape "
          + "(None, " + steps + "), one value per step of its input " + formatShape(inputShape()) + ". Received: "
          + "mask shape " + mask);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return ctx.tf().math.mean((Operand<TFloat32>) inputs, ctx.tf().constant(1));
  }
}
