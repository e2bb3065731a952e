package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code categorical_crossentropy}: one-hot (or soft) labels shaped like the predictions. When predictions
 * come straight from a softmax, the loss is computed from its logits, as in Keras 3 (even with {@code fromLogits=true},
 * where the softmax's output is not logits).
 */
public final class CategoricalCrossentropy extends LossFunction {
  /** Keras' default {@code label_smoothing=0.0}. */
  public static final double DEFAULT_LABEL_SMOOTHING = 0.0;
  private final boolean fromLogits;
  private final double labelSmoothing;

  public CategoricalCrossentropy() {
    this(false);
  }

  public CategoricalCrossentropy(boolean fromLogits) {
    this(fromLogits, DEFAULT_LABEL_SMOOTHING);
  }

  /**
   * @param labelSmoothing in [0, 1]: labels become {@code y * (1 - s) + s / classes} before the loss, as in Keras
   * @throws IllegalArgumentException for a label smoothing outside [0, 1]
   */
  public CategoricalCrossentropy(boolean fromLogits, double labelSmoothing) {
    this.fromLogits = fromLogits;
    this.labelSmoothing = checkLabelSmoothing("CategoricalCrossentropy", labelSmoothing);
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  public double labelSmoothing() {
    return labelSmoothing;
  }

  @Override
  public String name() {
    return "categorical_crossentropy";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> labels = smoothCategoricalLabels(tf, asFloat(yTrue), labelSmoothing);
    Operand<TFloat32> logits = logits(yPred, fromLogits, "Softmax");
    if (logits != null) {
      return softmaxCrossEntropyWithLogits(tf, logits, labels);
    }
    Operand<TFloat32> p = tf.math.div(yPred,
        tf.sum(yPred, tf.constant(-1), org.tensorflow.op.core.Sum.keepDims(true)));
    p = clipProbabilities(tf, p);
    return tf.math.neg(tf.sum(tf.math.mul(labels, tf.math.log(p)), tf.constant(-1)));
  }
}
