package dev.kerasj.layers;

import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Initializer;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code LayerNormalization} over the last axis (Keras' default {@code axis=-1}, the only one kerasj
 * implements): each sample's features are normalized with their own mean and variance, then scaled by {@code gamma}
 * and shifted by {@code beta}. Weights, in Keras' order: {@code gamma} (when {@code scale}, default {@code ones}),
 * {@code beta} (when {@code center}, default {@code zeros}), both of the last axis' size. No moving statistics:
 * training and inference compute the same thing.
 *
 * <p>Computed as Keras' TensorFlow backend does: {@code tf.nn.moments} over the last axis, then
 * {@code x * inv + (beta - mean * inv)} with {@code inv = rsqrt(variance + epsilon) * gamma}.
 *
 * <pre>{@code new LayerNormalization()}   or   {@code LayerNormalization.builder().epsilon(1e-6).center(false).build()}</pre>
 */
public final class LayerNormalization extends Layer {
  /** Keras' default {@code epsilon}, added to the variance. */
  public static final double DEFAULT_EPSILON = 1e-3;

  private final double epsilon;
  private final boolean center;
  private final boolean scale;
  private final Initializer betaInitializer;
  private final Initializer gammaInitializer;
  private Weight gamma;
  private Weight beta;

  /** Keras' defaults: {@code axis=-1, epsilon=1e-3, center=true, scale=true}. */
  public LayerNormalization() {
    this(builder());
  }

  private LayerNormalization(Builder b) {
    super(b.name, null);
    if (!(b.epsilon > 0)) {
      throw new IllegalArgumentException("LayerNormalization expects epsilon > 0. Received: epsilon=" + b.epsilon);
    }
    if (b.axis != -1) {
      throw new IllegalArgumentException("LayerNormalization in kerasj normalizes the last axis only. Expected: "
          + "axis=-1. Received: axis=" + b.axis);
    }
    this.epsilon = b.epsilon;
    this.center = b.center;
    this.scale = b.scale;
    this.betaInitializer = b.betaInitializer;
    this.gammaInitializer = b.gammaInitializer;
  }

  public static Builder builder() {
    return new Builder();
  }

  public double epsilon() {
    return epsilon;
  }

  public boolean center() {
    return center;
  }

  public boolean scale() {
    return scale;
  }

  /** The initializer of {@code beta} (used only when {@link #center()}). */
  public Initializer betaInitializer() {
    return betaInitializer;
  }

  /** The initializer of {@code gamma} (used only when {@link #scale()}). */
  public Initializer gammaInitializer() {
    return gammaInitializer;
  }

  /** Keras' {@code supports_masking = True}: a mask on the input passes to the output. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public String className() {
    return "LayerNormalization";
  }

  @Override
  public String defaultNamePrefix() {
    return "layer_normalization";
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
    gamma = scale ? ctx.addWeight("gamma", shape, gammaInitializer, true) : null;
    beta = center ? ctx.addWeight("beta", shape, betaInitializer, true) : null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    Operand<TFloat32> x = (Operand<TFloat32>) inputs;
    Operand<org.tensorflow.types.TInt32> last = tf.constant(new int[] {inputShape().length});
    Operand<TFloat32> mean = tf.math.mean(x, last, Mean.keepDims(true));
    Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(mean)), last,
        Mean.keepDims(true));
    Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(variance, tf.constant((float) epsilon)));
    if (gamma != null) {
      inv = tf.math.mul(inv, gamma.value());
    }
    Operand<TFloat32> res = tf.math.mul(tf.math.neg(mean), inv);
    if (beta != null) {
      res = tf.math.add(res, beta.value());
    }
    return tf.math.add(tf.math.mul(x, inv), res);
  }

  /** Options of {@link LayerNormalization}; every field defaults to Keras' value. */
  public static final class Builder {
    private int axis = -1;
    private double epsilon = DEFAULT_EPSILON;
    private boolean center = true;
    private boolean scale = true;
    private Initializer betaInitializer = Constant.zeros();
    private Initializer gammaInitializer = Constant.ones();
    private String name;

    private Builder() {}

    /** Keras' {@code axis}; only {@code -1} (the default) is implemented. */
    public Builder axis(int axis) {
      this.axis = axis;
      return this;
    }

    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    public Builder center(boolean center) {
      this.center = center;
      return this;
    }

    public Builder scale(boolean scale) {
      this.scale = scale;
      return this;
    }

    public Builder betaInitializer(Initializer init) {
      this.betaInitializer = init;
      return this;
    }

    public Builder gammaInitializer(Initializer init) {
      this.gammaInitializer = init;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public LayerNormalization build() {
      return new LayerNormalization(this);
    }
  }
}
