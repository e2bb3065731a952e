package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Huber(delta)}: quadratic for errors up to {@code delta}, linear beyond. Keras default
 * {@code delta=1.0}.
 */
public final class Huber extends LossFunction {
  /** Keras' default delta. */
  public static final double DEFAULT_DELTA = 1.0;
  private final float delta;

  public Huber() {
    this(DEFAULT_DELTA);
  }

  public Huber(double delta) {
    if (!(delta > 0)) {
      throw new IllegalArgumentException("Huber expects delta > 0. Received: delta=" + delta);
    }
    this.delta = (float) delta;
  }

  public double delta() {
    return delta;
  }

  @Override
  public String name() {
    return "huber";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> error = tf.math.sub(yPred, asFloat(yTrue));
    Operand<TFloat32> abs = tf.math.abs(error);
    Operand<TFloat32> half = tf.constant(0.5f);
    Operand<TFloat32> d = tf.constant(delta);
    Operand<TFloat32> quadratic = tf.math.mul(half, tf.math.square(error));
    Operand<TFloat32> linear = tf.math.sub(tf.math.mul(d, abs), tf.math.mul(half, tf.math.square(d)));
    return meanLastAxis(tf, tf.select(tf.math.lessEqual(abs, d), quadratic, linear));
  }
}
