package dev.kerasj.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments get Keras' errors, naming what was received; identifiers resolve as in Keras. */
class MetricArgumentsTest {
  private static void fails(String expected, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertEquals(expected, e.getMessage());
  }

  @Test
  void auc_numThresholdsBelowTwo_failsAsKeras() {
    fails("Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=1",
        () -> AUC.builder().numThresholds(1).build());
    assertEquals(2, AUC.builder().numThresholds(2).build().numThresholds());
  }

  @Test
  void thresholdsOutsideZeroOne_failAsKeras() {
    fails("Threshold values must be in [0, 1]. Received: [1.5]", () -> AUC.builder().thresholds(0.2, 1.5).build());
    fails("Threshold values must be in [0, 1]. Received: [-0.1]", () -> Precision.builder().thresholds(-0.1).build());
    fails("Threshold values must be in [0, 1]. Received: [NaN]", () -> Recall.builder().thresholds(Double.NaN).build());
  }

  @Test
  void kBelowOne_fails() {
    fails("Argument `k` must be a positive integer. Received: k=0", () -> new TopKCategoricalAccuracy(0));
    fails("Argument `k` must be a positive integer. Received: k=-2", () -> new SparseTopKCategoricalAccuracy(-2));
    fails("Argument `top_k` must be a positive integer. Received: top_k=0", () -> Precision.builder().topK(0).build());
  }

  @Test
  void f1Score_badThresholdOrAverage_failsAsKeras() {
    fails("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: threshold=0.0",
        () -> F1Score.builder().threshold(0.0).build());
    fails("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. "
        + "Received: average=samples", () -> F1Score.Average.of("samples"));
  }

  @Test
  void auc_badCurveOrSummation_failsAsKeras() {
    fails("Invalid AUC curve value: \"pr_gain\". Expected values are [\"PR\", \"ROC\", \"PRGAIN\"]",
        () -> AUC.Curve.of("pr_gain"));
    fails("Invalid AUC summation method value: \"trapezoid\". Expected values are [\"interpolation\", "
        + "\"majoring\", \"minoring\"]", () -> AUC.SummationMethod.of("trapezoid"));
  }

  @Test
  void identifiers_resolveToKerasClassesWithKerasDefaultNames() {
    long[] shape = {10};
    assertInstanceOf(AUC.class, Metrics.get("auc", new CategoricalCrossentropy(), shape));
    assertEquals("auc", Metrics.get("AUC", new CategoricalCrossentropy(), shape).name());
    assertEquals("precision", Metrics.get("precision", new CategoricalCrossentropy(), shape).name());
    assertEquals("recall", Metrics.get("Recall", new CategoricalCrossentropy(), shape).name());
    assertEquals("f1_score", Metrics.get("f1_score", new CategoricalCrossentropy(), shape).name());
    assertEquals(5, ((TopKCategoricalAccuracy) Metrics.get("top_k_categorical_accuracy",
        new CategoricalCrossentropy(), shape)).k());
    assertEquals("sparse_top_k_categorical_accuracy", Metrics.get("sparse_top_k_categorical_accuracy",
        new SparseCategoricalCrossentropy(), shape).name());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Metrics.get("roc", new CategoricalCrossentropy(), shape));
    assertTrue(e.getMessage().contains("'roc'") && e.getMessage().contains("auc, precision, recall"),
        e.getMessage());
  }

  @Test
  void classIdLabelsWithConfusionOrTopKMetrics_failAtCompileNamingTheShapes() {
    for (Metric m : java.util.List.of(AUC.create(), Precision.create(), Recall.create(),
        F1Score.builder().average(F1Score.Average.MACRO).build(), new TopKCategoricalAccuracy())) {
      try (dev.kerasj.Sequential model = new dev.kerasj.Sequential(dev.kerasj.layers.Input.of(4),
          new dev.kerasj.layers.Dense(3, "softmax"))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> model.compile(new dev.kerasj.optimizers.SGD(0.1), new SparseCategoricalCrossentropy(), m));
        assertTrue(e.getMessage().contains("y_true.shape=[-1]") && e.getMessage().contains("[-1, 3]"),
            m + ": " + e.getMessage());
      }
    }
    try (dev.kerasj.Sequential model = new dev.kerasj.Sequential(dev.kerasj.layers.Input.of(4),
        new dev.kerasj.layers.Dense(3, "softmax"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.compile(new dev.kerasj.optimizers.SGD(0.1), new CategoricalCrossentropy(),
              new SparseTopKCategoricalAccuracy()));
      assertTrue(e.getMessage().contains("class-id labels"), e.getMessage());
    }
  }
}
