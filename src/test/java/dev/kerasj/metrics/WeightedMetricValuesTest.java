package dev.kerasj.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.internal.HostArray;
import dev.kerasj.testing.MetricCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Every metric of {@code testdata/metrics/values} with sample weights: Keras 3.15.1's {@code update_state(y_true,
 * y_pred, sample_weight)} over the same three batches, then {@code result()}
 * ({@code testdata/weights/metric_values}, made by {@code make_weight_fixtures.py}), against kerasj's weighted
 * {@link Metric#update(org.tensorflow.op.Ops, org.tensorflow.Operand, org.tensorflow.Operand,
 * org.tensorflow.Operand)} summed as {@code fit} sums it. Tolerance: {@value KerasMetricValuesTest#RTOL} relative
 * plus {@value KerasMetricValuesTest#ATOL} absolute. Each case's weighted value also differs from the unweighted one
 * by more than ten times that, so a metric that ignored its weights would fail.
 */
class WeightedMetricValuesTest {
  static final TensorBundle WEIGHTED = new TensorBundle(Path.of("testdata", "weights", "metric_values"));

  static Stream<Arguments> caseArguments() {
    return MetricCases.valueCases().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseArguments")
  void weightedAccumulation_equalsKerasWeightedResult(String name, Supplier<Metric> make) {
    Metric metric = make.get();
    TensorBundle values = KerasMetricValuesTest.VALUES;
    boolean sparse = metric instanceof SparseTopKCategoricalAccuracy;
    HostArray yTrue = values.read(name + "/y_true", sparse ? TInt32.class : TFloat32.class);
    HostArray yPred = values.read(name + "/y_pred", TFloat32.class);
    int[] batches = values.read(name + "/batch_sizes", TInt32.class).ints();
    float[] unweighted = values.read(name + "/result", TFloat32.class).floats();
    HostArray weights = WEIGHTED.read(name + "/sample_weight", TFloat32.class);
    float[] keras = WEIGHTED.read(name + "/result", TFloat32.class).floats();
    double[] java = KerasMetricValuesTest.accumulate(metric, yTrue, yPred, weights, batches);
    assertEquals(keras.length, java.length, name + ": result length");
    boolean weightsMatter = false;
    for (int i = 0; i < keras.length; i++) {
      double tolerance = KerasMetricValuesTest.ATOL + KerasMetricValuesTest.RTOL * Math.abs(keras[i]);
      double diff = Math.abs(keras[i] - java[i]);
      System.out.printf("[weighted metric parity] %-28s [%d] keras=%.9g java=%.9g |diff|=%.3e%n", name, i,
          keras[i], java[i], diff);
      assertTrue(diff <= tolerance, name + "[" + i + "]: keras=" + keras[i] + " java=" + java[i]);
      weightsMatter |= Math.abs(unweighted[i] - keras[i]) > 10 * tolerance;
    }
    assertTrue(weightsMatter, name + ": the weighted result equals the unweighted one; the case proves nothing");
  }

  /**
   * A per-step output's weights ({@code [batch, steps]}, as fit feeds a sequence output) weigh each step's
   * predictions, as Keras' {@code expand_dims(sample_weight, -1)} broadcast over {@code [batch, steps, 1]} does:
   * the counts equal those of the same steps flattened into samples with one weight each. Seed 17.
   */
  @ParameterizedTest(name = "{0} classes")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 3})
  void confusionMetrics_withOneWeightPerStep_countEachStepWithItsWeight(int classes) {
    int n = 6;
    int steps = 4;
    SplittableRandom r = new SplittableRandom(17);
    float[] truth = new float[n * steps * classes];
    float[] pred = new float[truth.length];
    float[] w = new float[n * steps];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = r.nextInt(2);
      pred[i] = (float) r.nextDouble();
    }
    for (int i = 0; i < w.length; i++) {
      w[i] = i % 5 == 0 ? 0f : (float) (2 * r.nextDouble());
    }
    int[] batches = {2, 4};
    for (Supplier<Metric> make : List.<Supplier<Metric>>of(() -> Precision.builder().build(),
        () -> Recall.builder().build(), () -> AUC.builder().build())) {
      double[] perStep = KerasMetricValuesTest.accumulate(make.get(), HostArray.ofFloats(new long[] {n, steps,
          classes}, truth), HostArray.ofFloats(new long[] {n, steps, classes}, pred),
          HostArray.ofFloats(new long[] {n, steps}, w), batches);
      double[] flat = KerasMetricValuesTest.accumulate(make.get(), HostArray.ofFloats(new long[] {n * steps,
          classes}, truth), HostArray.ofFloats(new long[] {n * steps, classes}, pred),
          HostArray.ofFloats(new long[] {n * steps}, w), new int[] {2 * steps, 4 * steps});
      double[] unweighted = KerasMetricValuesTest.accumulate(make.get(), HostArray.ofFloats(new long[] {n, steps,
          classes}, truth), HostArray.ofFloats(new long[] {n, steps, classes}, pred), batches);
      String name = make.get().name() + " (seed 17)";
      assertEquals(flat.length, perStep.length, name);
      boolean weightsMatter = false;
      for (int i = 0; i < flat.length; i++) {
        assertEquals(flat[i], perStep[i], 1e-6 + 1e-5 * Math.abs(flat[i]), name + "[" + i + "]");
        weightsMatter |= Math.abs(unweighted[i] - perStep[i]) > 1e-3;
      }
      assertTrue(weightsMatter, name + ": the weighted result equals the unweighted one; the case proves nothing");
    }
  }

  /** Weights that neither are one per sample nor fit the predictions' steps are refused, naming both shapes. */
  @Test
  void confusionMetric_withWeightsNotFittingThePredictions_isRefusedNamingBothShapes() {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.builder().build()
          .update(tf, tf.zeros(tf.constant(new int[] {6, 4, 1}), TFloat32.class),
              tf.zeros(tf.constant(new int[] {6, 4, 1}), TFloat32.class),
              tf.zeros(tf.constant(new int[] {6, 5}), TFloat32.class)));
      assertEquals("Precision takes one sample weight per sample (shape (batch,)) or per step of the predictions "
          + "without their last axis. Received sample weights of shape [6, 5] for predictions of shape [6, 4, 1]",
          e.getMessage());
    }
  }

  @Test
  void fixture_coversEveryValueCase() {
    assertEquals(WEIGHTED.readStrings("meta/cases"), List.copyOf(MetricCases.valueCases().keySet()));
  }
}
