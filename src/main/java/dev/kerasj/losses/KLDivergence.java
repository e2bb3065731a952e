package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code KLDivergence} ({@code "kl_divergence"}, {@code "kld"}): {@code sum(y * log(y / p), axis=-1)} with
 * both {@code y} and {@code p} clipped to {@code [1e-7, 1]} first, as Keras does.
 */
public final class KLDivergence extends LossFunction {
  @Override
  public String name() {
    return "kl_divergence";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> y = clip(tf, asFloat(yTrue), EPSILON, 1f);
    Operand<TFloat32> p = clip(tf, yPred, EPSILON, 1f);
    return tf.sum(tf.math.mul(y, tf.math.log(tf.math.div(y, p))), tf.constant(-1));
  }
}
