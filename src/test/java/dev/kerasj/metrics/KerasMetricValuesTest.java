package dev.kerasj.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.internal.HostArray;
import dev.kerasj.testing.MetricCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Every metric of {@code testdata/metrics/values} (Keras 3.15.1's {@code update_state} over three batches of 23, 17
 * and 30 rows, then {@code result()}; see testdata/README.md) accumulated by kerasj the way {@code fit} does: one
 * {@link Metric#update} per batch in a TF Java graph, summed on the host, then {@link Metric#result}.
 *
 * <p>Tolerance per value: {@value #RTOL} relative plus {@value #ATOL} absolute, the project's Keras parity
 * tolerance (Keras computes results in float32, kerasj in double). The fixture also records the mean of the
 * per-batch results, and for the stateful metrics that mean is further from Keras' value than the tolerance, so
 * this test fails for a metric averaged per batch.
 */
class KerasMetricValuesTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;
  static final TensorBundle VALUES = new TensorBundle(Path.of("testdata", "metrics", "values"));
  private static final Map<String, Double> MEASURED = new LinkedHashMap<>();

  static Stream<Arguments> caseArguments() {
    return MetricCases.valueCases().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  /**
   * Runs {@code metric.update} on each batch of rows (sizes {@code batches}) in one graph, sums the states in
   * double as the fit loop does, and returns {@code metric.result}.
   */
  public static double[] accumulate(Metric metric, HostArray yTrue, HostArray yPred, int[] batches) {
    return accumulate(metric, yTrue, yPred, null, batches);
  }

  /** {@link #accumulate(Metric, HostArray, HostArray, int[])} with sample weights (null: the unweighted update). */
  public static double[] accumulate(Metric metric, HostArray yTrue, HostArray yPred, HostArray weights,
      int[] batches) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      List<double[]> state = null;
      int start = 0;
      for (int size : batches) {
        HostArray t = yTrue.rows(start, start + size);
        HostArray p = yPred.rows(start, start + size);
        start += size;
        Operand<?> labels = t.isFloat() ? constant(tf, t)
            : tf.constant(Shape.of(t.shape()), DataBuffers.of(t.ints(), true, false));
        List<Operand<TFloat32>> update = weights == null ? metric.update(tf, labels, constant(tf, p))
            : metric.update(tf, labels, constant(tf, p), constant(tf, weights.rows(start - size, start)));
        Session.Runner runner = s.runner();
        update.forEach(runner::fetch);
        try (Result r = runner.run()) {
          if (state == null) {
            state = new ArrayList<>();
            for (int i = 0; i < update.size(); i++) {
              state.add(new double[Math.toIntExact(((TFloat32) r.get(i)).size())]);
            }
          }
          for (int i = 0; i < update.size(); i++) {
            float[] batch = new float[state.get(i).length];
            ((TFloat32) r.get(i)).asRawTensor().data().asFloats().read(batch);
            for (int e = 0; e < batch.length; e++) {
              state.get(i)[e] += batch[e];
            }
          }
        }
      }
      return metric.result(state);
    }
  }

  static Operand<TFloat32> constant(Ops tf, HostArray a) {
    return tf.constant(Shape.of(a.shape()), DataBuffers.of(a.floats(), true, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseArguments")
  void accumulatedOverBatches_equalsKerasResultWithinTolerance(String name, Supplier<Metric> make) {
    Metric metric = make.get();
    boolean sparse = metric instanceof SparseTopKCategoricalAccuracy;
    HostArray yTrue = VALUES.read(name + "/y_true", sparse ? TInt32.class : TFloat32.class);
    HostArray yPred = VALUES.read(name + "/y_pred", TFloat32.class);
    int[] batches = VALUES.read(name + "/batch_sizes", TInt32.class).ints();
    float[] keras = VALUES.read(name + "/result", TFloat32.class).floats();
    float[] batchMean = VALUES.read(name + "/batch_mean", TFloat32.class).floats();
    double[] java = accumulate(metric, yTrue, yPred, batches);
    assertEquals(keras.length, java.length, name + ": result length");
    assertEquals(keras.length == 1, metric.scalar(), name + ": scalar()");
    double worst = 0;
    boolean averagingDiffers = false;
    for (int i = 0; i < keras.length; i++) {
      double diff = Math.abs(keras[i] - java[i]);
      worst = Math.max(worst, diff);
      System.out.printf("[metric parity] %-28s [%d] keras=%.9g java=%.9g |diff|=%.3e%n", name, i, keras[i],
          java[i], diff);
      assertTrue(diff <= ATOL + RTOL * Math.abs(keras[i]), name + "[" + i + "]: keras=" + keras[i] + " java="
          + java[i] + " |diff|=" + diff);
      averagingDiffers |= Math.abs(batchMean[i] - keras[i]) > 10 * (ATOL + RTOL * Math.abs(keras[i]));
    }
    MEASURED.put(name, worst);
    assertTrue(averagingDiffers, name + ": the fixture cannot tell an epoch's value from a per-batch average");
  }

  @Test
  void fixture_coversEveryJavaCase_andNoOther() {
    assertEquals(VALUES.readStrings("meta/cases"), List.copyOf(MetricCases.valueCases().keySet()));
  }

  @AfterAll
  static void printWorst() {
    MEASURED.entrySet().stream().max(Map.Entry.comparingByValue()).ifPresent(e ->
        System.out.printf("[metric parity] worst |diff| %.3e (%s)%n", e.getValue(), e.getKey()));
  }
}
