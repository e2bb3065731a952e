/**
 * Keras metrics, each declaring whether higher is better: mean metrics ({@code accuracy} resolved like Keras 3, mae,
 * mse, the top-k accuracies) and the stateful AUC, Precision, Recall and F1Score, whose state is summed over an epoch
 * so their value is exact, not an average of per-batch values ({@link dev.kerasj.metrics.Metric}).
 */
package dev.kerasj.metrics;
