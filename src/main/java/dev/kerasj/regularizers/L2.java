package dev.kerasj.regularizers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras' {@code L2}: {@code l2 * reduce_sum(square(x))}. */
public final class L2 extends Regularizer {
  /** Keras' default factor, {@code l2=0.01}. */
  public static final double DEFAULT_L2 = 0.01;
  private final double l2;

  /** {@code L2(0.01)}, Keras' default (the string identifier {@code "l2"}). */
  public L2() {
    this(DEFAULT_L2);
  }

  /**
   * @param l2 the factor, finite and non-negative
   * @throws IllegalArgumentException for a negative, infinite or NaN factor, as Keras does
   */
  public L2(double l2) {
    this.l2 = validateFactor(l2, "l2");
  }

  public double l2() {
    return l2;
  }

  @Override
  public String className() {
    return "L2";
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x) {
    return l2Term(tf, l2, x);
  }

  @Override
  public String toString() {
    return "L2(l2=" + l2 + ")";
  }
}
