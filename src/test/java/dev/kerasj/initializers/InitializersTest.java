package dev.kerasj.initializers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.StdArrays;

/**
 * Initializer distributions, checked on samples of tens of thousands of values. Statistical tolerances are
 * {@value #SIGMAS} standard errors of the estimate, so a correct initializer fails with any seed with probability
 * under 1e-6, while a wrong scale (for example fan_avg instead of fan_in) is off by far more.
 */
class InitializersTest {
  static final long SEED = 42;
  static final double SIGMAS = 5.0;

  /** Sample statistics of {@code v}: {mean, variance (about 0), min, max}. */
  static double[] stats(float[] v) {
    double sum = 0;
    double squares = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (float f : v) {
      sum += f;
      squares += (double) f * f;
      min = Math.min(min, f);
      max = Math.max(max, f);
    }
    return new double[] {sum / v.length, squares / v.length, min, max};
  }

  /**
   * Checks a uniform sample on {@code [-limit, limit)}: every value within the limit, the extremes near it, mean
   * 0 and variance limit^2/3.
   */
  static void assertUniform(float[] v, double limit, String what) {
    double[] s = stats(v);
    int n = v.length;
    String where = what + ", seed=" + SEED + ", n=" + n;
    assertTrue(s[2] >= -(float) limit && s[3] <= (float) limit, "range [" + s[2] + ", " + s[3] + "] vs limit "
        + limit + ", " + where);
    // The chance that no value of n falls within 1% of an end is (0.995)^n, below 1e-100 here.
    assertTrue(s[2] < -0.99 * limit && s[3] > 0.99 * limit, "range [" + s[2] + ", " + s[3] + "] too narrow for limit "
        + limit + ", " + where);
    double variance = limit * limit / 3;
    assertEquals(0.0, s[0], SIGMAS * Math.sqrt(variance / n), "mean, " + where);
    // Var(v^2) of a uniform is 4 limit^4 / 45.
    assertEquals(variance, s[1], SIGMAS * Math.sqrt(4 * Math.pow(limit, 4) / 45 / n), "variance, " + where);
  }

  /**
   * Checks a normal sample truncated at two raw standard deviations with Keras' correction: every value within
   * {@code 2*stddev/0.8796...}, and the variance {@code stddev^2}.
   */
  static void assertTruncatedNormal(float[] v, double stddev, String what) {
    double[] s = stats(v);
    int n = v.length;
    String where = what + ", seed=" + SEED + ", n=" + n;
    double bound = 2 * stddev / 0.87962566103423978;
    assertTrue(s[2] >= -bound * (1 + 1e-6) && s[3] <= bound * (1 + 1e-6),
        "range [" + s[2] + ", " + s[3] + "] vs truncation at " + bound + ", " + where);
    // About 1.25% of a normal truncated at 2 lies beyond 1.9; absent in n values has probability < 1e-100.
    assertTrue(s[2] < -0.95 * bound && s[3] > 0.95 * bound,
        "range [" + s[2] + ", " + s[3] + "] does not reach the truncation at " + bound + ", " + where);
    assertEquals(0.0, s[0], SIGMAS * stddev / Math.sqrt(n), "mean, " + where);
    // Var(v^2) <= 2 stddev^4 (the normal's; truncation lowers the kurtosis).
    assertEquals(stddev * stddev, s[1], SIGMAS * Math.sqrt(2.0 / n) * stddev * stddev, "variance, " + where);
  }

  @Test
  void glorotUniform_isUniformWithinSqrtSixOverFanInPlusFanOut() {
    float[] v = VarianceScaling.glorotUniform(SEED).generate(new long[] {300, 200}, 0);

    assertUniform(v, Math.sqrt(6.0 / (300 + 200)), "glorot_uniform [300, 200]");
  }

  @Test
  void glorotNormal_hasStddevSqrtTwoOverFanInPlusFanOut() {
    float[] v = VarianceScaling.glorotNormal(SEED).generate(new long[] {300, 200}, 0);

    assertTruncatedNormal(v, Math.sqrt(2.0 / (300 + 200)), "glorot_normal [300, 200]");
  }

  @Test
  void heNormal_hasStddevSqrtTwoOverFanIn() {
    // fan_in 50 and fan_out 800 differ 16-fold, so a fan_avg or fan_out scale would be far off.
    float[] v = VarianceScaling.heNormal(SEED).generate(new long[] {50, 800}, 0);

    assertTruncatedNormal(v, Math.sqrt(2.0 / 50), "he_normal [50, 800]");
  }

  @Test
  void heUniform_isUniformWithinSqrtSixOverFanIn() {
    float[] v = VarianceScaling.heUniform(SEED).generate(new long[] {50, 800}, 0);

    assertUniform(v, Math.sqrt(6.0 / 50), "he_uniform [50, 800]");
  }

  @Test
  void convKernelFans_foldInTheReceptiveField() {
    assertArrayEquals(new double[] {3 * 3 * 16, 3 * 3 * 32}, Initializer.fans(new long[] {3, 3, 16, 32}));
    assertArrayEquals(new double[] {5 * 1 * 2, 5 * 1 * 7}, Initializer.fans(new long[] {5, 1, 2, 7}));
  }

  @Test
  void denseAndVectorFans_areKerasComputeFans() {
    assertArrayEquals(new double[] {300, 200}, Initializer.fans(new long[] {300, 200}));
    assertArrayEquals(new double[] {7, 7}, Initializer.fans(new long[] {7}));
    assertArrayEquals(new double[] {1, 1}, Initializer.fans(new long[] {}));
  }

  @Test
  void heUniform_onConvKernel_usesReceptiveFieldFanIn() {
    float[] v = VarianceScaling.heUniform(SEED).generate(new long[] {3, 3, 16, 32}, 0);

    assertUniform(v, Math.sqrt(6.0 / (3 * 3 * 16)), "he_uniform [3, 3, 16, 32]");
  }

  @Test
  void glorotUniform_onConvKernel_usesReceptiveFieldFans() {
    float[] v = VarianceScaling.glorotUniform(SEED).generate(new long[] {3, 3, 16, 32}, 0);

    assertUniform(v, Math.sqrt(6.0 / (3 * 3 * 16 + 3 * 3 * 32)), "glorot_uniform [3, 3, 16, 32]");
  }

  @Test
  void randomNormal_defaults_areMeanZeroStddevFiveHundredths() {
    RandomNormal init = new RandomNormal();
    float[] v = init.generate(new long[] {200, 200}, SEED);
    double[] s = stats(v);
    int n = v.length;

    assertEquals(0.0, init.mean());
    assertEquals(0.05, init.stddev());
    assertEquals(0.0, s[0], SIGMAS * 0.05 / Math.sqrt(n), "mean, seed=" + SEED);
    assertEquals(0.05 * 0.05, s[1], SIGMAS * Math.sqrt(2.0 / n) * 0.05 * 0.05, "variance, seed=" + SEED);
  }

  @Test
  void randomUniform_defaults_areWithinFiveHundredths() {
    RandomUniform init = new RandomUniform();

    assertEquals(-0.05, init.minval());
    assertEquals(0.05, init.maxval());
    assertUniform(init.generate(new long[] {200, 200}, SEED), 0.05, "random_uniform defaults");
  }

  @Test
  void randomUniform_customRange_isShifted() {
    float[] v = new RandomUniform(2.0, 4.0, SEED).generate(new long[] {10_000}, 0);
    double[] s = stats(v);

    assertTrue(s[2] >= 2.0 && s[3] <= 4.0, "range [" + s[2] + ", " + s[3] + "], seed=" + SEED);
    assertEquals(3.0, s[0], SIGMAS * Math.sqrt(1.0 / 3 / v.length), "mean, seed=" + SEED);
  }

  @Test
  void zerosAndOnes_fillEveryValue() {
    float[] zeros = Initializers.get("zeros").generate(new long[] {3, 4}, SEED);
    float[] ones = Initializers.get("ones").generate(new long[] {3, 4}, SEED);

    float[] expectedOnes = new float[12];
    Arrays.fill(expectedOnes, 1f);
    assertArrayEquals(new float[12], zeros);
    assertArrayEquals(expectedOnes, ones);
  }

  @ParameterizedTest
  @ValueSource(strings = {"glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "random_normal",
      "random_uniform"})
  void unseededInitializer_isDeterministicInTheFallbackSeed(String name) {
    Initializer init = Initializers.get(name);
    long[] shape = {20, 30};

    float[] a = init.generate(shape, SEED);
    float[] b = init.generate(shape, SEED);
    float[] c = init.generate(shape, SEED + 1);

    assertArrayEquals(a, b, name + " twice with seed=" + SEED);
    assertFalse(Arrays.equals(a, c), name + " with seeds " + SEED + " and " + (SEED + 1));
  }

  @Test
  void explicitSeed_winsOverTheFallbackSeed() {
    long[] shape = {20, 30};

    float[] a = VarianceScaling.glorotUniform(SEED).generate(shape, 1);
    float[] b = VarianceScaling.glorotUniform(SEED).generate(shape, 2);
    float[] c = VarianceScaling.glorotUniform(SEED + 1).generate(shape, 1);

    assertArrayEquals(a, b, "explicit seed=" + SEED + " with fallback seeds 1 and 2");
    assertFalse(Arrays.equals(a, c), "explicit seeds " + SEED + " and " + (SEED + 1));
  }

  @Test
  void modelSeed_determinesInitialWeights() {
    List<float[][]> kernels = new java.util.ArrayList<>();
    for (long seed : new long[] {SEED, SEED, SEED + 1}) {
      try (Sequential model = new Sequential(Input.of(4), new Dense(3))) {
        model.setSeed(seed);
        kernels.add(StdArrays.array2dCopyOf(model.getWeights().get(0)));
      }
    }

    assertTrue(Arrays.deepEquals(kernels.get(0), kernels.get(1)), "two models with seed=" + SEED);
    assertFalse(Arrays.deepEquals(kernels.get(0), kernels.get(2)), "models with seeds " + SEED + ", " + (SEED + 1));
  }

  @Test
  void modelSeed_givesEachLayerItsOwnStream() {
    // Two identical layers of one model must not start from the same values.
    try (Sequential model = new Sequential(Input.of(4), new Dense(4), new Dense(4))) {
      model.setSeed(SEED);
      List<org.tensorflow.ndarray.FloatNdArray> w = model.getWeights();

      assertFalse(Arrays.deepEquals(StdArrays.array2dCopyOf(w.get(0)), StdArrays.array2dCopyOf(w.get(2))),
          "dense/kernel == dense_1/kernel, seed=" + SEED);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "random_normal",
      "random_uniform", "zeros", "ones"})
  void get_kerasName_returnsInitializerOfThatName(String name) {
    assertEquals(name, Initializers.get(name).name());
  }

  @Test
  void get_unknownName_throwsListingChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Initializers.get("xavier"));

    assertTrue(e.getMessage().contains("'xavier'"), e.getMessage());
    for (String choice : List.of("glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "random_normal",
        "random_uniform", "zeros", "ones")) {
      assertTrue(e.getMessage().contains(choice), "choice " + choice + " missing: " + e.getMessage());
    }
  }

  @Test
  void varianceScaling_invalidMode_throwsNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new VarianceScaling(1.0, "fan_sum", "uniform", null, "custom"));

    assertTrue(e.getMessage().contains("mode=fan_sum"), e.getMessage());
  }
}
