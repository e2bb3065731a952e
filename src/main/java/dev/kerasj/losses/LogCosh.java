package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code LogCosh} ({@code "log_cosh"}): {@code mean(log(cosh(p - y)), axis=-1)}, computed as Keras does,
 * {@code x + softplus(-2x) - log(2)}, which does not overflow for large errors.
 */
public final class LogCosh extends LossFunction {
  @Override
  public String name() {
    return "log_cosh";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> x = tf.math.sub(yPred, asFloat(yTrue));
    Operand<TFloat32> log2 = tf.math.log(tf.constant(2f));
    Operand<TFloat32> logCosh = tf.math.sub(
        tf.math.add(x, tf.math.softplus(tf.math.mul(x, tf.constant(-2f)))), log2);
    return meanLastAxis(tf, logCosh);
  }
}
