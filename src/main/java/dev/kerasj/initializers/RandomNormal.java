package dev.kerasj.initializers;

import java.util.Random;

/**
 * Keras {@code RandomNormal(mean, stddev, seed)}: values drawn from a normal distribution. Keras defaults:
 * {@code mean=0.0}, {@code stddev=0.05}.
 */
public record RandomNormal(double mean, double stddev, Long seed) implements Initializer {
  /** Keras' defaults, mean 0 and stddev 0.05, seeded by the model. */
  public RandomNormal() {
    this(0.0, 0.05, null);
  }

  public RandomNormal {
    if (!(stddev >= 0)) {
      throw new IllegalArgumentException("RandomNormal needs stddev >= 0. Received: stddev=" + stddev);
    }
  }

  @Override
  public float[] generate(long[] shape, long fallbackSeed) {
    Random rng = new Random(seed != null ? seed : fallbackSeed);
    float[] out = new float[Initializer.size(shape)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (mean + stddev * rng.nextGaussian());
    }
    return out;
  }

  @Override
  public String name() {
    return "random_normal";
  }
}
