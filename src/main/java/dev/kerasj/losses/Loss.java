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
   * The loss values before Keras' reduction (what Keras' {@code Loss.call} returns): {@code [batch]}, or
   * {@code [batch, timesteps]} for a sequence output. {@code fit} weights them by the sample weights and reduces
   * them as Keras' {@code sum_over_batch_size} does: {@code sum(values * sample_weight) / size(values)}. Null (the
   * default) for a loss that only gives the reduced value; such a loss cannot take sample or class weights, nor
   * train an output that carries a mask (Keras folds the mask into the sample weights).
   *
   * @param yTrue labels, as for {@link #call}
   * @param yPred the model output, as for {@link #call}
   */
  default Operand<TFloat32> unreduced(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return null;
  }
}
