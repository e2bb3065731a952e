package dev.kerasj.metrics;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3.15's weighted {@code Mean.update_state(values, sample_weight)} ({@code metrics/reduction_metrics.py}), op
 * for op: {@code reduce_to_samplewise_values}, then {@code total += sum(values)}, {@code count += sum(weights)}.
 * Ranks are static here, as they are when Keras traces its train step.
 */
final class WeightedMean {
  private WeightedMean() {}

  /** (sum of weighted values, sum of weights) of one batch. */
  static List<Operand<TFloat32>> update(Ops tf, String metric, Operand<TFloat32> values,
      Operand<TFloat32> sampleWeight) {
    Operand<TFloat32>[] same = sameRank(tf, values, sampleWeight);
    Operand<TFloat32> v = same[0];
    Operand<TFloat32> w = same[1];
    int weightRank = rank(w);
    int valuesRank = rank(v);
    if (weightRank > valuesRank) {
      throw new IllegalArgumentException("Metric '" + metric + "' gives values of shape " + values.shape()
          + ", which sample weights of shape " + sampleWeight.shape() + " cannot weight (Keras' broadcast_to fails "
          + "too). Give the weights the shape of the values, or one weight per sample");
    }
    if (valuesRank > weightRank) {
      v = tf.math.mean(v, axes(tf, weightRank, valuesRank));
    }
    w = tf.broadcastTo(w, tf.shape(v));
    v = tf.math.mul(v, w);
    if (weightRank > 1) {
      w = tf.math.mean(w, axes(tf, 1, weightRank));
    }
    if (rank(v) > 1) {
      v = tf.math.mean(v, axes(tf, 1, rank(v)));
    }
    return List.of(tf.sum(v, axes(tf, 0, rank(v))), tf.sum(w, axes(tf, 0, rank(w))));
  }

  /** Keras' {@code squeeze_or_expand_to_same_rank(values, weights)} with {@code expand_rank_1=True}. */
  @SuppressWarnings("unchecked")
  static Operand<TFloat32>[] sameRank(Ops tf, Operand<TFloat32> x1, Operand<TFloat32> x2) {
    int r1 = rank(x1);
    int r2 = rank(x2);
    if (r1 == r2 + 1 && last(x1) == 1) {
      if (r2 == 1) {
        x2 = tf.expandDims(x2, tf.constant(-1));
      } else {
        x1 = tf.squeeze(x1, org.tensorflow.op.core.Squeeze.axis(List.of(-1L)));
      }
    }
    if (r2 == r1 + 1 && last(x2) == 1) {
      if (r1 == 1) {
        x1 = tf.expandDims(x1, tf.constant(-1));
      } else {
        x2 = tf.squeeze(x2, org.tensorflow.op.core.Squeeze.axis(List.of(-1L)));
      }
    }
    return new Operand[] {x1, x2};
  }

  static int rank(Operand<?> x) {
    Shape s = x.shape();
    if (s.isUnknown()) {
      throw new IllegalArgumentException("Sample weights need values of known rank. Received: " + x.op().name());
    }
    return s.numDimensions();
  }

  private static long last(Operand<?> x) {
    Shape s = x.shape();
    return s.numDimensions() == 0 ? -1 : s.get(s.numDimensions() - 1);
  }

  private static Operand<org.tensorflow.types.TInt32> axes(Ops tf, int from, int to) {
    int[] a = new int[to - from];
    for (int i = 0; i < a.length; i++) {
      a[i] = from + i;
    }
    return tf.constant(a);
  }
}
