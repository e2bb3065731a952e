package dev.kerasj.metrics;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Keras metric: state accumulated over every batch since the last reset (an epoch, or one {@code evaluate}),
 * then one result, exactly as Keras 3's {@code Metric} ({@code update_state}, {@code result}, {@code reset_state}).
 *
 * <p>The state lives on the host: each training step computes a metric's batch contribution in the graph
 * ({@link #update}, one float32 tensor per Keras state variable, such as AUC's {@code true_positives}), the fit loop
 * adds it to running sums in double precision, and {@link #result} turns the sums into the logged value. Reset is
 * the sums going back to zero. Because every Keras metric's update is an addition to its variables, the epoch's
 * result is exact, not an average of per-batch results; and the sums travel with a {@code BackupAndRestore} backup.
 *
 * <p>A mean metric (Keras' {@code MeanMetricWrapper}, such as {@code accuracy}) implements {@link #values} only: its
 * state is (sum of values, count).
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
   * Per-sample values, {@code [batch]}, of a mean metric. Stateful metrics override {@link #update} and
   * {@link #result} instead and do not support this.
   *
   * @param yTrue labels in the loss' form (int32 class ids for sparse losses, else float32 like {@code yPred})
   */
  default Operand<TFloat32> values(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    throw new UnsupportedOperationException("Metric '" + name() + "' keeps its own state; call update and result");
  }

  /**
   * One batch's contribution to each state variable, in a fixed order and shape: what Keras' {@code update_state}
   * adds to its variables. The default, for mean metrics, is (sum of {@link #values}, their count).
   */
  default List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> v = values(tf, yTrue, yPred);
    return List.of(tf.sum(v, tf.range(tf.constant(0), tf.rank(v), tf.constant(1))),
        tf.dtypes.cast(tf.size(v), TFloat32.class));
  }

  /**
   * One batch's contribution with sample weights, Keras' {@code update_state(y_true, y_pred, sample_weight)} for the
   * metrics compile lists in {@code weighted_metrics}. The default, for mean metrics, is Keras' weighted
   * {@code Mean}: (sum of {@code values * sampleWeight}, sum of {@code sampleWeight}) after Keras'
   * {@code reduce_to_samplewise_values} (a trailing 1 squeezed or added; values of higher rank than the weights
   * averaged down to it; weights of rank 2 averaged per sample). Stateful metrics that Keras weights override it;
   * the others refuse weights.
   *
   * @param sampleWeight float32 {@code [batch]} or {@code [batch, timesteps]}, statically ranked
   * @throws IllegalArgumentException when this metric cannot take sample weights, or their rank cannot match the
   *     values'
   */
  default List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred,
      Operand<TFloat32> sampleWeight) {
    Operand<TFloat32> v;
    try {
      v = values(tf, yTrue, yPred);
    } catch (UnsupportedOperationException e) {
      throw new IllegalArgumentException("Metric '" + name() + "' (" + getClass().getSimpleName() + ") does not "
          + "take sample weights in kerasj. Pass it in `metrics`, not `weightedMetrics`", e);
    }
    return WeightedMean.update(tf, name(), v, sampleWeight);
  }

  /**
   * Keras' {@code result()} from the accumulated state: element {@code i} of {@code state} is the sum of every
   * batch's {@code update(...)[i]}, flattened. Returns one value, or several (one per threshold or class) where
   * Keras returns a vector; {@link #scalar} says which.
   */
  default double[] result(List<double[]> state) {
    double count = state.get(1)[0];
    return new double[] {count == 0 ? 0.0 : state.get(0)[0] / count};
  }

  /**
   * Whether {@link #result} is one value. Only those can be logged by {@code fit}/{@code evaluate}, whose logs map
   * names to numbers.
   */
  default boolean scalar() {
    return true;
  }
}
