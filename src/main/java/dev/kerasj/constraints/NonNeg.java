package dev.kerasj.constraints;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras' {@code NonNeg}: {@code maximum(w, 0)}. */
public final class NonNeg extends Constraint {
  @Override
  public String className() {
    return "NonNeg";
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> w) {
    return tf.math.maximum(w, tf.constant(0f));
  }

  @Override
  public String toString() {
    return "NonNeg()";
  }
}
