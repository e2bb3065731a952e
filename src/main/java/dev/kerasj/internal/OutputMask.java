package dev.kerasj.internal;

import dev.kerasj.losses.Loss;
import dev.kerasj.metrics.Metric;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What Keras 3 does with the mask a model output carries (an {@code Embedding(mask_zero=True)} or {@code Masking}
 * upstream, kept by {@code LSTM(return_sequences=True)} and {@code Dense}): it becomes the sample weight of the loss
 * and of the mean metrics, so masked steps count for nothing.
 *
 * <p>Loss ({@code keras/src/losses/loss.py}, {@code Loss.__call__} then {@code reduce_weighted_values} with
 * {@code apply_mask} for {@code sum_over_batch_size}): each unmasked element weighs {@code total / valid} (elements
 * of the mask over unmasked ones, {@code divide_no_nan}), each masked one 0, and the weighted values are summed and
 * divided by their count: the mean over the batch's unmasked steps, 0 when every step is masked.
 *
 * <p>Mean metrics ({@code MeanMetricWrapper.update_state}, {@code apply_mask(reduction="sum")}, then
 * {@code reduce_to_samplewise_values}): the 0/1 mask is the sample weight; per sample the mean over its steps of
 * {@code value * mask} is added to the total and the mean of the mask to the count, so the epoch's result is the
 * mean over every unmasked step. Metrics that keep their own state (AUC, Precision, Recall, F1Score: no
 * {@link Metric#values}) ignore the mask, as Keras' confusion metrics do (they never read it).
 */
final class OutputMask {
  private OutputMask() {}

  /**
   * Keras' {@code apply_mask} for {@code sum_over_batch_size}: the sample weights {@code w} (ones when none are fed)
   * times the mask scaled by {@code total / valid}, so that the weighted values, summed and divided by their count,
   * give the weighted mean over the unmasked elements.
   */
  static Operand<TFloat32> lossWeights(Ops tf, Operand<TFloat32> w, Operand<TFloat32> values, Operand<TBool> mask,
      String what, String output) {
    checkRanks(values, mask, what, output);
    Operand<TFloat32> floatMask = tf.dtypes.cast(mask, TFloat32.class);
    Operand<TFloat32> total = tf.dtypes.cast(tf.size(mask), TFloat32.class);
    Operand<TFloat32> valid = tf.sum(floatMask, allAxes(tf, floatMask));
    return tf.math.mul(w, tf.math.mul(floatMask, tf.math.divNoNan(total, valid)));
  }

  /** The error for a loss that gives only its reduced value on an output that carries a mask. */
  static IllegalArgumentException lossWithoutValues(Loss loss, String output) {
    return new IllegalArgumentException("Output '" + output + "' carries a mask (from Embedding(maskZero) or "
        + "Masking upstream), which Keras applies to the loss' unreduced values, but loss '" + loss.name() + "' ("
        + loss.getClass().getName() + ") gives only its reduced value. Expected: a loss with per-element values "
        + "(a LossFunction, or a Loss that implements unreduced). Fix: extend LossFunction, or end the mask before "
        + "the output (a layer that does not support masking, such as Flatten)");
  }

  /**
   * One batch's state of a weighted metric ({@code weighted_metrics}) on an output whose mask is {@code mask}: a
   * mean metric takes the sample weights times the mask (Keras' {@code apply_mask(reduction="sum")}); a metric that
   * keeps its own state takes the sample weights alone, as Keras' confusion metrics never read the mask.
   */
  static List<Operand<TFloat32>> weightedMetric(Ops tf, Metric metric, Operand<?> yTrue, Operand<TFloat32> yPred,
      Operand<TFloat32> w, Operand<TBool> mask) {
    try {
      metric.values(tf, yTrue, yPred);
    } catch (UnsupportedOperationException keepsOwnState) {
      return metric.update(tf, yTrue, yPred, w);
    }
    return metric.update(tf, yTrue, yPred, tf.math.mul(w, tf.dtypes.cast(mask, TFloat32.class)));
  }

  /**
   * One batch's (sum, count) of a mean metric on an output whose mask is {@code mask}; the plain {@link Metric#update}
   * of a metric that keeps its own state.
   */
  static List<Operand<TFloat32>> metric(Ops tf, Metric metric, Operand<?> yTrue, Operand<TFloat32> yPred,
      Operand<TBool> mask, String output) {
    Operand<TFloat32> values;
    try {
      values = metric.values(tf, yTrue, yPred);
    } catch (UnsupportedOperationException keepsOwnState) {
      return metric.update(tf, yTrue, yPred);
    }
    checkRanks(values, mask, "metric '" + metric.name() + "'", output);
    Operand<TFloat32> floatMask = tf.dtypes.cast(mask, TFloat32.class);
    Operand<TFloat32> weighted = tf.math.mul(values, floatMask);
    int rank = mask.shape().numDimensions();
    if (rank > 1) {
      Operand<TInt32> steps = tf.range(tf.constant(1), tf.constant(rank), tf.constant(1));
      weighted = tf.math.mean(weighted, steps);
      floatMask = tf.math.mean(floatMask, steps);
    }
    return List.of(tf.sum(weighted, tf.constant(0)), tf.sum(floatMask, tf.constant(0)));
  }

  /**
   * Keras squeezes or expands a last axis of size 1 when the ranks differ by one; kerasj's losses and metrics give
   * values of the mask's rank for every output a mask reaches, so any other case is refused rather than guessed.
   */
  private static void checkRanks(Operand<TFloat32> values, Operand<TBool> mask, String what, String output) {
    long[] v = values.shape().asArray();
    long[] m = mask.shape().asArray();
    if (v == null || m == null || v.length != m.length) {
      throw new IllegalArgumentException("Output '" + output + "' carries a mask of shape " + Arrays.toString(m)
          + ", but " + what + " gives values of shape " + Arrays.toString(v) + ". Expected: one value per masked "
          + "element (the same rank). Fix: end the mask before the output, or use a loss/metric that reduces only "
          + "the last axis");
    }
  }

  private static Operand<TInt32> allAxes(Ops tf, Operand<?> x) {
    return tf.range(tf.constant(0), tf.rank(x), tf.constant(1));
  }
}
