package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.optimizers.SGD;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.StdArrays;

/** BatchNormalization: inference on moving statistics, training on batch statistics and the momentum update. */
class BatchNormalizationTest {
  static final long SEED = 99;
  static final int SAMPLES = 8;
  static final int FEATURES = 3;
  /** float32 arithmetic on values of order 1-10. */
  static final double TOLERANCE = 1e-5;

  static final float[] GAMMA = {2f, 0.5f, -1f};
  static final float[] BETA = {0.1f, -0.2f, 0.3f};
  static final float[] MOVING_MEAN = {1f, -2f, 0.5f};
  static final float[] MOVING_VARIANCE = {4f, 0.25f, 9f};

  /** Seeded data whose per-feature means are far from 0 and variances far from 1. */
  static float[][] data() {
    Random rng = new Random(SEED);
    float[][] x = new float[SAMPLES][FEATURES];
    for (float[] row : x) {
      for (int j = 0; j < FEATURES; j++) {
        row[j] = (float) (3.0 * (j + 1) + (j + 2) * rng.nextGaussian());
      }
    }
    return x;
  }

  static double[] mean(float[][] x) {
    double[] m = new double[FEATURES];
    for (float[] row : x) {
      for (int j = 0; j < FEATURES; j++) {
        m[j] += row[j] / (double) x.length;
      }
    }
    return m;
  }

  /** Keras' (biased, population) batch variance. */
  static double[] variance(float[][] x) {
    double[] m = mean(x);
    double[] v = new double[FEATURES];
    for (float[] row : x) {
      for (int j = 0; j < FEATURES; j++) {
        v[j] += (row[j] - m[j]) * (row[j] - m[j]) / x.length;
      }
    }
    return v;
  }

  static Sequential model(double momentum) {
    Sequential model = new Sequential(Input.of(FEATURES), new BatchNormalization(momentum, 1e-3, null));
    model.setSeed(SEED);
    model.compile(new SGD(1e-3), new MeanSquaredError());
    return model;
  }

  static float[] read(Map<String, FloatNdArray> weights, String path) {
    return StdArrays.array1dCopyOf(weights.get(path));
  }

  static FitOptions oneStep() {
    return FitOptions.builder().epochs(1).batchSize(SAMPLES).shuffle(false).verbose(0).build();
  }

  @Test
  void batchNormalization_atInference_normalizesWithMovingStatistics() {
    float[][] x = data();
    try (Sequential model = model(BatchNormalization.DEFAULT_MOMENTUM)) {
      model.setWeights(List.of(GAMMA, BETA, MOVING_MEAN, MOVING_VARIANCE));

      float[][] out = StdArrays.array2dCopyOf(model.predict(x));

      for (int i = 0; i < SAMPLES; i++) {
        for (int j = 0; j < FEATURES; j++) {
          double expected = GAMMA[j] * (x[i][j] - MOVING_MEAN[j]) / Math.sqrt(MOVING_VARIANCE[j] + 1e-3) + BETA[j];
          assertEquals(expected, out[i][j], TOLERANCE, "sample " + i + " feature " + j + ", seed=" + SEED);
        }
      }
    }
  }

  @Test
  void batchNormalization_inTraining_normalizesWithBatchStatistics() {
    // gamma=1, beta=0 and labels 0: the MSE of the first step is mean_j(var_j / (var_j + eps)) on batch
    // statistics. With the moving statistics (0 and 1) it would be far larger, as the data's means are 3..9.
    float[][] x = data();
    double[] variance = variance(x);
    double expected = 0;
    for (int j = 0; j < FEATURES; j++) {
      expected += variance[j] / (variance[j] + 1e-3) / FEATURES;
    }
    try (Sequential model = model(0.9)) {
      double loss = model.fit(x, new float[SAMPLES][FEATURES], oneStep()).get("loss").get(0);

      assertEquals(expected, loss, TOLERANCE, "first-step loss on batch statistics, seed=" + SEED);
    }
  }

  @Test
  void batchNormalization_oneTrainingStep_updatesMovingStatisticsByMomentumRule() {
    double momentum = 0.9;
    float[][] x = data();
    double[] mean = mean(x);
    double[] variance = variance(x);
    try (Sequential model = model(momentum)) {
      model.setWeights(Map.of("batch_normalization/moving_mean", MOVING_MEAN,
          "batch_normalization/moving_variance", MOVING_VARIANCE));

      model.fit(x, new float[SAMPLES][FEATURES], oneStep());

      Map<String, FloatNdArray> w = model.getWeightsByPath();
      float[] movingMean = read(w, "batch_normalization/moving_mean");
      float[] movingVariance = read(w, "batch_normalization/moving_variance");
      for (int j = 0; j < FEATURES; j++) {
        assertEquals(MOVING_MEAN[j] * momentum + mean[j] * (1 - momentum), movingMean[j], TOLERANCE,
            "moving_mean[" + j + "], seed=" + SEED);
        assertEquals(MOVING_VARIANCE[j] * momentum + variance[j] * (1 - momentum), movingVariance[j], TOLERANCE,
            "moving_variance[" + j + "], seed=" + SEED);
      }
    }
  }

  @Test
  void batchNormalization_predictAndEvaluate_leaveMovingStatisticsUnchanged() {
    float[][] x = data();
    try (Sequential model = model(0.9)) {
      model.setWeights(List.of(GAMMA, BETA, MOVING_MEAN, MOVING_VARIANCE));

      model.predict(x);
      model.evaluate(x, new float[SAMPLES][FEATURES]);

      Map<String, FloatNdArray> w = model.getWeightsByPath();
      assertArrayEquals(MOVING_MEAN, read(w, "batch_normalization/moving_mean"));
      assertArrayEquals(MOVING_VARIANCE, read(w, "batch_normalization/moving_variance"));
    }
  }

  @Test
  void batchNormalization_weights_areGammaBetaTrainableThenMovingStatisticsNot() {
    try (Sequential model = model(0.9)) {
      List<Weight> w = model.weights();

      assertEquals(List.of("gamma", "beta", "moving_mean", "moving_variance"),
          w.stream().map(Weight::name).toList());
      assertTrue(w.get(0).trainable() && w.get(1).trainable());
      assertFalse(w.get(2).trainable() || w.get(3).trainable());
    }
  }

  @Test
  void batchNormalization_initialWeights_areOnesZerosZerosOnes() {
    try (Sequential model = model(0.9)) {
      Map<String, FloatNdArray> w = model.getWeightsByPath();

      assertArrayEquals(new float[] {1f, 1f, 1f}, read(w, "batch_normalization/gamma"));
      assertArrayEquals(new float[] {0f, 0f, 0f}, read(w, "batch_normalization/beta"));
      assertArrayEquals(new float[] {0f, 0f, 0f}, read(w, "batch_normalization/moving_mean"));
      assertArrayEquals(new float[] {1f, 1f, 1f}, read(w, "batch_normalization/moving_variance"));
    }
  }
}
