package dev.kerasj.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Keras mean metric: per-sample values averaged over every sample seen since the last reset (an epoch, or one
 * {@code evaluate}), exactly as Keras' {@code MeanMetricWrapper}.
 *
 * <p>The model sums {@link #values} and counts them inside each training step and accumulates on the Java side, so
 * a metric never adds variables to the graph.
 */
public interface Metric {
  /** Whether a larger value is better; {@code ModelCheckpoint(mode=auto)} and {@code EarlyStopping} use it. */
  enum Direction {
    MAX,
    MIN
  }

  /** The log key, such as {@code "accuracy"} or {@code "mae"}. */
  String name();

  Direction direction();

  /**
   * Per-sample values, {@code [batch]}.
   *
   * @param yTrue labels in the loss' form (int32 class ids for sparse losses, else float32 like {@code yPred})
   */
  Operand<TFloat32> values(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred);
}
