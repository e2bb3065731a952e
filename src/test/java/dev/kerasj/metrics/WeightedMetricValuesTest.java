package dev.kerasj.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.internal.HostArray;
import dev.kerasj.testing.MetricCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.List;
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

  @Test
  void fixture_coversEveryValueCase() {
    assertEquals(WEIGHTED.readStrings("meta/cases"), List.copyOf(MetricCases.valueCases().keySet()));
  }
}
