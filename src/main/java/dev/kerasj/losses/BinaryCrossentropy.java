package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code binary_crossentropy}: labels in {0, 1} shaped like the predictions. With {@code fromLogits=false}
 * (Keras' default) predictions are probabilities; when they come straight from a sigmoid, the loss is computed from
 * the sigmoid's logits, as in Keras 3.
 */
public final class BinaryCrossentropy extends LossFunction {
  private final boolean fromLogits;

  public BinaryCrossentropy() {
    this(false);
  }

  public BinaryCrossentropy(boolean fromLogits) {
    this.fromLogits = fromLogits;
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  @Override
  public String name() {
    return "binary_crossentropy";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> labels = asFloat(yTrue);
    Operand<TFloat32> logits = fromLogits ? yPred : logitsBehind(yPred, "Sigmoid");
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
