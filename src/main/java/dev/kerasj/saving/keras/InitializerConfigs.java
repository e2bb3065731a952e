package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Initializer;
import dev.kerasj.initializers.RandomNormal;
import dev.kerasj.initializers.RandomUniform;
import dev.kerasj.initializers.VarianceScaling;
import java.util.List;

/** Keras 3 initializer configs ({@code GlorotUniform}, {@code Zeros}, {@code RandomNormal} ...) to and from kerasj's. */
final class InitializerConfigs {
  private static final String MODULE = "keras.initializers";
  static final List<String> SUPPORTED = List.of("GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform",
      "VarianceScaling", "RandomNormal", "RandomUniform", "Zeros", "Ones", "Constant", "Orthogonal");

  private InitializerConfigs() {}

  /** Keras' serialized form of {@code init}; {@code owner} names the layer argument for the error message. */
  static ObjectNode toConfig(Initializer init, String owner) {
    ObjectNode c = KerasJson.NODES.objectNode();
    if (init instanceof Constant k) {
      if (k.value() == 0f || k.value() == 1f) {
        return KerasJson.serialized(MODULE, k.value() == 0f ? "Zeros" : "Ones", c);
      }
      c.put("value", (double) k.value());
      return KerasJson.serialized(MODULE, "Constant", c);
    }
    if (init instanceof RandomNormal r) {
      putSeed(c, r.seed());
      c.put("mean", r.mean());
      c.put("stddev", r.stddev());
      return KerasJson.serialized(MODULE, "RandomNormal", c);
    }
    if (init instanceof RandomUniform r) {
      putSeed(c, r.seed());
      c.put("minval", r.minval());
      c.put("maxval", r.maxval());
      return KerasJson.serialized(MODULE, "RandomUniform", c);
    }
    if (init instanceof dev.kerasj.initializers.Orthogonal o) {
      putSeed(c, o.seed());
      c.put("gain", o.gain());
      return KerasJson.serialized(MODULE, "Orthogonal", c);
    }
    if (init instanceof VarianceScaling v) {
      putSeed(c, v.seed());
      String preset = preset(v);
      if (preset == null) {
        c.put("scale", v.scale());
        c.put("mode", v.mode());
        c.put("distribution", v.distribution());
      }
      c.putNull("input_axes");
      c.putNull("output_axes");
      return KerasJson.serialized(MODULE, preset == null ? "VarianceScaling" : preset, c);
    }
    throw new IllegalArgumentException("Cannot write " + owner + " to a Keras config: initializer "
        + init.getClass().getName() + " has no Keras equivalent. Supported: " + SUPPORTED);
  }

  /** The Keras class of a {@link VarianceScaling} that equals one of Keras' presets, or null. */
  private static String preset(VarianceScaling v) {
    String name = switch (v.mode() + "/" + v.distribution() + "/" + v.scale()) {
      case "fan_avg/uniform/1.0" -> "GlorotUniform";
      case "fan_avg/truncated_normal/1.0" -> "GlorotNormal";
      case "fan_in/truncated_normal/2.0" -> "HeNormal";
      case "fan_in/uniform/2.0" -> "HeUniform";
      default -> null;
    };
    return name;
  }

  private static void putSeed(ObjectNode c, Long seed) {
    if (seed == null) {
      c.putNull("seed");
    } else {
      c.put("seed", seed);
    }
  }

  /** Rebuilds an initializer from Keras' serialized form or a string identifier such as {@code "glorot_uniform"}. */
  static Initializer fromConfig(JsonNode node, ConfigFields owner, String key) {
    if (node == null || node.isNull()) {
      throw owner.fail("missing '" + key + "'");
    }
    if (node.isTextual()) {
      try {
        return dev.kerasj.initializers.Initializers.get(node.asText());
      } catch (IllegalArgumentException e) {
        throw owner.fail("'" + key + "': " + e.getMessage());
      }
    }
    ConfigFields env = new ConfigFields(node, owner.where() + "." + key, owner.source());
    String cls = env.string("class_name");
    ConfigFields c = env.has("config") ? env.object("config")
        : new ConfigFields(KerasJson.NODES.objectNode(), env.where(), env.source());
    c.requireDefault("input_axes", null);
    c.requireDefault("output_axes", null);
    Long seed = c.optionalLong("seed");
    try {
      return switch (cls) {
        case "GlorotUniform" -> VarianceScaling.glorotUniform(seed);
        case "GlorotNormal" -> VarianceScaling.glorotNormal(seed);
        case "HeNormal" -> VarianceScaling.heNormal(seed);
        case "HeUniform" -> VarianceScaling.heUniform(seed);
        case "VarianceScaling" -> new VarianceScaling(c.number("scale", 1.0), c.string("mode", "fan_in"),
            c.string("distribution", "truncated_normal"), seed, "variance_scaling");
        case "RandomNormal" -> new RandomNormal(c.number("mean", 0.0), c.number("stddev", 0.05), seed);
        case "RandomUniform" -> new RandomUniform(c.number("minval", -0.05), c.number("maxval", 0.05), seed);
        case "Zeros" -> Constant.zeros();
        case "Ones" -> Constant.ones();
        case "Constant" -> new Constant((float) c.number("value", 0.0));
        case "Orthogonal" -> new dev.kerasj.initializers.Orthogonal(c.number("gain", 1.0), seed);
        default -> throw env.fail("initializer class '" + cls + "' is not supported. Supported: " + SUPPORTED);
      };
    } catch (IllegalArgumentException e) {
      throw env.fail(e.getMessage());
    }
  }
}
