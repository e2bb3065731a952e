package dev.kerasj.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
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
}
