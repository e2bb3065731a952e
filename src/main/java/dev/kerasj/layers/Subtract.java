package dev.kerasj.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Subtract}: its first input minus its second (exactly two). Weightless; call it on a list: {@code new Subtract().apply(a, b)}. */
public final class Subtract extends Merge {
  public Subtract() {
    this(null);
  }

  public Subtract(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Subtract";
  }

  @Override
  public String defaultNamePrefix() {
    return "subtract";
  }

  @Override
  protected Operand<TFloat32> merge(Ops tf, Operand<TFloat32> left, Operand<TFloat32> right) {
    return tf.math.sub(left, right);
  }

  @Override
  protected int maxInputs() {
    return 2;
  }
}
