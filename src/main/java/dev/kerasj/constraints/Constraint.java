package dev.kerasj.constraints;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code keras.constraints.Constraint}: a projection of a weight's value. The optimizer assigns
 * {@code constraint(w)} to the weight right after it updates it in each training step, as Keras 3's
 * {@code BaseOptimizer.apply} does; a weight the loss does not reach (no gradient) is left alone, as in Keras.
 *
 * <pre>{@code Dense.builder(64).kernelConstraint(new MaxNorm(3)).biasConstraint(new NonNeg()).build()}</pre>
 *
 * <p>Constraints are immutable.
 */
public abstract class Constraint {
  /** Keras' {@code backend.epsilon()}, added to norms before dividing by them. */
  public static final float EPSILON = 1e-7f;

  protected Constraint() {}

  /** Keras' class name, such as {@code MaxNorm}; the {@code class_name} of its serialized form. */
  public abstract String className();

  /** Builds the projected value of {@code w}, shaped like {@code w}. */
  public abstract Operand<TFloat32> call(Ops tf, Operand<TFloat32> w);

  /** {@code sqrt(sum(square(w), axis, keepdims=True))}, the norms Keras' norm constraints compute. */
  static Operand<TFloat32> norms(Ops tf, Operand<TFloat32> w, int[] axis) {
    return tf.math.sqrt(tf.sum(tf.math.square(w), tf.constant(axis), Sum.keepDims(true)));
  }

  /** Checks and copies a norm constraint's axes (Keras' {@code axis}: one int or a list). */
  static int[] axes(int[] axis, String owner) {
    if (axis == null || axis.length == 0) {
      throw new IllegalArgumentException(owner + " needs at least one axis. Received: axis="
          + Arrays.toString(axis));
    }
    return axis.clone();
  }

  /** {@code axis} as Keras prints it: {@code 0} for one axis, {@code [0, 1, 2]} for several. */
  static String formatAxis(int[] axis) {
    return axis.length == 1 ? Integer.toString(axis[0]) : Arrays.toString(axis);
  }
}
