package dev.kerasj.optimizers.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras' {@code PolynomialDecay}: {@code (initialLearningRate - endLearningRate) * (1 - step / decaySteps) ^ power
 * + endLearningRate}, with {@code step} held at {@code decaySteps} after the decay, or with {@code cycle} the decay
 * restarted over the first multiple of {@code decaySteps} at or above the step.
 *
 * <pre>{@code
 * PolynomialDecay s = PolynomialDecay.builder(0.1, 1000).endLearningRate(0.001).power(0.5).cycle(true).build();
 * }</pre>
 */
public final class PolynomialDecay implements LearningRateSchedule {
  /** Keras' default {@code end_learning_rate}. */
  public static final double DEFAULT_END_LEARNING_RATE = 0.0001;
  /** Keras' default {@code power}: linear decay. */
  public static final double DEFAULT_POWER = 1.0;
  /** Keras' default {@code name}. */
  public static final String DEFAULT_NAME = "PolynomialDecay";

  private final double initialLearningRate;
  private final long decaySteps;
  private final double endLearningRate;
  private final double power;
  private final boolean cycle;
  private final String name;

  /** Keras' {@code PolynomialDecay(initial_learning_rate, decay_steps)} with its defaults. */
  public PolynomialDecay(double initialLearningRate, long decaySteps) {
    this(builder(initialLearningRate, decaySteps));
  }

  private PolynomialDecay(Builder b) {
    Schedules.checkPositive("initialLearningRate", b.initialLearningRate);
    Schedules.checkSteps("decay_steps", "decaySteps", b.decaySteps);
    Schedules.checkNonNegative("endLearningRate", b.endLearningRate);
    Schedules.checkNonNegative("power", b.power);
    this.initialLearningRate = b.initialLearningRate;
    this.decaySteps = b.decaySteps;
    this.endLearningRate = b.endLearningRate;
    this.power = b.power;
    this.cycle = b.cycle;
    this.name = Schedules.checkName(b.name);
  }

  public static Builder builder(double initialLearningRate, long decaySteps) {
    return new Builder(initialLearningRate, decaySteps);
  }

  /** The optional arguments of Keras' {@code PolynomialDecay}. */
  public static final class Builder {
    private final double initialLearningRate;
    private final long decaySteps;
    private double endLearningRate = DEFAULT_END_LEARNING_RATE;
    private double power = DEFAULT_POWER;
    private boolean cycle;
    private String name = DEFAULT_NAME;

    private Builder(double initialLearningRate, long decaySteps) {
      this.initialLearningRate = initialLearningRate;
      this.decaySteps = decaySteps;
    }

    public Builder endLearningRate(double endLearningRate) {
      this.endLearningRate = endLearningRate;
      return this;
    }

    public Builder power(double power) {
      this.power = power;
      return this;
    }

    /** Whether the decay restarts past {@code decaySteps} (Keras' {@code cycle}, false). */
    public Builder cycle(boolean cycle) {
      this.cycle = cycle;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public PolynomialDecay build() {
      return new PolynomialDecay(this);
    }
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TInt64> step) {
    Operand<TFloat32> s = tf.dtypes.cast(step, TFloat32.class);
    Operand<TFloat32> steps = tf.constant((float) decaySteps);
    if (cycle) {
      // Keras: where(step == 0, 1.0, ceil(step / decay_steps)) times decay_steps.
      Operand<TFloat32> multiplier = tf.select(tf.math.equal(s, tf.constant(0f)), tf.constant(1f),
          tf.math.ceil(tf.math.div(s, steps)));
      steps = tf.math.mul(steps, multiplier);
    } else {
      s = tf.math.minimum(s, steps);
    }
    Operand<TFloat32> p = tf.math.div(s, steps);
    Operand<TFloat32> end = tf.constant((float) endLearningRate);
    Operand<TFloat32> delta = tf.math.sub(tf.constant((float) initialLearningRate), end);
    return tf.math.add(tf.math.mul(delta, tf.math.pow(tf.math.sub(tf.constant(1f), p), tf.constant((float) power))),
        end);
  }

  @Override
  public double valueAt(long step) {
    double s = step;
    double steps = decaySteps;
    if (cycle) {
      steps *= step == 0 ? 1 : Math.ceil(s / decaySteps);
    } else {
      s = Math.min(s, steps);
    }
    return (initialLearningRate - endLearningRate) * Math.pow(1 - s / steps, power) + endLearningRate;
  }

  public double initialLearningRate() {
    return initialLearningRate;
  }

  public long decaySteps() {
    return decaySteps;
  }

  public double endLearningRate() {
    return endLearningRate;
  }

  public double power() {
    return power;
  }

  public boolean cycle() {
    return cycle;
  }

  @Override
  public String name() {
    return name;
  }
}
