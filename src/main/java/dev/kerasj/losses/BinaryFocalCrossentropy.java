package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code BinaryFocalCrossentropy} ({@code "binary_focal_crossentropy"}): binary crossentropy scaled by
 * {@code (1 - p_t)^gamma}, so that well-classified examples weigh less; with {@code applyClassBalancing}, also by
 * {@code alpha} for label 1 and {@code 1 - alpha} for label 0. Labels in {0, 1} shaped like the predictions.
 *
 * <p>As in Keras 3, the crossentropy part is computed from logits when the predictions come from a sigmoid (or
 * with {@code fromLogits}), while {@code p_t} uses the probabilities.
 *
 * <pre>{@code
 * model.compile(new Adam(1e-3), new BinaryFocalCrossentropy());   // Keras' defaults: alpha 0.25, gamma 2
 * model.compile(new Adam(1e-3), BinaryFocalCrossentropy.builder()
 *     .applyClassBalancing(true).alpha(0.3).gamma(1.5).labelSmoothing(0.1).build());
 * }</pre>
 */
public final class BinaryFocalCrossentropy extends LossFunction {
  /** Keras' default {@code alpha=0.25}. */
  public static final double DEFAULT_ALPHA = 0.25;
  /** Keras' default {@code gamma=2.0}. */
  public static final double DEFAULT_GAMMA = 2.0;

  private final boolean applyClassBalancing;
  private final double alpha;
  private final double gamma;
  private final boolean fromLogits;
  private final double labelSmoothing;

  /** Keras' defaults: no class balancing, alpha 0.25, gamma 2, probabilities, no label smoothing. */
  public BinaryFocalCrossentropy() {
    this(builder());
  }

  private BinaryFocalCrossentropy(Builder b) {
    this.applyClassBalancing = b.applyClassBalancing;
    this.alpha = checkAlpha("BinaryFocalCrossentropy", b.alpha);
    this.gamma = checkGamma("BinaryFocalCrossentropy", b.gamma);
    this.fromLogits = b.fromLogits;
    this.labelSmoothing = checkLabelSmoothing("BinaryFocalCrossentropy", b.labelSmoothing);
  }

  /** A builder starting from Keras' defaults. */
  public static Builder builder() {
    return new Builder();
  }

  public boolean applyClassBalancing() {
    return applyClassBalancing;
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
    return !applyClassBalancing && alpha == DEFAULT_ALPHA && gamma == DEFAULT_GAMMA && !fromLogits
        && labelSmoothing == 0;
  }

  @Override
  public String name() {
    return "binary_focal_crossentropy";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> y = smoothBinaryLabels(tf, asFloat(yTrue), labelSmoothing);
    Operand<TFloat32> logits = fromLogits ? yPred : logitsBehind(yPred, "Sigmoid");
    Operand<TFloat32> p = fromLogits ? tf.math.sigmoid(yPred) : yPred;
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> bce;
    if (logits != null) {
      bce = BinaryCrossentropy.sigmoidCrossEntropyWithLogits(tf, y, logits);
    } else {
      Operand<TFloat32> clipped = clipProbabilities(tf, p);
      bce = tf.math.neg(tf.math.add(tf.math.mul(y, tf.math.log(clipped)),
          tf.math.mul(tf.math.sub(one, y), tf.math.log(tf.math.sub(one, clipped)))));
    }
    Operand<TFloat32> notY = tf.math.sub(one, y);
    Operand<TFloat32> pT = tf.math.add(tf.math.mul(y, p), tf.math.mul(notY, tf.math.sub(one, p)));
    Operand<TFloat32> focal = tf.math.mul(tf.math.pow(tf.math.sub(one, pT), tf.constant((float) gamma)), bce);
    if (applyClassBalancing) {
      Operand<TFloat32> weight = tf.math.add(tf.math.mul(y, tf.constant((float) alpha)),
          tf.math.mul(notY, tf.constant((float) (1.0 - alpha))));
      focal = tf.math.mul(weight, focal);
    }
    return meanLastAxis(tf, focal);
  }

  /** Rejects an alpha outside [0, 1] (Keras 3.15 accepts any float; outside [0, 1] one class gets a negative weight). */
  static double checkAlpha(String loss, double alpha) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException(loss + " expects alpha in [0, 1]. Received: alpha=" + alpha);
    }
    return alpha;
  }

  /** Rejects a negative or non-finite gamma (Keras 3.15 accepts it; a negative one up-weights easy examples). */
  static double checkGamma(String loss, double gamma) {
    if (!(gamma >= 0 && gamma < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(loss + " expects gamma >= 0. Received: gamma=" + gamma);
    }
    return gamma;
  }

  /** Options of a {@link BinaryFocalCrossentropy}; every field starts at Keras' default. */
  public static final class Builder {
    private boolean applyClassBalancing;
    private double alpha = DEFAULT_ALPHA;
    private double gamma = DEFAULT_GAMMA;
    private boolean fromLogits;
    private double labelSmoothing = BinaryCrossentropy.DEFAULT_LABEL_SMOOTHING;

    private Builder() {}

    /** Weighs label 1 by {@code alpha} and label 0 by {@code 1 - alpha} (Keras' {@code apply_class_balancing}). */
    public Builder applyClassBalancing(boolean applyClassBalancing) {
      this.applyClassBalancing = applyClassBalancing;
      return this;
    }

    /** The weight of label 1 when class balancing is on, in [0, 1]. */
    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /** The focusing exponent, >= 0; 0 gives plain binary crossentropy. */
    public Builder gamma(double gamma) {
      this.gamma = gamma;
      return this;
    }

    /** True when predictions are logits rather than probabilities. */
    public Builder fromLogits(boolean fromLogits) {
      this.fromLogits = fromLogits;
      return this;
    }

    /** In [0, 1]: labels become {@code y * (1 - s) + 0.5 * s}. */
    public Builder labelSmoothing(double labelSmoothing) {
      this.labelSmoothing = labelSmoothing;
      return this;
    }

    /** @throws IllegalArgumentException naming the argument that is out of range and the value received */
    public BinaryFocalCrossentropy build() {
      return new BinaryFocalCrossentropy(this);
    }
  }
}
