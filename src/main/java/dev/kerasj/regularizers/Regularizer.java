package dev.kerasj.regularizers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code keras.regularizers.Regularizer}: a penalty computed from a tensor and added to the loss the model
 * minimises. A layer applies one to a weight ({@code kernelRegularizer}, {@code biasRegularizer}) or to its output
 * ({@code activityRegularizer}, divided by the batch size as Keras 3 does).
 *
 * <p>The model sums every penalty into the total loss after the outputs' losses, as Keras' {@code compute_loss}
 * does: they are in the logged {@code loss} and {@code val_loss}, not in any per-output loss.
 *
 * <pre>{@code Dense.builder(64).kernelRegularizer(new L2(0.01)).build()}</pre>
 *
 * <p>Regularizers are immutable.
 */
public abstract class Regularizer {
  protected Regularizer() {}

  /** Keras' class name, such as {@code L2}; the {@code class_name} of its serialized form. */
  public abstract String className();

  /** Builds the penalty of {@code x}: a float32 scalar. */
  public abstract Operand<TFloat32> call(Ops tf, Operand<TFloat32> x);

  /** Keras' {@code validate_float_arg}: a finite, non-negative factor, or the error Keras raises. */
  static double validateFactor(double value, String name) {
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException("Invalid value for argument " + name + ": expected a non-negative float. "
          + "Received: " + name + "=" + value);
    }
    return value;
  }

  /** {@code factor * reduce_sum(abs(x))} in float32, Keras' L1 term. */
  static Operand<TFloat32> l1Term(Ops tf, double factor, Operand<TFloat32> x) {
    return tf.math.mul(tf.constant((float) factor), sumAll(tf, tf.math.abs(x)));
  }

  /** {@code factor * reduce_sum(square(x))} in float32, Keras' L2 term. */
  static Operand<TFloat32> l2Term(Ops tf, double factor, Operand<TFloat32> x) {
    return tf.math.mul(tf.constant((float) factor), sumAll(tf, tf.math.square(x)));
  }

  private static Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32> x) {
    return tf.sum(x, tf.range(tf.constant(0), tf.rank(x), tf.constant(1)));
  }
}
