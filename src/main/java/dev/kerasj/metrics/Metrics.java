package dev.kerasj.metrics;

import dev.kerasj.losses.Loss;

/** Looks up metrics by Keras identifier and resolves {@code "accuracy"} the way Keras 3 does. */
public final class Metrics {
  /** Keras' default threshold of {@code binary_accuracy}. */
  public static final double BINARY_ACCURACY_THRESHOLD = 0.5;

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
      default -> throw new IllegalArgumentException(
          "Unknown metric: '" + identifier + "'. Expected one of: accuracy, binary_accuracy, categorical_accuracy, "
              + "sparse_categorical_accuracy, mse, mae");
    };
  }
}
