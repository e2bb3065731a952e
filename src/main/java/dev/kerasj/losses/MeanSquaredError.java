package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code mean_squared_error} ({@code "mse"}): {@code mean(square(yTrue - yPred), axis=-1)}. */
public final class MeanSquaredError extends LossFunction {
  @Override
  public String name() {
    return "mean_squared_error";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return meanLastAxis(tf, tf.math.square(tf.math.sub(asFloat(yTrue), yPred)));
  }
}
