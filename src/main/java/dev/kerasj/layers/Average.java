package dev.kerasj.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Average}: the element-wise mean of its inputs. Weightless; call it on a list: {@code new Average().apply(a, b)}. */
public final class Average extends Merge {
  public Average() {
    this(null);
  }

  public Average(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Average";
  }

  @Override
  public String defaultNamePrefix() {
    return "average";
  }

  @Override
  protected Operand<TFloat32> merge(Ops tf, Operand<TFloat32> left, Operand<TFloat32> right) {
    return tf.math.add(left, right);
  }

  @Override
  protected Operand<TFloat32> finish(Ops tf, Operand<TFloat32> merged, int inputs) {
    return tf.math.div(merged, tf.constant((float) inputs));
  }
}
