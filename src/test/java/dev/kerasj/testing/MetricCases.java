package dev.kerasj.testing;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.metrics.AUC;
import dev.kerasj.metrics.F1Score;
import dev.kerasj.metrics.Metric;
import dev.kerasj.metrics.Precision;
import dev.kerasj.metrics.Recall;
import dev.kerasj.metrics.SparseTopKCategoricalAccuracy;
import dev.kerasj.metrics.TopKCategoricalAccuracy;
import dev.kerasj.optimizers.SGD;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The Java side of python-interop/make_metric_fixtures.py: each value case's metric and the digits model. */
public final class MetricCases {
  public static final Path VALUES = Path.of("testdata", "metrics", "values");
  public static final Path DIGITS = Path.of("testdata", "metrics", "train", "digits");
  public static final Path DIGITS_KERAS = Path.of("testdata", "metrics", "keras", "digits.keras");

  private MetricCases() {}

  /** The Java twin of each case of make_metric_fixtures.py's VALUE_CASES, in its order. */
  public static Map<String, Supplier<Metric>> valueCases() {
    Map<String, Supplier<Metric>> m = new LinkedHashMap<>();
    m.put("auc_roc", AUC::create);
    m.put("auc_pr", () -> AUC.builder().curve(AUC.Curve.PR).build());
    m.put("auc_roc_minoring_50", () -> AUC.builder().numThresholds(50)
        .summationMethod(AUC.SummationMethod.MINORING).build());
    m.put("auc_pr_majoring", () -> AUC.builder().curve(AUC.Curve.PR)
        .summationMethod(AUC.SummationMethod.MAJORING).build());
    m.put("auc_roc_thresholds", () -> AUC.builder().thresholds(0.1, 0.3, 0.35, 0.8).build());
    m.put("auc_pr_3", () -> AUC.builder().curve(AUC.Curve.PR).numThresholds(3).build());
    m.put("auc_one_hot_flattened", AUC::create);
    m.put("precision", Precision::create);
    m.put("precision_threshold_07", () -> Precision.builder().thresholds(0.7).build());
    m.put("precision_thresholds", () -> Precision.builder().thresholds(0.2, 0.5, 0.8).build());
    m.put("precision_even_thresholds", () -> Precision.builder().thresholds(0.0, 0.25, 0.5, 0.75, 1.0).build());
    m.put("precision_top_k", () -> Precision.builder().topK(2).build());
    m.put("precision_class_id", () -> Precision.builder().classId(1).build());
    m.put("recall", Recall::create);
    m.put("recall_thresholds", () -> Recall.builder().thresholds(0.3, 0.6).build());
    m.put("recall_top_k_class_id", () -> Recall.builder().topK(2).classId(3).build());
    m.put("top_k_categorical", TopKCategoricalAccuracy::new);
    m.put("top_k_categorical_2", () -> new TopKCategoricalAccuracy(2));
    m.put("sparse_top_k_categorical", SparseTopKCategoricalAccuracy::new);
    m.put("sparse_top_k_categorical_2", () -> new SparseTopKCategoricalAccuracy(2));
    m.put("f1_none", F1Score::create);
    m.put("f1_micro", () -> F1Score.builder().average(F1Score.Average.MICRO).build());
    m.put("f1_macro", () -> F1Score.builder().average(F1Score.Average.MACRO).build());
    m.put("f1_weighted", () -> F1Score.builder().average(F1Score.Average.WEIGHTED).build());
    m.put("f1_macro_threshold", () -> F1Score.builder().average(F1Score.Average.MACRO).threshold(0.3).build());
    return m;
  }

  /** The Java twin of make_metric_fixtures.py's train_digits model, compiled as Keras was. */
  public static Sequential digitsModel() {
    Sequential model = new Sequential(Input.of(64), new Dense(16, "relu"), new Dense(10, "softmax"));
    model.compile(new SGD(0.5), new CategoricalCrossentropy(), "auc",
        AUC.builder().curve(AUC.Curve.PR).numThresholds(50).name("pr_auc").build(), "precision",
        Recall.builder().thresholds(0.3).name("recall_at_03").build(), "top_k_categorical_accuracy",
        F1Score.builder().average(F1Score.Average.MACRO).build(), "accuracy");
    return model;
  }

}
