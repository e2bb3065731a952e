package dev.kerasj.testing;

import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.VarianceScaling;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.LayerContext;
import dev.kerasj.layers.Weight;
import dev.kerasj.saving.CustomObjects;
import dev.kerasj.saving.KerasSerializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A user's custom layer, the Java twin of {@code python-interop/kerasj_custom_objects.py}'s {@code ScaledDense}:
 * {@code factor * scale * (x @ kernel + bias)} with a learned scalar {@code scale} (initially 1) and a fixed
 * {@code factor}. Written only against the public Layer API, as a user would.
 */
public final class ScaledDense extends Layer implements KerasSerializable {
  /** The name Python registers it under: {@code @register_keras_serializable("kerasj_test", "ScaledDense")}. */
  public static final String REGISTERED_NAME = "kerasj_test>ScaledDense";

  private final int units;
  private final double factor;
  private Weight kernel;
  private Weight bias;
  private Weight scale;

  public ScaledDense(int units, double factor, String name) {
    super(name, null);
    this.units = units;
    this.factor = factor;
  }

  /** Registers this class as Python does; idempotent. */
  public static void register() {
    CustomObjects.register("kerasj_test", "ScaledDense", ScaledDense.class, ScaledDense::fromConfig);
  }

  /** Keras' {@code from_config}: {@code cls(**config)}. */
  public static ScaledDense fromConfig(Map<String, Object> config) {
    return new ScaledDense(((Number) config.get("units")).intValue(),
        ((Number) config.getOrDefault("factor", 1.0)).doubleValue(), (String) config.get("name"));
  }

  @Override
  public Map<String, Object> getConfig() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("units", units);
    c.put("factor", factor);
    return c;
  }

  public double factor() {
    return factor;
  }

  @Override
  public String className() {
    return "ScaledDense";
  }

  @Override
  public String defaultNamePrefix() {
    return "scaled_dense";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    if (inputShape.length != 1) {
      throw shapeError("expects inputs of shape (None, features)", inputShape);
    }
    return new long[] {units};
  }

  @Override
  protected void build(LayerContext ctx, long[] inputShape) {
    kernel = ctx.addWeight("kernel", new long[] {inputShape[0], units}, VarianceScaling.glorotUniform(), true);
    bias = ctx.addWeight("bias", new long[] {units}, Constant.zeros(), true);
    scale = ctx.addWeight("scale", new long[0], Constant.ones(), true);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    Operand<TFloat32> y = tf.math.add(tf.linalg.matMul((Operand<TFloat32>) inputs, kernel.value()), bias.value());
    return tf.math.mul(tf.math.mul(y, scale.value()), tf.constant((float) factor));
  }
}
