package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code MeanSquaredLogarithmicError} ({@code "mean_squared_logarithmic_error"}, {@code "msle"}):
 * {@code mean(square(log(max(p, 1e-7) + 1) - log(max(y, 1e-7) + 1)), axis=-1)}.
 */
public final class MeanSquaredLogarithmicError extends LossFunction {
  @Override
  public String name() {
    return "mean_squared_logarithmic_error";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> eps = tf.constant(EPSILON);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> first = tf.math.log(tf.math.add(tf.math.maximum(yPred, eps), one));
    Operand<TFloat32> second = tf.math.log(tf.math.add(tf.math.maximum(asFloat(yTrue), eps), one));
    return meanLastAxis(tf, tf.math.square(tf.math.sub(first, second)));
  }
}
