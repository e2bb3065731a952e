package dev.kerasj.optimizers;

/**
 * Keras 3 {@code AdamW(learning_rate=0.001, weight_decay=0.004, ...)}: Adam plus decoupled weight decay
 * {@code w -= w * weight_decay * lr}, applied to every trainable variable before the Adam update.
 */
public final class AdamW extends Adam {
  /** Keras' default weight decay of AdamW. */
  public static final double DEFAULT_WEIGHT_DECAY = 0.004;
  private final double weightDecay;

  public AdamW() {
    this(DEFAULT_LEARNING_RATE, DEFAULT_WEIGHT_DECAY);
  }

  public AdamW(double learningRate, double weightDecay) {
    this(learningRate, weightDecay, DEFAULT_BETA_1, DEFAULT_BETA_2, DEFAULT_EPSILON);
  }

  public AdamW(double learningRate, double weightDecay, double beta1, double beta2, double epsilon) {
    super(learningRate, beta1, beta2, epsilon);
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException("AdamW expects weightDecay >= 0. Received: weightDecay=" + weightDecay);
    }
    this.weightDecay = weightDecay;
  }

  @Override
  public Double weightDecay() {
    return weightDecay;
  }

  @Override
  public String className() {
    return "AdamW";
  }

  @Override
  public String name() {
    return "adamw";
  }
}
