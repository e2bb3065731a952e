package dev.kerasj.metrics;

import dev.kerasj.losses.Loss;

/** Looks up metrics by Keras identifier and resolves {@code "accuracy"} the way Keras 3 does. */
public final class Metrics {
  /** Keras' default threshold of {@code binary_accuracy}. */
  public static final double BINARY_ACCURACY_THRESHOLD = 0.5;

  /** The identifiers {@link #get} knows (aliases and class names left out). */
  public static final java.util.List<String> IDENTIFIERS = java.util.List.of("accuracy", "binary_accuracy",
      "categorical_accuracy", "sparse_categorical_accuracy", "mse", "mae", "auc", "precision", "recall", "f1_score",
      "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy");

  private Metrics() {}

  /**
   * Resolves a metric identifier for a compiled model.
   *
   * <p>{@code "accuracy"}/{@code "acc"} keeps its log key and picks its formula like Keras 3's
   * {@code get_metric}: binary when the output has one unit, sparse categorical when labels are class
   * ids (a sparse loss), categorical otherwise.
   *
   * @param outputShape the model's per-sample output shape
   */
  public static Metric get(String identifier, Loss loss, long[] outputShape) {
    return switch (identifier) {
      case "accuracy", "acc" -> {
        if (outputShape[outputShape.length - 1] == 1) {
          yield MeanMetric.binaryAccuracy(identifier, BINARY_ACCURACY_THRESHOLD);
        }
        yield loss.sparseLabels()
            ? MeanMetric.sparseCategoricalAccuracy(identifier)
            : MeanMetric.categoricalAccuracy(identifier);
      }
      case "binary_accuracy" -> MeanMetric.binaryAccuracy(identifier, BINARY_ACCURACY_THRESHOLD);
      case "categorical_accuracy" -> MeanMetric.categoricalAccuracy(identifier);
      case "sparse_categorical_accuracy" -> MeanMetric.sparseCategoricalAccuracy(identifier);
      case "mse", "mean_squared_error" -> MeanMetric.meanSquaredError(identifier);
      case "mae", "mean_absolute_error" -> MeanMetric.meanAbsoluteError(identifier);
      // Keras resolves these to the class with its default name (or to the function, named as the function).
      case "auc", "AUC" -> AUC.create();
      case "precision", "Precision" -> Precision.create();
      case "recall", "Recall" -> Recall.create();
      case "f1_score", "F1Score" -> F1Score.create();
      case "top_k_categorical_accuracy", "TopKCategoricalAccuracy" -> new TopKCategoricalAccuracy();
      case "sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy" ->
          new SparseTopKCategoricalAccuracy();
      default -> throw new IllegalArgumentException(
          "Unknown metric: '" + identifier + "'. Expected one of: " + String.join(", ", IDENTIFIERS));
    };
  }
}
