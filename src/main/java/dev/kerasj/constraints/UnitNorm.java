package dev.kerasj.constraints;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras' {@code UnitNorm}: {@code w / (epsilon + norms)}, unit L2 norm along {@code axis}. */
public final class UnitNorm extends Constraint {
  private final int[] axis;

  /** {@code UnitNorm(axis=0)}, Keras' default. */
  public UnitNorm() {
    this(MaxNorm.DEFAULT_AXIS);
  }

  /**
   * @param axis the axes the norms are computed over (Keras' {@code axis}: one or several)
   * @throws IllegalArgumentException for no axis
   */
  public UnitNorm(int... axis) {
    this.axis = axes(axis, "UnitNorm");
  }

  public int[] axis() {
    return axis.clone();
  }

  @Override
  public String className() {
    return "UnitNorm";
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> w) {
    return tf.math.div(w, tf.math.add(tf.constant(EPSILON), norms(tf, w, axis)));
  }

  @Override
  public String toString() {
    return "UnitNorm(axis=" + formatAxis(axis) + ")";
  }
}
