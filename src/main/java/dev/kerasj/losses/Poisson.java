package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Poisson} ({@code "poisson"}): {@code mean(p - y * log(p + 1e-7), axis=-1)}. */
public final class Poisson extends LossFunction {
  @Override
  public String name() {
    return "poisson";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> logP = tf.math.log(tf.math.add(yPred, tf.constant(EPSILON)));
    return meanLastAxis(tf, tf.math.sub(yPred, tf.math.mul(asFloat(yTrue), logP)));
  }
}
