package dev.kerasj.regularizers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code L1}: {@code l1 * reduce_sum(abs(x))}.
 *
 * <p>Keras 3.15 keeps {@code l1} as a float32 tensor, so its config holds the float32 value widened to double
 * ({@code L1(0.01)} is saved as {@code 0.009999999776482582}); {@link #l1()} returns that value too, and the penalty
 * is the same.
 */
public final class L1 extends Regularizer {
  /** Keras' default factor, {@code l1=0.01}. */
  public static final double DEFAULT_L1 = 0.01;
  private final double l1;

  /** {@code L1(0.01)}, Keras' default (the string identifier {@code "l1"}). */
  public L1() {
    this(DEFAULT_L1);
  }

  /**
   * @param l1 the factor, finite and non-negative
   * @throws IllegalArgumentException for a negative, infinite or NaN factor, as Keras does
   */
  public L1(double l1) {
    this.l1 = (float) validateFactor(l1, "l1");
  }

  /** The factor, as Keras holds it: rounded to float32. */
  public double l1() {
    return l1;
  }

  @Override
  public String className() {
    return "L1";
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x) {
    return l1Term(tf, l1, x);
  }

  @Override
  public String toString() {
    return "L1(l1=" + l1 + ")";
  }
}
