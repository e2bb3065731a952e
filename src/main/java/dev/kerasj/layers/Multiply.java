package dev.kerasj.layers;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Keras {@code Multiply}: the element-wise product of its inputs. Weightless; call it on a list: {@code new Multiply().apply(a, b)}. */
public final class Multiply extends Merge {
  public Multiply() {
    this(null);
  }

  public Multiply(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Multiply";
  }

  @Override
  public String defaultNamePrefix() {
    return "multiply";
  }

  @Override
  protected Operand<TFloat32> merge(Ops tf, Operand<TFloat32> left, Operand<TFloat32> right) {
    return tf.math.mul(left, right);
  }

  /**
   * Keras' masked {@code Multiply}: a masked value counts as 1; when every input carries a mask, a value masked in
   * all of them is 0 in the output.
   */
  @Override
  @SuppressWarnings("unchecked")
  protected Operand<?> callMasked(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    Ops tf = ctx.tf();
    boolean everyInputMasked = masks.stream().allMatch(Objects::nonNull);
    Operand<TFloat32> output = null;
    Operand<TBool> outputMask = null;
    for (int i = 0; i < inputs.size(); i++) {
      Operand<TFloat32> x = (Operand<TFloat32>) inputs.get(i);
      Operand<TBool> mask = overLastAxis(tf, masks.get(i), x);
      if (mask != null) {
        // where(mask, x, 1) as x * m + (1 - m): equal for finite x, and TF has no C++ gradient for OnesLike.
        Operand<TFloat32> m = tf.dtypes.cast(mask, TFloat32.class);
        x = tf.math.add(tf.math.mul(x, m), tf.math.sub(tf.constant(1f), m));
        if (everyInputMasked) {
          outputMask = outputMask == null ? mask : tf.math.logicalOr(outputMask, mask);
        }
      }
      output = output == null ? x : tf.math.mul(output, x);
    }
    return everyInputMasked ? tf.math.mul(output, tf.dtypes.cast(outputMask, TFloat32.class)) : output;
  }
}
