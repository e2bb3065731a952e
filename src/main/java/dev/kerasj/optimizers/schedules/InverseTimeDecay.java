package dev.kerasj.optimizers.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras' {@code InverseTimeDecay}: {@code initialLearningRate / (1 + decayRate * step / decaySteps)}, with
 * {@code step / decaySteps} floored when {@code staircase}.
 */
public final class InverseTimeDecay implements LearningRateSchedule {
  /** Keras' default {@code name}. */
  public static final String DEFAULT_NAME = "InverseTimeDecay";

  private final double initialLearningRate;
  private final long decaySteps;
  private final double decayRate;
  private final boolean staircase;
  private final String name;

  /** Keras' {@code InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate)} (staircase false). */
  public InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate) {
    this(initialLearningRate, decaySteps, decayRate, false);
  }

  public InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase) {
    this(initialLearningRate, decaySteps, decayRate, staircase, DEFAULT_NAME);
  }

  /** Keras' full signature, {@code name} included. */
  public InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase,
      String name) {
    Schedules.checkPositive("initialLearningRate", initialLearningRate);
    Schedules.checkSteps("decay_steps", "decaySteps", decaySteps);
    Schedules.checkNonNegative("decayRate", decayRate);
    this.initialLearningRate = initialLearningRate;
    this.decaySteps = decaySteps;
    this.decayRate = decayRate;
    this.staircase = staircase;
    this.name = Schedules.checkName(name);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TInt64> step) {
    Operand<TFloat32> p = tf.math.div(tf.dtypes.cast(step, TFloat32.class), tf.constant((float) decaySteps));
    if (staircase) {
      p = tf.math.floor(p);
    }
    Operand<TFloat32> denom = tf.math.add(tf.constant(1f), tf.math.mul(tf.constant((float) decayRate), p));
    return tf.math.div(tf.constant((float) initialLearningRate), denom);
  }

  @Override
  public double valueAt(long step) {
    double p = (double) step / decaySteps;
    return initialLearningRate / (1 + decayRate * (staircase ? Math.floor(p) : p));
  }

  public double initialLearningRate() {
    return initialLearningRate;
  }

  public long decaySteps() {
    return decaySteps;
  }

  public double decayRate() {
    return decayRate;
  }

  public boolean staircase() {
    return staircase;
  }

  @Override
  public String name() {
    return name;
  }
}
