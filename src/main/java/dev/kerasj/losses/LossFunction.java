package dev.kerasj.losses;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Base of the built-in losses: subclasses give per-sample values ({@code [batch]}); this class applies Keras'
 * {@code sum_over_batch_size} reduction exactly as Keras does ({@code divide_no_nan(sum(values), size(values))}).
 */
public abstract class LossFunction implements Loss {
  /** Keras' {@code backend.epsilon()}, used to clip probabilities. */
  public static final float EPSILON = 1e-7f;

  /** Per-sample loss values, {@code [batch]}. */
  protected abstract Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred);

  @Override
  public final Operand<TFloat32> call(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> values = perSample(tf, yTrue, yPred);
    Operand<TFloat32> count = tf.dtypes.cast(tf.size(values), TFloat32.class);
    return tf.math.divNoNan(tf.sum(values, tf.range(tf.constant(0), tf.rank(values), tf.constant(1))), count);
  }

  /** {@link #perSample}: the values Keras' {@code call} returns, which sample weights multiply. */
  @Override
  public final Operand<TFloat32> unreduced(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return perSample(tf, yTrue, yPred);
  }

  /** Mean over the last axis, Keras' {@code ops.mean(x, axis=-1)}. */
  static Operand<TFloat32> meanLastAxis(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(x, tf.constant(-1));
  }

  /** Keras' {@code clip_by_value(x, eps, 1 - eps)}, built like TensorFlow's: minimum, then maximum. */
  static Operand<TFloat32> clipProbabilities(Ops tf, Operand<TFloat32> p) {
    return clip(tf, p, EPSILON, 1f - EPSILON);
  }

  /** TensorFlow's {@code clip_by_value(x, lo, hi)}, op for op: minimum with {@code hi}, then maximum with {@code lo}. */
  static Operand<TFloat32> clip(Ops tf, Operand<TFloat32> x, float lo, float hi) {
    return tf.math.maximum(tf.math.minimum(x, tf.constant(hi)), tf.constant(lo));
  }

  /**
   * Keras' binary label smoothing, {@code y * (1 - s) + 0.5 * s}, skipped at {@code s = 0} as Keras skips it. The
   * constants are rounded from double to float32 as Python's floats are.
   */
  static Operand<TFloat32> smoothBinaryLabels(Ops tf, Operand<TFloat32> labels, double smoothing) {
    if (smoothing == 0) {
      return labels;
    }
    return tf.math.add(tf.math.mul(labels, tf.constant((float) (1.0 - smoothing))),
        tf.constant((float) (0.5 * smoothing)));
  }

  /** Keras' categorical label smoothing, {@code y * (1 - s) + s / num_classes}, with the class count in float32. */
  static Operand<TFloat32> smoothCategoricalLabels(Ops tf, Operand<TFloat32> labels, double smoothing) {
    if (smoothing == 0) {
      return labels;
    }
    Operand<TFloat32> classes = tf.dtypes.cast(tf.reshape(lastDimension(tf, labels), tf.constant(new int[0])),
        TFloat32.class);
    return tf.math.add(tf.math.mul(labels, tf.constant((float) (1.0 - smoothing))),
        tf.math.div(tf.constant((float) smoothing), classes));
  }

  /**
   * Rejects a {@code label_smoothing} outside [0, 1]. Keras 3.15 accepts any float and silently computes labels
   * outside [0, 1] with it; kerasj refuses such a value where it is given.
   */
  static double checkLabelSmoothing(String loss, double labelSmoothing) {
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException(loss + " expects label_smoothing in [0, 1]. Received: label_smoothing="
          + labelSmoothing);
    }
    return labelSmoothing;
  }

  /**
   * Returns the logits behind {@code output} when it was produced by an op of type {@code opType}
   * ({@code Softmax}/{@code Sigmoid}), or null. Keras 3 does the same so that a softmax output layer and a
   * crossentropy loss train on logits, which is more accurate than on clipped probabilities.
   */
  static Operand<TFloat32> logitsBehind(Operand<TFloat32> output, String opType) {
    if (output.op().type().equals(opType) && output.op() instanceof org.tensorflow.GraphOperation g
        && g.numInputs() == 1) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> logits = (Operand<TFloat32>) g.input(0);
      return logits;
    }
    return null;
  }

  /**
   * The logits a crossentropy is computed from, or null for clipped probabilities, decided as Keras 3's
   * {@code _get_logits} does: the input of a {@code Softmax}/{@code Sigmoid} op that produced {@code output} whatever
   * {@code fromLogits} says (Keras warns when it is true: the output was not logits), else {@code output} itself
   * when {@code fromLogits}.
   */
  static Operand<TFloat32> logits(Operand<TFloat32> output, boolean fromLogits, String opType) {
    Operand<TFloat32> behind = logitsBehind(output, opType);
    return behind != null ? behind : fromLogits ? output : null;
  }

  /**
   * {@code tf.nn.softmax_cross_entropy_with_logits} over the last axis, as Python's wrapper builds it: the kernel
   * takes rank 2 only, so higher-rank inputs are flattened to {@code [-1, classes]} and the result reshaped back.
   */
  static Operand<TFloat32> softmaxCrossEntropyWithLogits(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> labels) {
    if (logits.shape().numDimensions() == 2) {
      return tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss();
    }
    Operand<TInt32> outer = tf.slice(tf.shape(logits), tf.constant(new int[] {0}), lastAxis(tf, logits));
    Operand<TInt32> flat = tf.concat(List.of(tf.constant(new int[] {-1}), lastDimension(tf, logits)), tf.constant(0));
    Operand<TFloat32> loss = tf.nn.softmaxCrossEntropyWithLogits(tf.reshape(logits, flat), tf.reshape(labels, flat))
        .loss();
    return tf.reshape(loss, outer);
  }

  /** {@code [rank - 1]}: the index of the last axis, as a one-element vector. */
  private static Operand<TInt32> lastAxis(Ops tf, Operand<?> x) {
    return tf.reshape(tf.math.sub(tf.rank(x), tf.constant(1)), tf.constant(new int[] {1}));
  }

  /** {@code [shape[-1]]}: the size of the last axis at run time, as a one-element vector. */
  private static Operand<TInt32> lastDimension(Ops tf, Operand<?> x) {
    return tf.slice(tf.shape(x), lastAxis(tf, x), tf.constant(new int[] {1}));
  }

  @SuppressWarnings("unchecked")
  static Operand<TFloat32> asFloat(Operand<?> x) {
    return (Operand<TFloat32>) x;
  }
}
