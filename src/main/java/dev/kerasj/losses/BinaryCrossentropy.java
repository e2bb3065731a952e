package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code binary_crossentropy}: labels in {0, 1} shaped like the predictions. With {@code fromLogits=false}
 * (Keras' default) predictions are probabilities; when they come straight from a sigmoid, the loss is computed from
 * the sigmoid's logits, as in Keras 3 (which does so even with {@code fromLogits=true}, where the sigmoid's output
 * is not logits).
 */
public final class BinaryCrossentropy extends LossFunction {
  /** Keras' default {@code label_smoothing=0.0}. */
  public static final double DEFAULT_LABEL_SMOOTHING = 0.0;
  private final boolean fromLogits;
  private final double labelSmoothing;

  public BinaryCrossentropy() {
    this(false);
  }

  public BinaryCrossentropy(boolean fromLogits) {
    this(fromLogits, DEFAULT_LABEL_SMOOTHING);
  }

  /**
   * @param labelSmoothing in [0, 1]: labels become {@code y * (1 - s) + 0.5 * s} before the loss, as in Keras
   * @throws IllegalArgumentException for a label smoothing outside [0, 1]
   */
  public BinaryCrossentropy(boolean fromLogits, double labelSmoothing) {
    this.fromLogits = fromLogits;
    this.labelSmoothing = checkLabelSmoothing("BinaryCrossentropy", labelSmoothing);
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  public double labelSmoothing() {
    return labelSmoothing;
  }

  @Override
  public String name() {
    return "binary_crossentropy";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> labels = smoothBinaryLabels(tf, asFloat(yTrue), labelSmoothing);
    Operand<TFloat32> logits = logits(yPred, fromLogits, "Sigmoid");
    if (logits != null) {
      return meanLastAxis(tf, sigmoidCrossEntropyWithLogits(tf, labels, logits));
    }
    Operand<TFloat32> p = clipProbabilities(tf, yPred);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> bce = tf.math.add(tf.math.mul(labels, tf.math.log(p)),
        tf.math.mul(tf.math.sub(one, labels), tf.math.log(tf.math.sub(one, p))));
    return meanLastAxis(tf, tf.math.neg(bce));
  }

  /** {@code tf.nn.sigmoid_cross_entropy_with_logits}, op for op. */
  static Operand<TFloat32> sigmoidCrossEntropyWithLogits(Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits) {
    Operand<TFloat32> zeros = tf.zerosLike(logits);
    Operand<org.tensorflow.types.TBool> cond = tf.math.greaterEqual(logits, zeros);
    Operand<TFloat32> reluLogits = tf.select(cond, logits, zeros);
    Operand<TFloat32> negAbsLogits = tf.select(cond, tf.math.neg(logits), logits);
    return tf.math.add(tf.math.sub(reluLogits, tf.math.mul(logits, labels)),
        tf.math.log1p(tf.math.exp(negAbsLogits)));
  }
}
