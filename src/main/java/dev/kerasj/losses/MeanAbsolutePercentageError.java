package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code MeanAbsolutePercentageError} ({@code "mean_absolute_percentage_error"}, {@code "mape"}):
 * {@code 100 * mean(abs((y - p) / max(abs(y), 1e-7)), axis=-1)}; a zero label therefore divides by 1e-7, as in Keras.
 */
public final class MeanAbsolutePercentageError extends LossFunction {
  @Override
  public String name() {
    return "mean_absolute_percentage_error";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> y = asFloat(yTrue);
    Operand<TFloat32> diff = tf.math.abs(tf.math.div(tf.math.sub(y, yPred),
        tf.math.maximum(tf.math.abs(y), tf.constant(EPSILON))));
    return tf.math.mul(tf.constant(100f), meanLastAxis(tf, diff));
  }
}
