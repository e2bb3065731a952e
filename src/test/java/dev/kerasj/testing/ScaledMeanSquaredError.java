package dev.kerasj.testing;

import dev.kerasj.losses.LossFunction;
import dev.kerasj.saving.CustomObjects;
import dev.kerasj.saving.KerasSerializable;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A user's custom loss, the Java twin of {@code python-interop/kerasj_custom_objects.py}'s
 * {@code ScaledMeanSquaredError}: {@code weight * mean(square(yTrue - yPred), axis=-1)} per sample, reduced with
 * Keras' {@code sum_over_batch_size} by {@link LossFunction}.
 */
public final class ScaledMeanSquaredError extends LossFunction implements KerasSerializable {
  public static final String REGISTERED_NAME = "kerasj_test>ScaledMeanSquaredError";

  private final double weight;
  private final String name;

  public ScaledMeanSquaredError(double weight, String name) {
    this.weight = weight;
    this.name = name;
  }

  /** Registers this class as Python does; idempotent. */
  public static void register() {
    CustomObjects.register("kerasj_test", "ScaledMeanSquaredError", ScaledMeanSquaredError.class,
        ScaledMeanSquaredError::fromConfig);
  }

  public static ScaledMeanSquaredError fromConfig(Map<String, Object> config) {
    return new ScaledMeanSquaredError(((Number) config.getOrDefault("weight", 1.0)).doubleValue(),
        (String) config.getOrDefault("name", "scaled_mean_squared_error"));
  }

  public double weight() {
    return weight;
  }

  @Override
  public Map<String, Object> getConfig() {
    return Map.of("weight", weight);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  @SuppressWarnings("unchecked")
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> sq = tf.math.square(tf.math.sub((Operand<TFloat32>) yTrue, yPred));
    return tf.math.mul(tf.math.mean(sq, tf.constant(-1)), tf.constant((float) weight));
  }
}
