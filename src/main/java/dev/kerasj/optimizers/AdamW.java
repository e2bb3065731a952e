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
    this(learningRate, weightDecay, beta1, beta2, epsilon, false);
  }

  /** Keras' {@code AdamW(learning_rate, weight_decay, beta_1, beta_2, epsilon, amsgrad)}. */
  public AdamW(double learningRate, double weightDecay, double beta1, double beta2, double epsilon,
      boolean amsgrad) {
    super(learningRate, beta1, beta2, epsilon, amsgrad);
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

  /**
   * A builder with Keras' defaults, so that each argument is named where it is set:
   * {@code AdamW.builder().learningRate(1e-3).weightDecay(0.004).build()}; {@link Builder#build()} checks the values.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link AdamW}; every value starts at Keras' default. */
  public static final class Builder extends Adam.Builder {
    private double weightDecay = DEFAULT_WEIGHT_DECAY;

    private Builder() {}

    /** Keras' {@code weight_decay} (default {@value #DEFAULT_WEIGHT_DECAY}). */
    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    @Override
    public Builder learningRate(double learningRate) {
      super.learningRate(learningRate);
      return this;
    }

    @Override
    public Builder beta1(double beta1) {
      super.beta1(beta1);
      return this;
    }

    @Override
    public Builder beta2(double beta2) {
      super.beta2(beta2);
      return this;
    }

    @Override
    public Builder epsilon(double epsilon) {
      super.epsilon(epsilon);
      return this;
    }

    @Override
    public Builder amsgrad(boolean amsgrad) {
      super.amsgrad(amsgrad);
      return this;
    }

    @Override
    public Builder clipnorm(double clipnorm) {
      super.clipnorm(clipnorm);
      return this;
    }

    @Override
    public Builder clipvalue(double clipvalue) {
      super.clipvalue(clipvalue);
      return this;
    }

    @Override
    public Builder globalClipnorm(double globalClipnorm) {
      super.globalClipnorm(globalClipnorm);
      return this;
    }

    @Override
    public Builder useEma(boolean useEma) {
      super.useEma(useEma);
      return this;
    }

    @Override
    public Builder emaMomentum(double emaMomentum) {
      super.emaMomentum(emaMomentum);
      return this;
    }

    @Override
    public Builder emaOverwriteFrequency(int emaOverwriteFrequency) {
      super.emaOverwriteFrequency(emaOverwriteFrequency);
      return this;
    }

    @Override
    public Builder gradientAccumulationSteps(int steps) {
      super.gradientAccumulationSteps(steps);
      return this;
    }

    @Override
    public AdamW build() {
      return withBaseOptions(new AdamW(learningRate, weightDecay, beta1, beta2, epsilon, amsgrad));
    }
  }
}
