package dev.kerasj.optimizers.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras' {@code CosineDecayRestarts} (SGDR, Loshchilov and Hutter 2017): cosine decays from
 * {@code initialLearningRate} to {@code alpha * initialLearningRate}, the i-th one {@code firstDecaySteps * tMul^i}
 * steps long and starting from {@code initialLearningRate * mMul^i}.
 *
 * <pre>{@code
 * CosineDecayRestarts s = CosineDecayRestarts.builder(0.1, 100).tMul(2.0).mMul(0.9).alpha(0.01).build();
 * }</pre>
 */
public final class CosineDecayRestarts implements LearningRateSchedule {
  /** Keras' default {@code t_mul}: each period twice as long as the previous one. */
  public static final double DEFAULT_T_MUL = 2.0;
  /** Keras' default {@code m_mul}: every restart from the initial rate. */
  public static final double DEFAULT_M_MUL = 1.0;
  /** Keras' default {@code alpha}. */
  public static final double DEFAULT_ALPHA = 0.0;
  /** Keras' default {@code name}. */
  public static final String DEFAULT_NAME = "SGDRDecay";

  private final double initialLearningRate;
  private final long firstDecaySteps;
  private final double tMul;
  private final double mMul;
  private final double alpha;
  private final String name;

  /** Keras' {@code CosineDecayRestarts(initial_learning_rate, first_decay_steps)} with its defaults. */
  public CosineDecayRestarts(double initialLearningRate, long firstDecaySteps) {
    this(builder(initialLearningRate, firstDecaySteps));
  }

  private CosineDecayRestarts(Builder b) {
    Schedules.checkPositive("initialLearningRate", b.initialLearningRate);
    Schedules.checkSteps("first_decay_steps", "firstDecaySteps", b.firstDecaySteps);
    if (!(b.tMul > 0) || !Double.isFinite(b.tMul)) {
      throw new IllegalArgumentException("Expected tMul to be a positive finite number (the factor of each "
          + "period's length over the previous one's). Received: tMul=" + b.tMul);
    }
    Schedules.checkNonNegative("mMul", b.mMul);
    Schedules.checkFraction("alpha", b.alpha);
    this.initialLearningRate = b.initialLearningRate;
    this.firstDecaySteps = b.firstDecaySteps;
    this.tMul = b.tMul;
    this.mMul = b.mMul;
    this.alpha = b.alpha;
    this.name = Schedules.checkName(b.name);
  }

  public static Builder builder(double initialLearningRate, long firstDecaySteps) {
    return new Builder(initialLearningRate, firstDecaySteps);
  }

  /** The optional arguments of Keras' {@code CosineDecayRestarts}. */
  public static final class Builder {
    private final double initialLearningRate;
    private final long firstDecaySteps;
    private double tMul = DEFAULT_T_MUL;
    private double mMul = DEFAULT_M_MUL;
    private double alpha = DEFAULT_ALPHA;
    private String name = DEFAULT_NAME;

    private Builder(double initialLearningRate, long firstDecaySteps) {
      this.initialLearningRate = initialLearningRate;
      this.firstDecaySteps = firstDecaySteps;
    }

    /** The factor of each period's length over the previous one's (Keras' {@code t_mul}, 2). */
    public Builder tMul(double tMul) {
      this.tMul = tMul;
      return this;
    }

    /** The factor of each restart's rate over the previous one's (Keras' {@code m_mul}, 1). */
    public Builder mMul(double mMul) {
      this.mMul = mMul;
      return this;
    }

    /** The minimum as a fraction of the initial rate (Keras' {@code alpha}, 0). */
    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public CosineDecayRestarts build() {
      return new CosineDecayRestarts(this);
    }
  }

  /** Keras' graph, float32 operation for operation (its {@code cond} on {@code t_mul == 1} is decided here). */
  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TInt64> step) {
    Operand<TFloat32> t = tf.constant((float) tMul);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> completed = tf.math.div(tf.dtypes.cast(step, TFloat32.class),
        tf.constant((float) firstDecaySteps));
    Operand<TFloat32> restart;
    if ((float) tMul == 1f) {
      restart = tf.math.floor(completed);
      completed = tf.math.sub(completed, restart);
    } else {
      Operand<TFloat32> oneMinusT = tf.math.sub(one, t);
      restart = tf.math.floor(tf.math.div(
          tf.math.log(tf.math.sub(one, tf.math.mul(completed, oneMinusT))), tf.math.log(t)));
      Operand<TFloat32> sumR = tf.math.div(tf.math.sub(one, tf.math.pow(t, restart)), oneMinusT);
      completed = tf.math.div(tf.math.sub(completed, sumR), tf.math.pow(t, restart));
    }
    Operand<TFloat32> mFac = tf.math.pow(tf.constant((float) mMul), restart);
    Operand<TFloat32> cosine = tf.math.mul(tf.math.mul(tf.constant(0.5f), mFac),
        tf.math.add(one, tf.math.cos(tf.math.mul(tf.constant((float) Math.PI), completed))));
    Operand<TFloat32> a = tf.constant((float) alpha);
    Operand<TFloat32> decayed = tf.math.add(tf.math.mul(tf.math.sub(one, a), cosine), a);
    return tf.math.mul(tf.constant((float) initialLearningRate), decayed);
  }

  @Override
  public double valueAt(long step) {
    double completed = (double) step / firstDecaySteps;
    double restart;
    if (tMul == 1) {
      restart = Math.floor(completed);
      completed -= restart;
    } else {
      restart = Math.floor(Math.log(1 - completed * (1 - tMul)) / Math.log(tMul));
      double sumR = (1 - Math.pow(tMul, restart)) / (1 - tMul);
      completed = (completed - sumR) / Math.pow(tMul, restart);
    }
    double cosine = 0.5 * Math.pow(mMul, restart) * (1 + Math.cos(Math.PI * completed));
    return initialLearningRate * ((1 - alpha) * cosine + alpha);
  }

  public double initialLearningRate() {
    return initialLearningRate;
  }

  public long firstDecaySteps() {
    return firstDecaySteps;
  }

  public double tMul() {
    return tMul;
  }

  public double mMul() {
    return mMul;
  }

  public double alpha() {
    return alpha;
  }

  @Override
  public String name() {
    return name;
  }
}
