package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code SquaredHinge} ({@code "squared_hinge"}): {@code mean(square(max(1 - y * p, 0)), axis=-1)}, with 0/1
 * labels mapped to -1/1 as in {@link Hinge}.
 */
public final class SquaredHinge extends LossFunction {
  @Override
  public String name() {
    return "squared_hinge";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return meanLastAxis(tf, tf.math.square(Hinge.margin(tf, yTrue, yPred)));
  }
}
