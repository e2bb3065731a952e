package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code CategoricalFocalCrossentropy} ({@code "categorical_focal_crossentropy"}): categorical crossentropy
 * of one-hot (or soft) labels, each class term scaled by {@code alpha * (1 - p)^gamma}. Keras computes it from
 * normalised, clipped probabilities in every case (a softmax of the logits with {@code fromLogits}), and so does
 * kerasj.
 *
 * <pre>{@code
 * model.compile(new Adam(1e-3), new CategoricalFocalCrossentropy());   // Keras' defaults: alpha 0.25, gamma 2
 * model.compile(new Adam(1e-3), CategoricalFocalCrossentropy.builder().alpha(0.5).gamma(3).build());
 * }</pre>
 *
 * <p>Keras also accepts a per-class list for {@code alpha}; kerasj takes one number for all classes.
 */
public final class CategoricalFocalCrossentropy extends LossFunction {
  /** Keras' default {@code alpha=0.25}. */
  public static final double DEFAULT_ALPHA = 0.25;
  /** Keras' default {@code gamma=2.0}. */
  public static final double DEFAULT_GAMMA = 2.0;

  private final double alpha;
  private final double gamma;
  private final boolean fromLogits;
  private final double labelSmoothing;

  /** Keras' defaults: alpha 0.25, gamma 2, probabilities, no label smoothing. */
  public CategoricalFocalCrossentropy() {
    this(builder());
  }

  private CategoricalFocalCrossentropy(Builder b) {
    if (!(b.alpha >= 0 && b.alpha < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("CategoricalFocalCrossentropy expects alpha >= 0. Received: alpha="
          + b.alpha);
    }
    this.alpha = b.alpha;
    this.gamma = BinaryFocalCrossentropy.checkGamma("CategoricalFocalCrossentropy", b.gamma);
    this.fromLogits = b.fromLogits;
    this.labelSmoothing = checkLabelSmoothing("CategoricalFocalCrossentropy", b.labelSmoothing);
  }

  /** A builder starting from Keras' defaults. */
  public static Builder builder() {
    return new Builder();
  }

  public double alpha() {
    return alpha;
  }

  public double gamma() {
    return gamma;
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  public double labelSmoothing() {
    return labelSmoothing;
  }

  /** True when every argument holds Keras' default (then a config stores the identifier string). */
  public boolean hasDefaultArguments() {
    return alpha == DEFAULT_ALPHA && gamma == DEFAULT_GAMMA && !fromLogits && labelSmoothing == 0;
  }

  @Override
  public String name() {
    return "categorical_focal_crossentropy";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> y = smoothCategoricalLabels(tf, asFloat(yTrue), labelSmoothing);
    Operand<TFloat32> p = fromLogits ? tf.nn.softmax(yPred) : yPred;
    Operand<TFloat32> output = tf.math.div(p, tf.sum(p, tf.constant(-1), Sum.keepDims(true)));
    output = clipProbabilities(tf, output);
    Operand<TFloat32> cce = tf.math.mul(tf.math.neg(y), tf.math.log(output));
    Operand<TFloat32> modulating = tf.math.pow(tf.math.sub(tf.constant(1f), output), tf.constant((float) gamma));
    Operand<TFloat32> weighting = tf.math.mul(modulating, tf.constant((float) alpha));
    return tf.sum(tf.math.mul(weighting, cce), tf.constant(-1));
  }

  /** Options of a {@link CategoricalFocalCrossentropy}; every field starts at Keras' default. */
  public static final class Builder {
    private double alpha = DEFAULT_ALPHA;
    private double gamma = DEFAULT_GAMMA;
    private boolean fromLogits;
    private double labelSmoothing = CategoricalCrossentropy.DEFAULT_LABEL_SMOOTHING;

    private Builder() {}

    /** The weight of every class term, >= 0. */
    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /** The focusing exponent, >= 0; 0 with alpha 1 gives plain categorical crossentropy. */
    public Builder gamma(double gamma) {
      this.gamma = gamma;
      return this;
    }

    /** True when predictions are logits rather than probabilities. */
    public Builder fromLogits(boolean fromLogits) {
      this.fromLogits = fromLogits;
      return this;
    }

    /** In [0, 1]: labels become {@code y * (1 - s) + s / classes}. */
    public Builder labelSmoothing(double labelSmoothing) {
      this.labelSmoothing = labelSmoothing;
      return this;
    }

    /** @throws IllegalArgumentException naming the argument that is out of range and the value received */
    public CategoricalFocalCrossentropy build() {
      return new CategoricalFocalCrossentropy(this);
    }
  }
}
