package dev.kerasj.metrics;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras' {@code keras.metrics.SparseTopKCategoricalAccuracy}, a mean metric over class-id labels: whether {@code yTrue} is among the {@code k} largest predictions (TensorFlow's {@code in_top_k}: classes tied with the
 * k-th largest count as in).
 */
public final class SparseTopKCategoricalAccuracy implements Metric {
  /** Keras' default {@code k}. */
  public static final int DEFAULT_K = 5;
  /** Keras' default name. */
  public static final String DEFAULT_NAME = "sparse_top_k_categorical_accuracy";

  private final int k;
  private final String name;

  /**
   * @throws IllegalArgumentException for {@code k < 1}
   */
  public SparseTopKCategoricalAccuracy(int k, String name) {
    if (k < 1) {
      throw new IllegalArgumentException("Argument `k` must be a positive integer. Received: k=" + k);
    }
    this.k = k;
    this.name = Objects.requireNonNull(name, "name");
  }

  /** With Keras' default name. */
  public SparseTopKCategoricalAccuracy(int k) {
    this(k, DEFAULT_NAME);
  }

  /** With Keras' defaults: {@code k = 5}. */
  public SparseTopKCategoricalAccuracy() {
    this(DEFAULT_K);
  }

  public int k() {
    return k;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> values(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    if (yTrue.shape().numDimensions() != yPred.shape().numDimensions() - 1
        && !(yTrue.shape().numDimensions() == yPred.shape().numDimensions() && yTrue.shape().get(-1) == 1)) {
      throw new IllegalArgumentException("SparseTopKCategoricalAccuracy expects class-id labels, one per row of y_pred. Received: y_true.shape=" + yTrue.shape()
          + ", y_pred.shape=" + yPred.shape());
    }
    long classes = yPred.shape().get(yPred.shape().numDimensions() - 1);
    Operand<TFloat32> flatPred = tf.reshape(yPred, tf.constant(new long[] {-1, classes}));
    Operand<TInt32> target = tf.reshape(tf.dtypes.cast(yTrue, TInt32.class), tf.constant(new int[] {-1}));
    return tf.dtypes.cast(tf.nn.inTopK(flatPred, target, tf.constant(k)), TFloat32.class);
  }

  @Override
  public String toString() {
    return "SparseTopKCategoricalAccuracy(k=" + k + ", name=" + name + ")";
  }
}
