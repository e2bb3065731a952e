package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.History;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.metrics.Metric;
import dev.kerasj.optimizers.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Dropout in the training graph and at inference.
 *
 * <p>How the training-mode output is observed: {@code fit} only returns logs, so the model is
 * {@code Input.of(FEATURES), Dropout(rate)} trained for one step on one batch holding every sample, with labels equal
 * to the inputs and three custom {@link Metric}s whose per-element values are computed from the training-mode
 * output {@code yPred} (the model sums and counts a metric's values, so each logged metric is an average over all
 * {@value #SAMPLES}x{@value #FEATURES} elements of that step):
 *
 * <ul>
 *   <li>{@code zero_fraction}: {@code yPred == 0} (the inputs are all in [1, 2), so a zero is a dropped value);
 *   <li>{@code other_fraction}: neither 0 nor exactly {@code x * float(1/(1-rate))}, which must be 0 if every kept
 *       value is scaled by exactly {@code 1/(1-rate)};
 *   <li>{@code output_mean}: {@code yPred} itself, and as every input is distinct, a fingerprint of the mask.
 * </ul>
 */
class DropoutTest {
  static final long SEED = 1234;
  static final int SAMPLES = 200;
  static final int FEATURES = 50;
  static final int N = SAMPLES * FEATURES;
  /** Width, in binomial standard deviations, of the statistical tolerances (a false failure is ~6e-7 likely). */
  static final double SIGMAS = 5.0;

  /** A per-element metric of the training-mode output. */
  record ElementMetric(String name, Formula formula) implements Metric {
    @FunctionalInterface
    interface Formula {
      Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> yPred);
    }

    @Override
    public Direction direction() {
      return Direction.MIN;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Operand<TFloat32> values(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
      return formula.apply(tf, (Operand<TFloat32>) yTrue, yPred);
    }
  }

  static float[][] inputs() {
    float[][] x = new float[SAMPLES][FEATURES];
    for (int i = 0; i < SAMPLES; i++) {
      for (int j = 0; j < FEATURES; j++) {
        x[i][j] = 1f + (i * FEATURES + j) / (float) N;
      }
    }
    return x;
  }

  static Sequential dropoutModel(double rate, long seed) {
    float scale = (float) (1.0 / (1.0 - rate));
    Metric zeros = new ElementMetric("zero_fraction",
        (tf, x, y) -> tf.dtypes.cast(tf.math.equal(y, tf.constant(0f)), TFloat32.class));
    Metric other = new ElementMetric("other_fraction", (tf, x, y) -> tf.dtypes.cast(
        tf.math.logicalAnd(tf.math.notEqual(y, tf.constant(0f)),
            tf.math.notEqual(y, tf.math.mul(x, tf.constant(scale)))), TFloat32.class));
    Metric mean = new ElementMetric("output_mean", (tf, x, y) -> y);
    Sequential model = new Sequential(Input.of(FEATURES), new Dropout(rate));
    model.setSeed(seed);
    model.compile(new SGD(1e-3), new MeanSquaredError(), zeros, other, mean);
    return model;
  }

  /** One epoch per training step: every sample in one unshuffled batch. */
  static History trainSteps(Sequential model, int steps) {
    float[][] x = inputs();
    return model.fit(x, x, FitOptions.builder().epochs(steps).batchSize(SAMPLES).shuffle(false).verbose(0).build());
  }

  @ParameterizedTest(name = "rate={0}")
  @ValueSource(doubles = {0.1, 0.5, 0.8})
  void dropout_inTraining_zeroesAboutRateOfValues(double rate) {
    try (Sequential model = dropoutModel(rate, SEED)) {
      double zeros = trainSteps(model, 1).get("zero_fraction").get(0);

      double tolerance = SIGMAS * Math.sqrt(rate * (1 - rate) / N);
      assertEquals(rate, zeros, tolerance, "fraction of zeros, rate=" + rate + ", seed=" + SEED + ", n=" + N);
    }
  }

  @ParameterizedTest(name = "rate={0}")
  @ValueSource(doubles = {0.1, 0.5, 0.8})
  void dropout_inTraining_scalesKeptValuesByExactlyOneOverOneMinusRate(double rate) {
    try (Sequential model = dropoutModel(rate, SEED)) {
      History h = trainSteps(model, 1);

      assertEquals(0.0, h.get("other_fraction").get(0),
          "fraction of outputs neither 0 nor x/(1-rate), rate=" + rate + ", seed=" + SEED);
      assertTrue(h.get("zero_fraction").get(0) < 1.0, "every value was dropped, rate=" + rate + ", seed=" + SEED);
    }
  }

  @ParameterizedTest(name = "rate={0}")
  @ValueSource(doubles = {0.1, 0.5, 0.8})
  void dropout_inTraining_preservesMean(double rate) {
    float[][] x = inputs();
    double sum = 0;
    double sumSquares = 0;
    for (float[] row : x) {
      for (float v : row) {
        sum += v;
        sumSquares += (double) v * v;
      }
    }
    try (Sequential model = dropoutModel(rate, SEED)) {
      double mean = trainSteps(model, 1).get("output_mean").get(0);

      // Each output is x * B / (1 - rate), B ~ Bernoulli(1 - rate): variance x^2 * rate / (1 - rate).
      double tolerance = SIGMAS * Math.sqrt(sumSquares * rate / (1 - rate)) / N;
      assertEquals(sum / N, mean, tolerance, "mean of outputs vs inputs, rate=" + rate + ", seed=" + SEED);
    }
  }

  @Test
  void dropout_atInference_isIdentity() {
    // A Dense with an identity kernel and no bias sits in front so that the model output is not the input
    // placeholder itself (see SequentialApiTest.predict_modelWhoseOutputIsItsInput_returnsTheInput); x @ I is exact.
    float[][] x = inputs();
    float[][] identity = new float[FEATURES][FEATURES];
    for (int i = 0; i < FEATURES; i++) {
      identity[i][i] = 1f;
    }
    try (Sequential model = new Sequential(
        Input.of(FEATURES), Dense.builder(FEATURES).useBias(false).build(), new Dropout(0.5))) {
      model.setSeed(SEED);
      model.compile(new SGD(1e-3), new MeanSquaredError());
      model.setWeights(List.of((Object) identity));

      float[][] out = StdArrays.array2dCopyOf(model.predict(x));

      for (int i = 0; i < SAMPLES; i++) {
        assertArrayEquals(x[i], out[i], "predict row " + i + ", seed=" + SEED);
      }
    }
  }

  @Test
  void dropout_withRateZero_isIdentityInTraining() {
    try (Sequential model = dropoutModel(0.0, SEED)) {
      History h = trainSteps(model, 1);

      assertEquals(0.0, h.get("zero_fraction").get(0), "seed=" + SEED);
      assertEquals(0.0, h.get("other_fraction").get(0), "seed=" + SEED);
    }
  }

  @Test
  void dropout_sameModelSeed_drawsSameMasks() {
    List<Double> first;
    List<Double> second;
    try (Sequential model = dropoutModel(0.5, SEED)) {
      first = trainSteps(model, 3).get("output_mean");
    }
    try (Sequential model = dropoutModel(0.5, SEED)) {
      second = trainSteps(model, 3).get("output_mean");
    }

    assertEquals(first, second, "per-step mask fingerprints of two models with seed=" + SEED);
  }

  @Test
  void dropout_otherModelSeed_drawsOtherMasks() {
    double first;
    double second;
    try (Sequential model = dropoutModel(0.5, SEED)) {
      first = trainSteps(model, 1).get("output_mean").get(0);
    }
    try (Sequential model = dropoutModel(0.5, SEED + 1)) {
      second = trainSteps(model, 1).get("output_mean").get(0);
    }

    assertNotEquals(first, second, "mask fingerprints of seeds " + SEED + " and " + (SEED + 1));
  }

  @Test
  void dropout_eachTrainingStep_drawsAFreshMask() {
    try (Sequential model = dropoutModel(0.5, SEED)) {
      List<Double> fingerprints = trainSteps(model, 2).get("output_mean");

      assertNotEquals(fingerprints.get(0), fingerprints.get(1), "masks of steps 0 and 1, seed=" + SEED);
    }
  }
}
