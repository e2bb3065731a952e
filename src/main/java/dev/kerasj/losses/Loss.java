package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Keras loss: builds the scalar loss of one batch from labels and predictions, with Keras' default reduction
 * {@code sum_over_batch_size} (the sum of per-sample losses divided by their count).
 */
public interface Loss {
  /** The Keras identifier, such as {@code "sparse_categorical_crossentropy"}. */
  String name();

  /** True when labels are integer class ids rather than values shaped like the predictions. */
  default boolean sparseLabels() {
    return false;
  }

  /**
   * Builds the scalar batch loss.
   *
   * @param yTrue labels: int32 {@code [batch]} when {@link #sparseLabels()}, else float32 shaped like {@code yPred}
   * @param yPred the model output, {@code [batch, ...outputShape]}
   */
  Operand<TFloat32> call(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred);

  /**
   * The unreduced loss values, Keras' {@code Loss.call}: one per sample, or per sample and step for a sequence
   * output ({@code [batch, steps]}); null for a loss that builds only its reduced value (the default). {@code compile}
   * needs them when the model output carries a mask, which Keras folds into the reduction as a sample weight so that
   * masked steps count for nothing.
   */
  default Operand<TFloat32> values(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return null;
  }
}
