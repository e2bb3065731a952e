package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code mean_absolute_error} ({@code "mae"}): {@code mean(abs(yTrue - yPred), axis=-1)}. */
public final class MeanAbsoluteError extends LossFunction {
  @Override
  public String name() {
    return "mean_absolute_error";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return meanLastAxis(tf, tf.math.abs(tf.math.sub(asFloat(yTrue), yPred)));
  }
}
