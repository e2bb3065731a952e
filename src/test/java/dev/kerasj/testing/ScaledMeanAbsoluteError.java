package dev.kerasj.testing;

import dev.kerasj.metrics.Metric;
import dev.kerasj.saving.CustomObjects;
import dev.kerasj.saving.KerasSerializable;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A user's custom averaging metric, the Java twin of {@code python-interop/kerasj_custom_objects.py}'s
 * {@code ScaledMeanAbsoluteError} (a {@code keras.metrics.Mean}): per sample
 * {@code scale * mean(abs(yTrue - yPred), axis=-1)}, averaged over every sample seen.
 */
public final class ScaledMeanAbsoluteError implements Metric, KerasSerializable {
  public static final String REGISTERED_NAME = "kerasj_test>ScaledMeanAbsoluteError";

  private final double scale;
  private final String name;

  public ScaledMeanAbsoluteError(double scale, String name) {
    this.scale = scale;
    this.name = name;
  }

  /** Registers this class as Python does; idempotent. */
  public static void register() {
    CustomObjects.register("kerasj_test", "ScaledMeanAbsoluteError", ScaledMeanAbsoluteError.class,
        ScaledMeanAbsoluteError::fromConfig);
  }

  public static ScaledMeanAbsoluteError fromConfig(Map<String, Object> config) {
    return new ScaledMeanAbsoluteError(((Number) config.getOrDefault("scale", 1.0)).doubleValue(),
        (String) config.getOrDefault("name", "scaled_mae"));
  }

  public double scale() {
    return scale;
  }

  @Override
  public Map<String, Object> getConfig() {
    return Map.of("scale", scale);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Direction direction() {
    return Direction.MIN;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> values(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> abs = tf.math.abs(tf.math.sub((Operand<TFloat32>) yTrue, yPred));
    return tf.math.mul(tf.math.mean(abs, tf.constant(-1)), tf.constant((float) scale));
  }
}
