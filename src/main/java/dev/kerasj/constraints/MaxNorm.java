package dev.kerasj.constraints;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code MaxNorm}: rescales each slice of the weight along {@code axis} whose L2 norm exceeds
 * {@code maxValue} to norm {@code maxValue}: {@code w * clip(norms, 0, maxValue) / (epsilon + norms)}. For a Dense
 * kernel {@code [input, units]} the default axis 0 constrains each unit's incoming weights; for a Conv2D kernel
 * {@code [h, w, in, filters]} use axes {@code 0, 1, 2}.
 *
 * <p>Keras does not check {@code max_value}; kerasj refuses a value that is not positive, which would zero the
 * weight.
 */
public final class MaxNorm extends Constraint {
  /** Keras' default {@code max_value=2}. */
  public static final double DEFAULT_MAX_VALUE = 2;
  /** Keras' default {@code axis=0}. */
  public static final int DEFAULT_AXIS = 0;
  private final double maxValue;
  private final int[] axis;

  /** {@code MaxNorm(max_value=2, axis=0)}, Keras' defaults. */
  public MaxNorm() {
    this(DEFAULT_MAX_VALUE);
  }

  /** {@code MaxNorm(maxValue, axis=0)}. */
  public MaxNorm(double maxValue) {
    this(maxValue, DEFAULT_AXIS);
  }

  /**
   * @param maxValue the largest norm allowed, positive and finite
   * @param axis the axes the norms are computed over (Keras' {@code axis}: one or several)
   * @throws IllegalArgumentException for a {@code maxValue} that is not positive and finite, or no axis
   */
  public MaxNorm(double maxValue, int... axis) {
    if (!(maxValue > 0) || !Double.isFinite(maxValue)) {
      throw new IllegalArgumentException("Invalid value for argument max_value: expected a positive float. "
          + "Received: max_value=" + maxValue);
    }
    this.maxValue = maxValue;
    this.axis = axes(axis, "MaxNorm");
  }

  public double maxValue() {
    return maxValue;
  }

  public int[] axis() {
    return axis.clone();
  }

  @Override
  public String className() {
    return "MaxNorm";
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> w) {
    Operand<TFloat32> norms = norms(tf, w, axis);
    Operand<TFloat32> desired = tf.clipByValue(norms, tf.constant(0f), tf.constant((float) maxValue));
    return tf.math.mul(w, tf.math.div(desired, tf.math.add(tf.constant(EPSILON), norms)));
  }

  @Override
  public String toString() {
    return "MaxNorm(max_value=" + maxValue + ", axis=" + formatAxis(axis) + ")";
  }
}
