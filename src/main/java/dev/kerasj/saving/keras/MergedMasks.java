package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The op layers Keras 3.15 writes into a Functional config for the mask of a merge layer's output, which kerasj
 * recomputes itself ({@link dev.kerasj.layers.Layer#computeMask}) and so skips.
 *
 * <p>Keras' {@code Layer.__call__} fills a layer's {@code mask} argument with its input's mask, and a config records
 * that mask as the op layers that computed it: for Add, Subtract, Multiply, Average, Maximum and Minimum the
 * {@code LogicalOr} of their inputs' masks ({@code base_merge.compute_mask}); for Concatenate
 * {@code Any(Concatenate([part, ...], axis), axis=-1, keepdims=False)} with, per input, {@code OnesLike(input)} when
 * it has no mask, {@code LogicalOr(ExpandDims(mask, -1), ZerosLike(input))} when its mask has fewer dimensions, its
 * mask otherwise ({@code concatenate.compute_mask}); at the bottom, {@code NotEqual(ids, 0)} of an
 * {@code Embedding(mask_zero=True)} or {@code Any(NotEqual(x, v), axis=-1)} of a {@code Masking(v)}.
 *
 * <p>An op graph is accepted only where it is exactly what Keras' {@code compute_mask} gives for the tensor it goes
 * with: the recorded mask of each call is described as a term ({@code or(mz(a/0/0),mz(b/0/0))}), and so is the mask
 * the layers that made the call's first argument give by Keras' rules; the two must be equal. The op layers of an
 * accepted term are skipped when their outputs are used only as {@code mask} arguments or by each other; anything
 * else (a mask computed by other ops, or passed to a layer whose input carries another mask) is left in the config,
 * where its op layer is refused by name.
 */
final class MergedMasks {
  private static final Set<String> MERGES = Set.of("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum");
  private static final String LAYERS_MODULE = "keras.layers";

  /** A mask described as a term over the tensors it comes from, and its rank (batch axis included). */
  private record Term(String text, int rank) {}

  private final Map<String, JsonNode> byName;
  private final Set<String> maskZeroInputs;
  private final Map<String, Double> maskingValueByInput;

  MergedMasks(Map<String, JsonNode> byName, Set<String> maskZeroInputs, Map<String, Double> maskingValueByInput) {
    this.byName = byName;
    this.maskZeroInputs = maskZeroInputs;
    this.maskingValueByInput = maskingValueByInput;
  }

  /** The op layers of the merged masks of {@code layers}, beyond the masks {@code known} already. */
  Set<String> find(JsonNode layers, Set<String> known) {
    Set<String> accepted = new HashSet<>();
    for (JsonNode l : layers) {
      for (JsonNode node : l.path("inbound_nodes")) {
        JsonNode mask = node.path("kwargs").path("mask");
        String op = KerasMaskOps.historyLayer(mask);
        JsonNode first = node.path("args").path(0);
        if (op == null || known.contains(op) || KerasMaskOps.historyKey(first) == null) {
          continue;
        }
        Set<String> visited = new HashSet<>();
        Term recorded = describe(mask, visited);
        Term keras = expected(first);
        if (recorded != null && recorded.equals(keras)) {
          accepted.addAll(visited);
        }
      }
    }
    // Skipped only while nothing but a mask argument or another skipped op layer takes their outputs.
    boolean changed = true;
    while (changed) {
      changed = false;
      for (Iterator<String> it = accepted.iterator(); it.hasNext(); ) {
        if (!usedOnlyBy(it.next(), layers, accepted, known)) {
          it.remove();
          changed = true;
        }
      }
    }
    return accepted;
  }

  /** What the op layers that made {@code tensor} compute, or null when they are not a mask form of Keras. */
  private Term describe(JsonNode tensor, Set<String> visited) {
    JsonNode op = op(tensor);
    if (op == null) {
      return null;
    }
    JsonNode args = KerasMaskOps.onlyNode(op).path("args");
    String cls = op.path("class_name").asText();
    Term term = switch (cls) {
      case "NotEqual" -> args.size() == 2 && args.get(1).isNumber() && args.get(1).asDouble() == 0.0
          && maskZeroInputs.contains(KerasMaskOps.historyKey(args.get(0)))
          ? new Term("mz(" + KerasMaskOps.historyKey(args.get(0)) + ")", rank(args.get(0))) : null;
      case "Any" -> any(op, args, visited);
      case "ConvertToTensor" -> describe(args.get(0), visited);
      case "LogicalOr" -> args.size() == 2 ? logicalOr(args.get(0), args.get(1), visited) : null;
      case "Concatenate" -> concatenate(op, args, visited);
      default -> null;
    };
    if (term != null) {
      visited.add(name(op));
    }
    return term;
  }

  /** Masking's {@code Any(NotEqual(x, v), axis=-1)}, or Concatenate's {@code Any(Concatenate(parts), axis=-1)}. */
  private Term any(JsonNode op, JsonNode args, Set<String> visited) {
    if (op.path("config").path("axis").asInt(0) != -1 || op.path("config").path("keepdims").asBoolean(true)
        || args.size() != 1) {
      return null;
    }
    JsonNode inner = op(args.get(0));
    if (inner != null && KerasMaskOps.isOp(inner, "NotEqual")) {
      JsonNode ne = KerasMaskOps.onlyNode(inner).path("args");
      String x = ne.size() == 2 && ne.get(1).isNumber() ? KerasMaskOps.historyKey(ne.get(0)) : null;
      Double v = x == null ? null : maskingValueByInput.get(x);
      if (v == null || v != ne.get(1).asDouble()) {
        return null;
      }
      visited.add(name(inner));
      return new Term("mv(" + x + "," + v + ")", rank(ne.get(0)) - 1);
    }
    if (inner == null || !KerasMaskOps.isOp(inner, "Concatenate")) {
      return null;
    }
    Term concatenated = describe(args.get(0), visited);
    return concatenated == null ? null : new Term("any(" + concatenated.text() + ")", concatenated.rank() - 1);
  }

  /** A merge's {@code or(a, b)}, or Concatenate's broadcast {@code LogicalOr(ExpandDims(m, -1), ZerosLike(x))}. */
  private Term logicalOr(JsonNode a, JsonNode b, Set<String> visited) {
    JsonNode expand = op(a);
    JsonNode zeros = op(b);
    if (expand != null && zeros != null && KerasMaskOps.isOp(expand, "ExpandDims")
        && KerasMaskOps.isOp(zeros, "ZerosLike")) {
      JsonNode x = KerasMaskOps.firstArg(zeros);
      Term m = expand.path("config").path("axis").asInt(0) == -1 && isBool(zeros)
          ? describe(KerasMaskOps.firstArg(expand), visited) : null;
      if (m == null || KerasMaskOps.historyKey(x) == null) {
        return null;
      }
      visited.add(name(expand));
      visited.add(name(zeros));
      return new Term("bcast(" + m.text() + "," + KerasMaskOps.historyKey(x) + ")", rank(x));
    }
    Term left = describe(a, visited);
    Term right = left == null ? null : describe(b, visited);
    return right == null ? null : new Term("or(" + left.text() + "," + right.text() + ")", left.rank());
  }

  /** Concatenate's list of per-input masks: {@code OnesLike(x)} for an unmasked input, else a mask term. */
  private Term concatenate(JsonNode op, JsonNode args, Set<String> visited) {
    if (args.size() != 1 || !args.get(0).isArray() || args.get(0).isEmpty()) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    int rank = -1;
    for (JsonNode part : args.get(0)) {
      JsonNode ones = op(part);
      Term t;
      if (ones != null && KerasMaskOps.isOp(ones, "OnesLike") && isBool(ones)
          && KerasMaskOps.historyKey(KerasMaskOps.firstArg(ones)) != null) {
        JsonNode x = KerasMaskOps.firstArg(ones);
        visited.add(name(ones));
        t = new Term("ones(" + KerasMaskOps.historyKey(x) + ")", rank(x));
      } else {
        t = describe(part, visited);
      }
      if (t == null) {
        return null;
      }
      parts.add(t.text());
      rank = rank < 0 ? t.rank() : rank;
    }
    return new Term("cat(" + op.path("config").path("axis").asInt(-1) + ";" + String.join(";", parts) + ")", rank);
  }

  /**
   * The mask Keras' layers give {@code tensor}, by the rules the op layers above record: Embedding(mask_zero),
   * Masking, the merge layers and Concatenate; null for any other layer (no term to compare with).
   */
  private Term expected(JsonNode tensor) {
    JsonNode h = tensor.path("config").path("keras_history");
    JsonNode layer = byName.get(h.path(0).asText());
    if (layer == null || h.path(2).asInt(-1) != 0) {
      return null;
    }
    JsonNode node = layer.path("inbound_nodes").path(h.path(1).asInt());
    JsonNode arg = node.path("args").path(0);
    String cls = layer.path("class_name").asText();
    JsonNode config = layer.path("config");
    if (cls.equals("Embedding") && config.path("mask_zero").asBoolean(false) && KerasMaskOps.historyKey(arg) != null) {
      return new Term("mz(" + KerasMaskOps.historyKey(arg) + ")", rank(arg));
    }
    if (cls.equals("Masking") && KerasMaskOps.historyKey(arg) != null) {
      JsonNode v = config.path("mask_value");
      return new Term("mv(" + KerasMaskOps.historyKey(arg) + "," + (v.isNumber() ? v.asDouble() : 0.0) + ")",
          rank(arg) - 1);
    }
    if (!layer.path("module").asText().equals(LAYERS_MODULE) || !arg.isArray() || arg.isEmpty()) {
      return null;
    }
    List<Term> masks = new ArrayList<>();
    for (JsonNode x : arg) {
      masks.add(expected(x));
    }
    if (MERGES.contains(cls)) { // base_merge.compute_mask: None if any input is unmasked, else a left fold of or
      if (masks.contains(null)) {
        return null;
      }
      Term out = masks.get(0);
      for (Term m : masks.subList(1, masks.size())) {
        out = new Term("or(" + out.text() + "," + m.text() + ")", out.rank());
      }
      return out;
    }
    if (!cls.equals("Concatenate") || masks.stream().allMatch(m -> m == null)) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    int rank = -1;
    for (int i = 0; i < masks.size(); i++) {
      Term m = masks.get(i);
      String x = KerasMaskOps.historyKey(arg.get(i));
      int xRank = rank(arg.get(i));
      Term part = m == null ? new Term("ones(" + x + ")", xRank)
          : m.rank() < xRank ? new Term("bcast(" + m.text() + "," + x + ")", xRank) : m;
      parts.add(part.text());
      rank = rank < 0 ? part.rank() : rank;
    }
    return new Term("any(cat(" + config.path("axis").asInt(-1) + ";" + String.join(";", parts) + "))", rank - 1);
  }

  /** Whether every use of {@code name}'s output is a {@code mask} argument or an input of a skipped op layer. */
  private static boolean usedOnlyBy(String name, JsonNode layers, Set<String> accepted, Set<String> known) {
    for (JsonNode l : layers) {
      String user = l.path("name").asText(l.path("config").path("name").asText());
      if (accepted.contains(user) || known.contains(user)) {
        continue;
      }
      for (JsonNode node : l.path("inbound_nodes")) {
        if (KerasMaskOps.mentions(node.path("args"), name)) {
          return false;
        }
        for (Map.Entry<String, JsonNode> kw : (Iterable<Map.Entry<String, JsonNode>>) node.path("kwargs")::fields) {
          if (!kw.getKey().equals("mask") && KerasMaskOps.mentions(kw.getValue(), name)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The op layer (of one call, no keyword arguments) that made {@code tensor}, or null. */
  private JsonNode op(JsonNode tensor) {
    String name = KerasMaskOps.historyLayer(tensor);
    JsonNode op = name == null ? null : byName.get(name);
    if (op == null || op.path("inbound_nodes").size() != 1
        || !op.path("module").asText().startsWith("keras.src.ops.")
        || KerasMaskOps.onlyNode(op).path("kwargs").size() != 0) {
      return null;
    }
    return op;
  }

  private static boolean isBool(JsonNode op) {
    return op.path("config").path("dtype").asText("").equals("bool");
  }

  private static String name(JsonNode layer) {
    return layer.path("name").asText(layer.path("config").path("name").asText());
  }

  private static int rank(JsonNode tensor) {
    return tensor.path("config").path("shape").size();
  }
}
