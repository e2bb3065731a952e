package dev.kerasj.optimizers.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras' {@code CosineDecay}, with its optional linear warmup. Without a warmup target:
 * {@code initialLearningRate * ((1 - alpha) * c + alpha)} with
 * {@code c = 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps))}. With {@code warmupTarget}: the rate rises
 * linearly from {@code initialLearningRate} to {@code warmupTarget} over {@code warmupSteps} steps, then decays from
 * {@code warmupTarget} as above over the next {@code decaySteps} steps.
 *
 * <pre>{@code
 * CosineDecay s = CosineDecay.builder(0.0, 1000).warmupTarget(0.1).warmupSteps(100).alpha(0.01).build();
 * }</pre>
 */
public final class CosineDecay implements LearningRateSchedule {
  /** Keras' default {@code alpha=0.0}: decay to zero. */
  public static final double DEFAULT_ALPHA = 0.0;
  /** Keras' default {@code name}. */
  public static final String DEFAULT_NAME = "CosineDecay";

  private final double initialLearningRate;
  private final long decaySteps;
  private final double alpha;
  private final String name;
  private final Double warmupTarget;
  private final long warmupSteps;

  public CosineDecay(double initialLearningRate, long decaySteps) {
    this(initialLearningRate, decaySteps, DEFAULT_ALPHA);
  }

  public CosineDecay(double initialLearningRate, long decaySteps, double alpha) {
    this(builder(initialLearningRate, decaySteps).alpha(alpha));
  }

  private CosineDecay(Builder b) {
    if (b.warmupTarget == null) {
      Schedules.checkPositive("initialLearningRate", b.initialLearningRate);
    } else {
      // With warmup Keras' examples start from 0.
      Schedules.checkNonNegative("initialLearningRate", b.initialLearningRate);
      Schedules.checkPositive("warmupTarget", b.warmupTarget);
    }
    Schedules.checkSteps("decay_steps", "decaySteps", b.decaySteps);
    Schedules.checkFraction("alpha", b.alpha);
    if (b.warmupSteps < 0) {
      throw new IllegalArgumentException("Expected warmupSteps >= 0. Received: warmupSteps=" + b.warmupSteps);
    }
    this.initialLearningRate = b.initialLearningRate;
    this.decaySteps = b.decaySteps;
    this.alpha = b.alpha;
    this.name = Schedules.checkName(b.name);
    this.warmupTarget = b.warmupTarget;
    this.warmupSteps = b.warmupSteps;
  }

  /** Keras' {@code CosineDecay(initial_learning_rate, decay_steps, ...)}; the other arguments have Keras' defaults. */
  public static Builder builder(double initialLearningRate, long decaySteps) {
    return new Builder(initialLearningRate, decaySteps);
  }

  /** The optional arguments of Keras' {@code CosineDecay}. */
  public static final class Builder {
    private final double initialLearningRate;
    private final long decaySteps;
    private double alpha = DEFAULT_ALPHA;
    private String name = DEFAULT_NAME;
    private Double warmupTarget;
    private long warmupSteps;

    private Builder(double initialLearningRate, long decaySteps) {
      this.initialLearningRate = initialLearningRate;
      this.decaySteps = decaySteps;
    }

    /** The fraction of the decayed-from rate reached at the end of the decay (Keras' {@code alpha}, 0). */
    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** The rate the warmup reaches, then decays from (Keras' {@code warmup_target}, none: no warmup). */
    public Builder warmupTarget(double warmupTarget) {
      this.warmupTarget = warmupTarget;
      return this;
    }

    /** The warmup's length in steps (Keras' {@code warmup_steps}, 0); used only with a warmup target. */
    public Builder warmupSteps(long warmupSteps) {
      this.warmupSteps = warmupSteps;
      return this;
    }

    public CosineDecay build() {
      return new CosineDecay(this);
    }
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TInt64> step) {
    Operand<TFloat32> s = tf.dtypes.cast(step, TFloat32.class);
    Operand<TFloat32> steps = tf.constant((float) decaySteps);
    if (warmupTarget == null) {
      return decay(tf, tf.math.minimum(s, steps), steps, tf.constant((float) initialLearningRate));
    }
    Operand<TFloat32> target = tf.constant(warmupTarget.floatValue());
    Operand<TFloat32> warmup = tf.constant((float) warmupSteps);
    Operand<TFloat32> initial = tf.constant((float) initialLearningRate);
    s = tf.math.minimum(s, tf.math.add(steps, warmup));
    // Keras' _warmup_function: (target - initial) * (step / warmupSteps) + initial. Both branches are computed, as a
    // select needs; the unused warmup branch divides by zero when warmupSteps is 0, which select discards.
    Operand<TFloat32> warming = tf.math.add(tf.math.mul(tf.math.sub(target, initial), tf.math.div(s, warmup)),
        initial);
    Operand<TFloat32> decaying = decay(tf, tf.math.sub(s, warmup), steps, target);
    return tf.select(tf.math.less(s, warmup), warming, decaying);
  }

  /** Keras' {@code _decay_function}, in its order of float32 operations. */
  private Operand<TFloat32> decay(Ops tf, Operand<TFloat32> s, Operand<TFloat32> steps, Operand<TFloat32> from) {
    Operand<TFloat32> completed = tf.math.div(s, steps);
    Operand<TFloat32> cosine = tf.math.mul(tf.constant(0.5f),
        tf.math.add(tf.constant(1f), tf.math.cos(tf.math.mul(tf.constant((float) Math.PI), completed))));
    Operand<TFloat32> decayed = tf.math.add(tf.math.mul(tf.constant((float) (1 - alpha)), cosine),
        tf.constant((float) alpha));
    return tf.math.mul(from, decayed);
  }

  @Override
  public double valueAt(long step) {
    if (warmupTarget == null) {
      return decayAt(Math.min(step, decaySteps), initialLearningRate);
    }
    double s = Math.min(step, decaySteps + warmupSteps);
    if (s < warmupSteps) {
      return (warmupTarget - initialLearningRate) * (s / warmupSteps) + initialLearningRate;
    }
    return decayAt(s - warmupSteps, warmupTarget);
  }

  private double decayAt(double s, double from) {
    double cosine = 0.5 * (1 + Math.cos(Math.PI * (s / decaySteps)));
    return from * ((1 - alpha) * cosine + alpha);
  }

  public double initialLearningRate() {
    return initialLearningRate;
  }

  public long decaySteps() {
    return decaySteps;
  }

  public double alpha() {
    return alpha;
  }

  /** Keras' {@code warmup_target}, or null without warmup. */
  public Double warmupTarget() {
    return warmupTarget;
  }

  public long warmupSteps() {
    return warmupSteps;
  }

  @Override
  public String name() {
    return name;
  }
}
