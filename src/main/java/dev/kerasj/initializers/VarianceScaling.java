package dev.kerasj.initializers;

import java.util.Random;

/**
 * Keras {@code VarianceScaling}, the family behind {@code glorot_uniform} (the default kernel initializer),
 * {@code glorot_normal}, {@code he_normal} and {@code he_uniform}.
 *
 * <p>The scale is divided by fan-in, fan-out or their average; {@code truncated_normal} draws from a normal
 * truncated at two standard deviations with Keras' correction factor 0.87962566103423978, {@code uniform} from
 * {@code [-sqrt(3*scale), sqrt(3*scale))}.
 */
public record VarianceScaling(double scale, String mode, String distribution, Long seed, String name)
    implements Initializer {
  /** Keras' stddev correction for a normal truncated at two standard deviations. */
  static final double TRUNCATION_CORRECTION = 0.87962566103423978;

  public VarianceScaling {
    if (!(scale > 0)) {
      throw new IllegalArgumentException("VarianceScaling needs scale > 0. Received: scale=" + scale);
    }
    if (!mode.equals("fan_in") && !mode.equals("fan_out") && !mode.equals("fan_avg")) {
      throw new IllegalArgumentException(
          "Expected mode to be one of fan_in, fan_out, fan_avg. Received: mode=" + mode);
    }
    if (!distribution.equals("truncated_normal") && !distribution.equals("uniform")
        && !distribution.equals("untruncated_normal")) {
      throw new IllegalArgumentException(
          "Expected distribution to be one of truncated_normal, untruncated_normal, uniform. Received: "
              + "distribution=" + distribution);
    }
  }

  /** Keras {@code glorot_uniform}: the default kernel initializer of Dense, Conv2D and Embedding's peers. */
  public static VarianceScaling glorotUniform() {
    return glorotUniform(null);
  }

  public static VarianceScaling glorotUniform(Long seed) {
    return new VarianceScaling(1.0, "fan_avg", "uniform", seed, "glorot_uniform");
  }

  public static VarianceScaling glorotNormal(Long seed) {
    return new VarianceScaling(1.0, "fan_avg", "truncated_normal", seed, "glorot_normal");
  }

  public static VarianceScaling heNormal(Long seed) {
    return new VarianceScaling(2.0, "fan_in", "truncated_normal", seed, "he_normal");
  }

  public static VarianceScaling heUniform(Long seed) {
    return new VarianceScaling(2.0, "fan_in", "uniform", seed, "he_uniform");
  }

  @Override
  public float[] generate(long[] shape, long fallbackSeed) {
    double[] fans = Initializer.fans(shape);
    double n = switch (mode) {
      case "fan_in" -> fans[0];
      case "fan_out" -> fans[1];
      default -> (fans[0] + fans[1]) / 2.0;
    };
    double s = scale / Math.max(1.0, n);
    Random rng = new Random(seed != null ? seed : fallbackSeed);
    float[] out = new float[Initializer.size(shape)];
    switch (distribution) {
      case "uniform" -> {
        double limit = Math.sqrt(3.0 * s);
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) (-limit + 2 * limit * rng.nextDouble());
        }
      }
      case "truncated_normal" -> {
        double stddev = Math.sqrt(s) / TRUNCATION_CORRECTION;
        for (int i = 0; i < out.length; i++) {
          double v;
          do {
            v = rng.nextGaussian();
          } while (Math.abs(v) > 2.0);
          out[i] = (float) (v * stddev);
        }
      }
      default -> {
        double stddev = Math.sqrt(s);
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) (rng.nextGaussian() * stddev);
        }
      }
    }
    return out;
  }
}
