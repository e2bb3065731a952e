package dev.kerasj.testing;

import java.util.SplittableRandom;

/** The small seeded three-class data that the fit, backup and sample-weight tests train on. */
public final class ToyData {
  private ToyData() {}

  /** {@code samples} rows of 4 features, each uniform in [-1, 1), drawn in order from {@code SplittableRandom(seed)}. */
  public static float[][] features(long seed, int samples) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[samples][4];
    for (float[] row : x) {
      for (int j = 0; j < 4; j++) {
        row[j] = (float) r.nextDouble(-1, 1);
      }
    }
    return x;
  }

  /** The class of each row of {@code x}: 2 where {@code x0 + x1 > 0.3}, else 1 where {@code x2 > 0}, else 0. */
  public static int[] classes(float[][] x) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i][0] + x[i][1] > 0.3 ? 2 : x[i][2] > 0 ? 1 : 0;
    }
    return y;
  }
}
