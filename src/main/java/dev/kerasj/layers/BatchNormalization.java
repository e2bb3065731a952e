package dev.kerasj.layers;

import dev.kerasj.initializers.Constant;
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
 */
public final class BatchNormalization extends Layer {
  /** Keras' default momentum of the moving statistics. */
  public static final double DEFAULT_MOMENTUM = 0.99;
  /** Keras' default epsilon added to the variance. */
  public static final double DEFAULT_EPSILON = 1e-3;

  private final double momentum;
  private final double epsilon;
  private Weight gamma;
  private Weight beta;
  private Weight movingMean;
  private Weight movingVariance;

  public BatchNormalization() {
    this(DEFAULT_MOMENTUM, DEFAULT_EPSILON, null);
  }

  public BatchNormalization(double momentum, double epsilon, String name) {
    super(name, null);
    if (!(momentum >= 0 && momentum <= 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException(
          "BatchNormalization expects 0 <= momentum <= 1 and epsilon > 0. Received: momentum=" + momentum
              + ", epsilon=" + epsilon);
    }
    this.momentum = momentum;
    this.epsilon = epsilon;
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
}
