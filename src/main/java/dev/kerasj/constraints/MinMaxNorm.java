package dev.kerasj.constraints;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code MinMaxNorm}: moves each slice's L2 norm along {@code axis} towards {@code [minValue, maxValue]}:
 * {@code w * (rate * clip(norms, min, max) + (1 - rate) * norms) / (epsilon + norms)}. {@code rate=1} enforces the
 * bounds strictly; a smaller rate moves part of the way at each step.
 *
 * <pre>{@code MinMaxNorm.builder().minValue(0.5).maxValue(2).rate(0.5).build()}</pre>
 *
 * <p>Keras does not check its arguments; kerasj refuses negative or reversed bounds and a rate outside [0, 1].
 */
public final class MinMaxNorm extends Constraint {
  /** Keras' defaults: {@code min_value=0.0, max_value=1.0, rate=1.0, axis=0}. */
  public static final double DEFAULT_MIN_VALUE = 0.0;
  public static final double DEFAULT_MAX_VALUE = 1.0;
  public static final double DEFAULT_RATE = 1.0;
  private final double minValue;
  private final double maxValue;
  private final double rate;
  private final int[] axis;

  /** {@code MinMaxNorm()} with Keras' defaults. */
  public MinMaxNorm() {
    this(builder());
  }

  /** {@code MinMaxNorm(minValue, maxValue)} with Keras' default rate and axis. */
  public MinMaxNorm(double minValue, double maxValue) {
    this(builder().minValue(minValue).maxValue(maxValue));
  }

  private MinMaxNorm(Builder b) {
    if (!(b.minValue >= 0) || !Double.isFinite(b.minValue)) {
      throw new IllegalArgumentException("Invalid value for argument min_value: expected a non-negative float. "
          + "Received: min_value=" + b.minValue);
    }
    if (!(b.maxValue >= b.minValue) || !Double.isFinite(b.maxValue)) {
      throw new IllegalArgumentException("Invalid value for argument max_value: expected a float >= min_value="
          + b.minValue + ". Received: max_value=" + b.maxValue);
    }
    if (!(b.rate >= 0 && b.rate <= 1)) {
      throw new IllegalArgumentException("Invalid value for argument rate: expected a float in [0, 1]. Received: "
          + "rate=" + b.rate);
    }
    this.minValue = b.minValue;
    this.maxValue = b.maxValue;
    this.rate = b.rate;
    this.axis = axes(b.axis, "MinMaxNorm");
  }

  /** Starts a builder with Keras' defaults. */
  public static Builder builder() {
    return new Builder();
  }

  public double minValue() {
    return minValue;
  }

  public double maxValue() {
    return maxValue;
  }

  public double rate() {
    return rate;
  }

  public int[] axis() {
    return axis.clone();
  }

  @Override
  public String className() {
    return "MinMaxNorm";
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> w) {
    Operand<TFloat32> norms = norms(tf, w, axis);
    Operand<TFloat32> clipped = tf.clipByValue(norms, tf.constant((float) minValue), tf.constant((float) maxValue));
    Operand<TFloat32> desired = tf.math.add(tf.math.mul(tf.constant((float) rate), clipped),
        tf.math.mul(tf.constant((float) (1 - rate)), norms));
    return tf.math.mul(w, tf.math.div(desired, tf.math.add(tf.constant(EPSILON), norms)));
  }

  @Override
  public String toString() {
    return "MinMaxNorm(min_value=" + minValue + ", max_value=" + maxValue + ", rate=" + rate + ", axis="
        + formatAxis(axis) + ")";
  }

  /** Options of {@link MinMaxNorm}; every field defaults to Keras' value. */
  public static final class Builder {
    private double minValue = DEFAULT_MIN_VALUE;
    private double maxValue = DEFAULT_MAX_VALUE;
    private double rate = DEFAULT_RATE;
    private int[] axis = {MaxNorm.DEFAULT_AXIS};

    private Builder() {}

    public Builder minValue(double minValue) {
      this.minValue = minValue;
      return this;
    }

    public Builder maxValue(double maxValue) {
      this.maxValue = maxValue;
      return this;
    }

    public Builder rate(double rate) {
      this.rate = rate;
      return this;
    }

    /** The axes the norms are computed over (Keras' {@code axis}: one or several). */
    public Builder axis(int... axis) {
      this.axis = axis == null ? null : axis.clone();
      return this;
    }

    /** @throws IllegalArgumentException naming the argument and the value received when one is out of range */
    public MinMaxNorm build() {
      return new MinMaxNorm(this);
    }
  }
}
