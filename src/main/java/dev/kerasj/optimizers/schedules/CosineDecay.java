package dev.kerasj.optimizers.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras' {@code CosineDecay} without warmup: {@code initialLearningRate * ((1 - alpha) * c + alpha)} with
 * {@code c = 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps))}. (Keras' {@code warmup_steps} is not
 * offered.)
 */
public final class CosineDecay implements LearningRateSchedule {
  /** Keras' default {@code alpha=0.0}: decay to zero. */
  public static final double DEFAULT_ALPHA = 0.0;

  private final double initialLearningRate;
  private final long decaySteps;
  private final double alpha;

  public CosineDecay(double initialLearningRate, long decaySteps) {
    this(initialLearningRate, decaySteps, DEFAULT_ALPHA);
  }

  public CosineDecay(double initialLearningRate, long decaySteps, double alpha) {
    Schedules.checkPositive("initialLearningRate", initialLearningRate);
    if (decaySteps <= 0) {
      throw new IllegalArgumentException(
          "Argument `decay_steps` must be > 0. Received: decaySteps=" + decaySteps);
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("Expected alpha in [0, 1]. Received: alpha=" + alpha);
    }
    this.initialLearningRate = initialLearningRate;
    this.decaySteps = decaySteps;
    this.alpha = alpha;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TInt64> step) {
    Operand<TFloat32> s = tf.math.minimum(tf.dtypes.cast(step, TFloat32.class), tf.constant((float) decaySteps));
    Operand<TFloat32> completed = tf.math.div(s, tf.constant((float) decaySteps));
    Operand<TFloat32> cosine = tf.math.mul(tf.constant(0.5f),
        tf.math.add(tf.constant(1f), tf.math.cos(tf.math.mul(tf.constant((float) Math.PI), completed))));
    Operand<TFloat32> decayed = tf.math.add(tf.math.mul(tf.constant((float) (1 - alpha)), cosine),
        tf.constant((float) alpha));
    return tf.math.mul(tf.constant((float) initialLearningRate), decayed);
  }

  @Override
  public double valueAt(long step) {
    double completed = Math.min(step, decaySteps) / (double) decaySteps;
    double cosine = 0.5 * (1 + Math.cos(Math.PI * completed));
    return initialLearningRate * ((1 - alpha) * cosine + alpha);
  }
}
