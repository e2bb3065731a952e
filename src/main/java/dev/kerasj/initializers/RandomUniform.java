package dev.kerasj.initializers;

import java.util.Random;

/**
 * Keras {@code RandomUniform(minval, maxval, seed)}: values drawn uniformly from {@code [minval, maxval)}.
 * Keras defaults: {@code minval=-0.05}, {@code maxval=0.05}.
 */
public record RandomUniform(double minval, double maxval, Long seed) implements Initializer {
  /** Keras' default bounds, {@code [-0.05, 0.05)}, seeded by the model. */
  public RandomUniform() {
    this(-0.05, 0.05, null);
  }

  public RandomUniform {
    if (!(maxval > minval)) {
      throw new IllegalArgumentException(
          "RandomUniform needs maxval > minval. Received: minval=" + minval + ", maxval=" + maxval);
    }
  }

  @Override
  public float[] generate(long[] shape, long fallbackSeed) {
    Random rng = new Random(seed != null ? seed : fallbackSeed);
    float[] out = new float[Initializer.size(shape)];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (minval + (maxval - minval) * rng.nextDouble());
    }
    return out;
  }

  @Override
  public String name() {
    return "random_uniform";
  }
}
