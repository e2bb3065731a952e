package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Hinge} ({@code "hinge"}): {@code mean(max(1 - y * p, 0), axis=-1)}. Labels are expected to be -1 or
 * 1; when every label of the batch is 0 or 1 they are first mapped to -1 and 1, as Keras does.
 */
public final class Hinge extends LossFunction {
  @Override
  public String name() {
    return "hinge";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return meanLastAxis(tf, margin(tf, yTrue, yPred));
  }

  /** {@code max(1 - y * p, 0)} with Keras' conversion of 0/1 labels to -1/1. */
  static Operand<TFloat32> margin(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> y = binaryLabelsToHinge(tf, asFloat(yTrue));
    return tf.math.maximum(tf.math.sub(tf.constant(1f), tf.math.mul(y, yPred)), tf.constant(0f));
  }

  /**
   * Keras' {@code convert_binary_labels_to_hinge}: {@code 2y - 1} when all labels of the batch are 0 or 1, else the
   * labels unchanged. Keras branches with {@code cond}; a select on one batch-wide boolean gives the same values
   * without a control-flow op (whose gradient TF Java lacks).
   */
  static Operand<TFloat32> binaryLabelsToHinge(Ops tf, Operand<TFloat32> y) {
    Operand<org.tensorflow.types.TBool> zeroOrOne = tf.math.logicalOr(tf.math.equal(y, tf.constant(0f)),
        tf.math.equal(y, tf.constant(1f)));
    Operand<org.tensorflow.types.TBool> isBinary = tf.reduceAll(zeroOrOne,
        tf.range(tf.constant(0), tf.rank(y), tf.constant(1)));
    Operand<TFloat32> converted = tf.math.sub(tf.math.mul(tf.constant(2f), y), tf.constant(1f));
    return tf.select(isBinary, converted, y);
  }
}
