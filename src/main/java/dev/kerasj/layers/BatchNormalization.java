package dev.kerasj.layers;

import dev.kerasj.constraints.Constraint;
import dev.kerasj.initializers.Constant;
import dev.kerasj.regularizers.Regularizer;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code BatchNormalization} over the last axis. Weights, in Keras' order: {@code gamma}, {@code beta}
 * (trainable), {@code moving_mean}, {@code moving_variance} (not trainable).
 *
 * <p>Training: normalizes with the batch mean and variance ({@code tf.nn.moments}) and updates the moving statistics
 * with {@code moving = moving * momentum + batch * (1 - momentum)}. Inference: normalizes with the moving statistics.
 * Keras defaults: {@code momentum=0.99}, {@code epsilon=0.001}.
 *
 * <pre>{@code new BatchNormalization()}   or
 * {@code BatchNormalization.builder().momentum(0.9).gammaRegularizer(new L2(1e-4)).betaConstraint(new MaxNorm(1)).build()}</pre>
 */
public final class BatchNormalization extends Layer {
  /** Keras' default momentum of the moving statistics. */
  public static final double DEFAULT_MOMENTUM = 0.99;
  /** Keras' default epsilon added to the variance. */
  public static final double DEFAULT_EPSILON = 1e-3;

  private final double momentum;
  private final double epsilon;
  private final Regularizer betaRegularizer;
  private final Regularizer gammaRegularizer;
  private final Constraint betaConstraint;
  private final Constraint gammaConstraint;
  private Weight gamma;
  private Weight beta;
  private Weight movingMean;
  private Weight movingVariance;

  public BatchNormalization() {
    this(DEFAULT_MOMENTUM, DEFAULT_EPSILON, null);
  }

  public BatchNormalization(double momentum, double epsilon, String name) {
    this(builder().momentum(momentum).epsilon(epsilon).name(name));
  }

  private BatchNormalization(Builder b) {
    super(b.name, null);
    if (!(b.momentum >= 0 && b.momentum <= 1) || !(b.epsilon > 0)) {
      throw new IllegalArgumentException(
          "BatchNormalization expects 0 <= momentum <= 1 and epsilon > 0. Received: momentum=" + b.momentum
              + ", epsilon=" + b.epsilon);
    }
    this.momentum = b.momentum;
    this.epsilon = b.epsilon;
    this.betaRegularizer = b.betaRegularizer;
    this.gammaRegularizer = b.gammaRegularizer;
    this.betaConstraint = b.betaConstraint;
    this.gammaConstraint = b.gammaConstraint;
    setActivityRegularizer(b.activityRegularizer);
  }

  /** Starts a builder with Keras' defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Regularizer weightRegularizer(String weightName) {
    return switch (weightName) {
      case "beta" -> betaRegularizer;
      case "gamma" -> gammaRegularizer;
      default -> null;
    };
  }

  @Override
  public Constraint weightConstraint(String weightName) {
    return switch (weightName) {
      case "beta" -> betaConstraint;
      case "gamma" -> gammaConstraint;
      default -> null;
    };
  }

  public double momentum() {
    return momentum;
  }

  public double epsilon() {
    return epsilon;
  }

  /** Keras' {@code supports_masking = True}: a mask on the input passes to the output. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public String className() {
    return "BatchNormalization";
  }

  @Override
  public String defaultNamePrefix() {
    return "batch_normalization";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    if (inputShape.length < 1) {
      throw shapeError("expects input of rank >= 2", inputShape);
    }
    return inputShape;
  }

  @Override
  protected void build(LayerContext ctx, long[] inputShape) {
    long[] shape = {inputShape[inputShape.length - 1]};
    gamma = ctx.addWeight("gamma", shape, Constant.ones(), true);
    beta = ctx.addWeight("beta", shape, Constant.zeros(), true);
    movingMean = ctx.addWeight("moving_mean", shape, Constant.zeros(), false);
    movingVariance = ctx.addWeight("moving_variance", shape, Constant.ones(), false);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    Operand<TFloat32> x = (Operand<TFloat32>) inputs;
    Operand<TFloat32> mean;
    Operand<TFloat32> variance;
    if (training && trainable()) { // Keras 3: a frozen BatchNormalization runs in inference mode
      int rank = inputShape().length + 1;
      int[] axes = new int[rank - 1];
      for (int i = 0; i < axes.length; i++) {
        axes[i] = i;
      }
      // tf.nn.moments: keepdims mean, variance of the difference to a gradient-stopped mean, then squeeze.
      Operand<TFloat32> meanKeep = tf.math.mean(x, tf.constant(axes), org.tensorflow.op.math.Mean.keepDims(true));
      Operand<TFloat32> varKeep = tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(meanKeep)),
          tf.constant(axes), org.tensorflow.op.math.Mean.keepDims(true));
      mean = tf.squeeze(meanKeep, org.tensorflow.op.core.Squeeze.axis(toLongs(axes)));
      variance = tf.squeeze(varKeep, org.tensorflow.op.core.Squeeze.axis(toLongs(axes)));
      Operand<TFloat32> keep = tf.constant((float) momentum);
      Operand<TFloat32> blend = tf.constant((float) (1.0 - momentum));
      ctx.addUpdate(tf.assign(movingMean.value(),
          tf.math.add(tf.math.mul(movingMean.value(), keep), tf.math.mul(mean, blend))));
      ctx.addUpdate(tf.assign(movingVariance.value(),
          tf.math.add(tf.math.mul(movingVariance.value(), keep), tf.math.mul(variance, blend))));
    } else {
      mean = movingMean.value();
      variance = movingVariance.value();
    }
    // tf.nn.batch_normalization: x * inv + (offset - mean * inv), inv = rsqrt(var + eps) * scale.
    Operand<TFloat32> inv = tf.math.mul(tf.math.rsqrt(tf.math.add(variance, tf.constant((float) epsilon))),
        gamma.value());
    return tf.math.add(tf.math.mul(x, inv), tf.math.sub(beta.value(), tf.math.mul(mean, inv)));
  }

  private static Long[] toLongs(int[] axes) {
    Long[] out = new Long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = (long) axes[i];
    }
    return out;
  }

  /** Options of {@link BatchNormalization}; every field defaults to Keras' value. */
  public static final class Builder {
    private double momentum = DEFAULT_MOMENTUM;
    private double epsilon = DEFAULT_EPSILON;
    private Regularizer betaRegularizer;
    private Regularizer gammaRegularizer;
    private Regularizer activityRegularizer;
    private Constraint betaConstraint;
    private Constraint gammaConstraint;
    private String name;

    private Builder() {}

    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** Keras' {@code beta_regularizer} (default none). */
    public Builder betaRegularizer(Regularizer regularizer) {
      this.betaRegularizer = regularizer;
      return this;
    }

    /** Keras' {@code gamma_regularizer} (default none). */
    public Builder gammaRegularizer(Regularizer regularizer) {
      this.gammaRegularizer = regularizer;
      return this;
    }

    /** Keras' {@code activity_regularizer} (default none). */
    public Builder activityRegularizer(Regularizer regularizer) {
      this.activityRegularizer = regularizer;
      return this;
    }

    /** Keras' {@code beta_constraint}: applied to beta after each optimizer update (default none). */
    public Builder betaConstraint(Constraint constraint) {
      this.betaConstraint = constraint;
      return this;
    }

    /** Keras' {@code gamma_constraint} (default none). */
    public Builder gammaConstraint(Constraint constraint) {
      this.gammaConstraint = constraint;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** @throws IllegalArgumentException for a momentum outside [0, 1] or an epsilon that is not positive */
    public BatchNormalization build() {
      return new BatchNormalization(this);
    }
  }
}
