package dev.kerasj.regularizers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code L1L2}: {@code l1 * reduce_sum(abs(x)) + l2 * reduce_sum(square(x))}; a zero factor's term is left
 * out, as in Keras.
 */
public final class L1L2 extends Regularizer {
  private final double l1;
  private final double l2;

  /**
   * Keras' {@code L1L2(l1, l2)} (its constructor defaults both to 0).
   *
   * @throws IllegalArgumentException for a negative, infinite or NaN factor, as Keras does
   */
  public L1L2(double l1, double l2) {
    this.l1 = validateFactor(l1, "l1");
    this.l2 = validateFactor(l2, "l2");
  }

  public double l1() {
    return l1;
  }

  public double l2() {
    return l2;
  }

  @Override
  public String className() {
    return "L1L2";
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> penalty = tf.constant(0f);
    if (l1 != 0) {
      penalty = tf.math.add(penalty, l1Term(tf, l1, x));
    }
    if (l2 != 0) {
      penalty = tf.math.add(penalty, l2Term(tf, l2, x));
    }
    return penalty;
  }

  @Override
  public String toString() {
    return "L1L2(l1=" + l1 + ", l2=" + l2 + ")";
  }
}
