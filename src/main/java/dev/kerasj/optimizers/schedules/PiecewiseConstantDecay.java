package dev.kerasj.optimizers.schedules;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras' {@code PiecewiseConstantDecay}: {@code values[0]} while {@code step <= boundaries[0]}, {@code values[i]}
 * while {@code boundaries[i-1] < step <= boundaries[i]}, and the last value after the last boundary.
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
  private final long[] boundaries;
  private final double[] values;
  private final String name;

  /**
   * @param boundaries strictly increasing steps
   * @param values one more than {@code boundaries}
   */
  public PiecewiseConstantDecay(long[] boundaries, double[] values) {
    this(boundaries, values, "PiecewiseConstant");
  }

  /** Keras' full signature, {@code name} included (Keras' default {@code "PiecewiseConstant"}). */
  public PiecewiseConstantDecay(long[] boundaries, double[] values, String name) {
    if (values.length != boundaries.length + 1) {
      throw new IllegalArgumentException("The length of boundaries should be 1 less than the length of values. "
          + "Received: boundaries=" + Arrays.toString(boundaries) + " of length " + boundaries.length
          + ", and values=" + Arrays.toString(values) + " of length " + values.length + ".");
    }
    for (int i = 1; i < boundaries.length; i++) {
      if (boundaries[i] <= boundaries[i - 1]) {
        throw new IllegalArgumentException(
            "Expected strictly increasing boundaries. Received: " + Arrays.toString(boundaries));
      }
    }
    for (double v : values) {
      Schedules.checkPositive("values", v);
    }
    this.name = Schedules.checkName(name);
    this.boundaries = boundaries.clone();
    this.values = values.clone();
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TInt64> step) {
    Operand<TFloat32> out = tf.constant((float) values[values.length - 1]);
    for (int i = boundaries.length - 1; i >= 0; i--) {
      out = tf.select(tf.math.lessEqual(step, tf.constant(boundaries[i])), tf.constant((float) values[i]), out);
    }
    return out;
  }

  @Override
  public double valueAt(long step) {
    for (int i = 0; i < boundaries.length; i++) {
      if (step <= boundaries[i]) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }

  public long[] boundaries() {
    return boundaries.clone();
  }

  public double[] values() {
    return values.clone();
  }

  @Override
  public String name() {
    return name;
  }
}
