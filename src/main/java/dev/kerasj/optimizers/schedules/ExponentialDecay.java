package dev.kerasj.optimizers.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras' {@code ExponentialDecay}: {@code initialLearningRate * decayRate ^ (step / decaySteps)}, with the exponent
 * floored when {@code staircase}.
 */
public final class ExponentialDecay implements LearningRateSchedule {
  private final double initialLearningRate;
  private final long decaySteps;
  private final double decayRate;
  private final boolean staircase;
  private final String name;

  /** Keras' {@code ExponentialDecay(initial_learning_rate, decay_steps, decay_rate)} (staircase false). */
  public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate) {
    this(initialLearningRate, decaySteps, decayRate, false);
  }

  public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase) {
    this(initialLearningRate, decaySteps, decayRate, staircase, "ExponentialDecay");
  }

  /** Keras' full signature, {@code name} included (Keras' default {@code "ExponentialDecay"}). */
  public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase,
      String name) {
    Schedules.checkPositive("initialLearningRate", initialLearningRate);
    Schedules.checkSteps("decay_steps", "decaySteps", decaySteps);
    Schedules.checkPositive("decayRate", decayRate);
    this.name = Schedules.checkName(name);
    this.initialLearningRate = initialLearningRate;
    this.decaySteps = decaySteps;
    this.decayRate = decayRate;
    this.staircase = staircase;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TInt64> step) {
    Operand<TFloat32> p = tf.math.div(tf.dtypes.cast(step, TFloat32.class), tf.constant((float) decaySteps));
    if (staircase) {
      p = tf.math.floor(p);
    }
    return tf.math.mul(tf.constant((float) initialLearningRate), tf.math.pow(tf.constant((float) decayRate), p));
  }

  @Override
  public double valueAt(long step) {
    double p = (double) step / decaySteps;
    return initialLearningRate * Math.pow(decayRate, staircase ? Math.floor(p) : p);
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
