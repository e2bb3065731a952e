package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The operation layers Keras 3.15 writes into a Functional config for the mask of a {@code Masking} layer or of an
 * {@code Embedding(mask_zero=True)}, which kerasj recomputes itself and so skips.
 *
 * <p>Keras serializes {@code Masking}'s mask, {@code any(not_equal(x, mask_value), axis=-1)}, as two op layers
 * ({@code keras.src.ops.numpy} {@code NotEqual} and {@code Any}) and passes it to each layer whose {@code call} takes a
 * mask as an explicit {@code mask=<tensor>} argument. kerasj propagates masks itself (a layer's
 * {@link dev.kerasj.layers.Layer#computeMask}), giving the same mask, so these op layers are accepted only in exactly
 * that form: {@code NotEqual(T, v)} where a {@code Masking} layer of {@code mask_value v} is called on the same tensor
 * {@code T}, then {@code Any(axis=-1, keepdims=False)} of it, whose output is used only as a {@code mask} argument.
 * For an {@code Embedding(mask_zero=True)} called on {@code T}, Keras writes one op layer, {@code NotEqual(T, 0)},
 * also used only as a {@code mask} argument. {@code Attention} and {@code AdditiveAttention} pass their query's mask on
 * as {@code ConvertToTensor} of such a mask ({@code keras.src.ops.core}), also used only as a {@code mask} argument.
 *
 * <p>The masks of merge layers ({@link MergedMasks}): {@code LogicalOr} of their inputs' masks (Add, Subtract,
 * Multiply, Average, Maximum, Minimum), and for Concatenate {@code Any(Concatenate(parts), axis=-1)} with
 * {@code OnesLike}, {@code LogicalOr(ExpandDims(mask, -1), ZerosLike(input))} or the mask itself per input, are
 * accepted where they are exactly what Keras' {@code compute_mask} of the layer that made the masked argument gives.
 * Any other use of these classes stays unsupported.
 */
final class KerasMaskOps {
  private static final String MODULE = "keras.src.ops.numpy";
  private static final String CORE_MODULE = "keras.src.ops.core";

  private KerasMaskOps() {}

  /** The names of the op layers of {@code layers} (a config's {@code layers} list) that compute a Masking mask. */
  static Set<String> find(JsonNode layers) {
    Map<String, JsonNode> byName = new HashMap<>();
    Map<String, Double> maskingValueByInput = new HashMap<>();
    Set<String> maskZeroInputs = new HashSet<>();
    for (JsonNode l : layers) {
      byName.put(l.path("name").asText(l.path("config").path("name").asText()), l);
      if (l.path("class_name").asText().equals("Embedding") && l.path("config").path("mask_zero").asBoolean(false)
          && firstHistory(l) != null) {
        maskZeroInputs.add(firstHistory(l));
      }
      if (l.path("class_name").asText().equals("Masking")) {
        String input = firstHistory(l);
        JsonNode v = l.path("config").path("mask_value");
        if (input != null) {
          maskingValueByInput.put(input, v.isNumber() ? v.asDouble() : 0.0);
        }
      }
    }
    // ConvertToTensor op layers used only as masks, by the layer whose output they convert.
    Map<String, String> converters = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : byName.entrySet()) {
      JsonNode convert = e.getValue();
      String source = historyLayer(firstArg(convert));
      if (convert.path("class_name").asText().equals("ConvertToTensor")
          && convert.path("module").asText().equals(CORE_MODULE) && convert.path("inbound_nodes").size() == 1
          && source != null && usedOnlyAsMask(e.getKey(), layers, Set.of())) {
        converters.put(e.getKey(), source);
      }
    }
    Set<String> found = new HashSet<>();
    for (Map.Entry<String, JsonNode> e : byName.entrySet()) {
      if (isEmbeddingMask(e.getValue(), maskZeroInputs) && usedOnlyAsMask(e.getKey(), layers, converters.keySet())) {
        found.add(e.getKey());
      }
    }
    for (Map.Entry<String, JsonNode> e : byName.entrySet()) {
      JsonNode any = e.getValue();
      if (!isOp(any, "Any") || any.path("config").path("axis").asInt(0) != -1
          || any.path("config").path("keepdims").asBoolean(true)) {
        continue;
      }
      String notEqualName = historyLayer(firstArg(any));
      JsonNode notEqual = notEqualName == null ? null : byName.get(notEqualName);
      if (notEqual == null || !isOp(notEqual, "NotEqual")) {
        continue;
      }
      JsonNode args = onlyNode(notEqual).path("args");
      if (args.size() != 2 || !args.get(1).isNumber()) {
        continue;
      }
      String tensor = historyKey(args.get(0));
      Double maskValue = tensor == null ? null : maskingValueByInput.get(tensor);
      if (maskValue != null && maskValue == args.get(1).asDouble()
          && usedOnlyAsMask(e.getKey(), layers, converters.keySet())) {
        found.add(e.getKey());
        found.add(notEqualName);
      }
    }
    // Attention and AdditiveAttention pass the query's mask on as ops.convert_to_tensor(mask[0]): one more op layer
    // over a mask found above, used only as a mask.
    converters.forEach((name, source) -> {
      if (found.contains(source)) {
        found.add(name);
      }
    });
    found.addAll(new MergedMasks(byName, maskZeroInputs, maskingValueByInput).find(layers, found));
    return found;
  }

  /** {@code NotEqual(T, 0)} where an {@code Embedding(mask_zero=True)} is called on the same tensor {@code T}. */
  private static boolean isEmbeddingMask(JsonNode layer, Set<String> maskZeroInputs) {
    if (!isOp(layer, "NotEqual")) {
      return false;
    }
    JsonNode args = onlyNode(layer).path("args");
    return args.size() == 2 && args.get(1).isNumber() && args.get(1).asDouble() == 0.0
        && maskZeroInputs.contains(historyKey(args.get(0)));
  }

  static boolean isOp(JsonNode layer, String cls) {
    return layer.path("class_name").asText().equals(cls) && layer.path("module").asText().equals(MODULE)
        && layer.path("inbound_nodes").size() == 1;
  }

  static JsonNode onlyNode(JsonNode layer) {
    return layer.path("inbound_nodes").path(0);
  }

  static JsonNode firstArg(JsonNode layer) {
    return onlyNode(layer).path("args").path(0);
  }

  /** {@code layer/node/index} of the tensor a layer's first call takes, or null. */
  private static String firstHistory(JsonNode layer) {
    return layer.path("inbound_nodes").size() == 1 ? historyKey(firstArg(layer)) : null;
  }

  static String historyKey(JsonNode tensor) {
    JsonNode h = tensor.path("config").path("keras_history");
    return h.isArray() && h.size() == 3 ? h.get(0).asText() + "/" + h.get(1).asInt() + "/" + h.get(2).asInt() : null;
  }

  /** The name of the layer that made {@code tensor}, or null when it is not a Keras tensor. */
  static String historyLayer(JsonNode tensor) {
    JsonNode h = tensor.path("config").path("keras_history");
    return tensor.path("class_name").asText().equals("__keras_tensor__") && h.isArray() && h.size() == 3
        ? h.get(0).asText() : null;
  }

  /**
   * Whether the op layer {@code name}'s output appears in no positional argument of any layer (only as a mask), the
   * mask converters {@code exempt} (ConvertToTensor layers themselves used only as masks) aside.
   */
  private static boolean usedOnlyAsMask(String name, JsonNode layers, Set<String> exempt) {
    for (JsonNode l : layers) {
      if (exempt.contains(l.path("name").asText(l.path("config").path("name").asText()))) {
        continue;
      }
      for (JsonNode node : l.path("inbound_nodes")) {
        if (mentions(node.path("args"), name)) {
          return false;
        }
        for (Map.Entry<String, JsonNode> kw : (Iterable<Map.Entry<String, JsonNode>>) node.path("kwargs")::fields) {
          if (!kw.getKey().equals("mask") && mentions(kw.getValue(), name)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  static boolean mentions(JsonNode node, String layer) {
    if (layer.equals(historyLayer(node))) {
      return true;
    }
    for (JsonNode child : node) {
      if (mentions(child, layer)) {
        return true;
      }
    }
    return false;
  }
}
