package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.constraints.Constraint;
import dev.kerasj.constraints.Constraints;
import dev.kerasj.constraints.MaxNorm;
import dev.kerasj.constraints.MinMaxNorm;
import dev.kerasj.constraints.NonNeg;
import dev.kerasj.constraints.UnitNorm;
import dev.kerasj.layers.Layer;
import dev.kerasj.regularizers.L1;
import dev.kerasj.regularizers.L1L2;
import dev.kerasj.regularizers.L2;
import dev.kerasj.regularizers.Regularizer;
import dev.kerasj.regularizers.Regularizers;
import java.util.List;

/**
 * Keras 3.15 regularizer and constraint configs ({@code {"module": "keras.regularizers", "class_name": "L2",
 * "config": {"l2": 0.01}, "registered_name": null}}) to and from kerasj's, and the layer fields that hold them
 * ({@code kernel_regularizer}, {@code activity_regularizer}, {@code bias_constraint} ...). A layer's entry in
 * {@link LayerConfigs} names its weights; the fields are written and read here.
 */
final class PenaltyConfigs {
  static final List<String> REGULARIZERS = List.of("L1", "L2", "L1L2");
  static final List<String> CONSTRAINTS = List.of("MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm");

  private PenaltyConfigs() {}

  /** Writes {@code <weight>_regularizer} for each weight name, in order (null where none), as Keras does. */
  static void putRegularizers(ObjectNode c, Layer layer, String... weights) {
    for (String w : weights) {
      c.set(w + "_regularizer", toConfig(layer.weightRegularizer(w)));
    }
  }

  /** Writes {@code <weight>_constraint} for each weight name, in order (null where none). */
  static void putConstraints(ObjectNode c, Layer layer, String... weights) {
    for (String w : weights) {
      c.set(w + "_constraint", toConfig(layer.weightConstraint(w)));
    }
  }

  /** Keras' serialized regularizer, or JSON null. */
  static JsonNode toConfig(Regularizer r) {
    if (r == null) {
      return KerasJson.NODES.nullNode();
    }
    ObjectNode c = KerasJson.NODES.objectNode();
    if (r instanceof L1 l1) {
      c.put("l1", l1.l1());
    } else if (r instanceof L2 l2) {
      c.put("l2", l2.l2());
    } else if (r instanceof L1L2 both) {
      c.put("l1", both.l1());
      c.put("l2", both.l2());
    } else {
      throw new IllegalArgumentException("Cannot write regularizer " + r.getClass().getName() + " to a Keras config: "
          + "it has no Keras equivalent. Supported: " + REGULARIZERS);
    }
    return KerasJson.serialized("keras.regularizers", r.className(), c);
  }

  /** Keras' serialized constraint, or JSON null. */
  static JsonNode toConfig(Constraint k) {
    if (k == null) {
      return KerasJson.NODES.nullNode();
    }
    ObjectNode c = KerasJson.NODES.objectNode();
    if (k instanceof MaxNorm m) {
      c.put("max_value", m.maxValue());
      c.set("axis", axis(m.axis()));
    } else if (k instanceof UnitNorm u) {
      c.set("axis", axis(u.axis()));
    } else if (k instanceof MinMaxNorm m) {
      c.put("min_value", m.minValue());
      c.put("max_value", m.maxValue());
      c.put("rate", m.rate());
      c.set("axis", axis(m.axis()));
    } else if (!(k instanceof NonNeg)) {
      throw new IllegalArgumentException("Cannot write constraint " + k.getClass().getName() + " to a Keras config: "
          + "it has no Keras equivalent. Supported: " + CONSTRAINTS);
    }
    return KerasJson.serialized("keras.constraints", k.className(), c);
  }

  /** Keras' {@code axis}: an int for one axis, a list for several. */
  private static JsonNode axis(int[] axis) {
    if (axis.length == 1) {
      return KerasJson.NODES.numberNode(axis[0]);
    }
    ArrayNode a = KerasJson.NODES.arrayNode();
    for (int x : axis) {
      a.add(x);
    }
    return a;
  }

  /** The regularizer under {@code key}, or null where absent or JSON null. */
  static Regularizer regularizer(ConfigFields owner, String key) {
    JsonNode node = owner.raw(key);
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      try {
        return Regularizers.get(node.asText());
      } catch (IllegalArgumentException e) {
        throw owner.fail("'" + key + "': " + e.getMessage());
      }
    }
    ConfigFields env = new ConfigFields(node, owner.where() + "." + key, owner.source());
    String cls = env.string("class_name");
    ConfigFields c = env.has("config") ? env.object("config")
        : new ConfigFields(KerasJson.NODES.objectNode(), env.where(), env.source());
    try {
      return switch (cls) {
        case "L1" -> new L1(c.number("l1", L1.DEFAULT_L1));
        case "L2" -> new L2(c.number("l2", L2.DEFAULT_L2));
        case "L1L2" -> new L1L2(c.number("l1", 0), c.number("l2", 0));
        default -> throw env.fail("regularizer class '" + cls + "' is not supported by kerasj. Supported: "
            + REGULARIZERS);
      };
    } catch (IllegalArgumentException e) {
      throw env.fail(e.getMessage());
    }
  }

  /** The constraint under {@code key}, or null where absent or JSON null. */
  static Constraint constraint(ConfigFields owner, String key) {
    JsonNode node = owner.raw(key);
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      try {
        return Constraints.get(node.asText());
      } catch (IllegalArgumentException e) {
        throw owner.fail("'" + key + "': " + e.getMessage());
      }
    }
    ConfigFields env = new ConfigFields(node, owner.where() + "." + key, owner.source());
    String cls = env.string("class_name");
    ConfigFields c = env.has("config") ? env.object("config")
        : new ConfigFields(KerasJson.NODES.objectNode(), env.where(), env.source());
    try {
      return switch (cls) {
        case "MaxNorm" -> new MaxNorm(c.number("max_value", MaxNorm.DEFAULT_MAX_VALUE), axis(c));
        case "NonNeg" -> new NonNeg();
        case "UnitNorm" -> new UnitNorm(axis(c));
        case "MinMaxNorm" -> MinMaxNorm.builder().minValue(c.number("min_value", MinMaxNorm.DEFAULT_MIN_VALUE))
            .maxValue(c.number("max_value", MinMaxNorm.DEFAULT_MAX_VALUE))
            .rate(c.number("rate", MinMaxNorm.DEFAULT_RATE)).axis(axis(c)).build();
        default -> throw env.fail("constraint class '" + cls + "' is not supported by kerasj. Supported: "
            + CONSTRAINTS);
      };
    } catch (IllegalArgumentException e) {
      throw env.fail(e.getMessage());
    }
  }

  private static int[] axis(ConfigFields c) {
    JsonNode a = c.raw("axis");
    if (a == null || a.isNull()) {
      return new int[] {MaxNorm.DEFAULT_AXIS};
    }
    if (a.isIntegralNumber()) {
      return new int[] {a.asInt()};
    }
    if (a.isArray() && a.size() > 0) {
      int[] out = new int[a.size()];
      for (int i = 0; i < out.length; i++) {
        if (!a.get(i).isIntegralNumber()) {
          throw c.fail("expected 'axis' to be an int or a list of ints. Found: " + a);
        }
        out[i] = a.get(i).asInt();
      }
      return out;
    }
    throw c.fail("expected 'axis' to be an int or a list of ints. Found: " + a);
  }
}
