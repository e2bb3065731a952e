package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras {@code sparse_categorical_crossentropy}: integer class ids {@code [batch]} against class scores
 * {@code [batch, classes]}.
 *
 * <p>TensorFlow's {@code SparseSoftmaxCrossEntropyWithLogits} has no gradient in TF Java's C++ registry, so the
 * labels go through {@code OneHot} into {@code SoftmaxCrossEntropyWithLogits}: the same value and the same gradient
 * ({@code softmax - onehot}). Label ranges are validated on the Java side before the step runs.
 */
public final class SparseCategoricalCrossentropy extends LossFunction {
  private final boolean fromLogits;

  public SparseCategoricalCrossentropy() {
    this(false);
  }

  public SparseCategoricalCrossentropy(boolean fromLogits) {
    this.fromLogits = fromLogits;
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  @Override
  public String name() {
    return "sparse_categorical_crossentropy";
  }

  @Override
  public boolean sparseLabels() {
    return true;
  }

  @Override
  @SuppressWarnings("unchecked")
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> logits = logits(yPred, fromLogits, "Softmax");
    if (logits == null) {
      logits = tf.math.log(clipProbabilities(tf, yPred));
    }
    long classes = logits.shape().get(logits.shape().numDimensions() - 1);
    if (classes <= 0) {
      throw new IllegalStateException("sparse_categorical_crossentropy needs a static class dimension");
    }
    Operand<TInt32> depth = tf.constant((int) classes);
    Operand<TFloat32> onehot = tf.oneHot((Operand<TInt32>) yTrue, depth, tf.constant(1f), tf.constant(0f));
    return softmaxCrossEntropyWithLogits(tf, logits, onehot);
  }
}
