package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Any;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Masking(maskValue)}: a step whose features all equal {@code maskValue} is masked. The output is the
 * input with masked steps set to 0, and it carries the mask ({@code [batch, steps]}, true where a step is real) to
 * every downstream layer that supports masking ({@link Dense}, {@link LayerNormalization}, {@link Dropout} pass it on;
 * {@link GlobalAveragePooling1D} leaves masked steps out of its mean). Works on input of rank 3 or more; the mask
 * covers every axis but the last.
 *
 * <pre>{@code new Sequential(Input.of(10, 4), new Masking(), new Dense(8, "relu"), new GlobalAveragePooling1D())}</pre>
 */
public final class Masking extends Layer {
  /** Keras' default {@code mask_value}. */
  public static final double DEFAULT_MASK_VALUE = 0.0;

  private final double maskValue;

  /** Masks steps that are all zeros (Keras' default). */
  public Masking() {
    this(DEFAULT_MASK_VALUE, null);
  }

  public Masking(double maskValue) {
    this(maskValue, null);
  }

  public Masking(double maskValue, String name) {
    super(name, null);
    if (Double.isNaN(maskValue)) {
      throw new IllegalArgumentException("Masking expects a mask_value that compares equal to itself; NaN never "
          + "does, so it would mask nothing. Received: mask_value=NaN");
    }
    this.maskValue = maskValue;
  }

  public double maskValue() {
    return maskValue;
  }

  @Override
  public String className() {
    return "Masking";
  }

  @Override
  public String defaultNamePrefix() {
    return "masking";
  }

  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    if (inputShape.length < 2) {
      throw shapeError("expects input of rank >= 3 (batch, steps, features)", inputShape);
    }
    return inputShape;
  }

  /** Keras' {@code compute_mask}: {@code any(inputs != mask_value, axis=-1)}. */
  @Override
  public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    return real(ctx.tf(), inputs.get(0), false);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    Operand<TFloat32> x = (Operand<TFloat32>) inputs;
    // Keras' where(mask, x, 0), as a product: the step mask is not differentiable, x's gradient passes where it is 1.
    return tf.math.mul(x, tf.dtypes.cast(real(tf, x, true), TFloat32.class));
  }

  @SuppressWarnings("unchecked")
  private Operand<TBool> real(Ops tf, Operand<?> inputs, boolean keepDims) {
    Operand<TBool> differs = tf.math.notEqual((Operand<TFloat32>) inputs, tf.constant((float) maskValue));
    return tf.any(differs, tf.constant(inputShape().length), Any.keepDims(keepDims));
  }
}
