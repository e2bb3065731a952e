package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.saving.IncompatibleModelException;
import java.nio.file.Path;

/**
 * Typed, validating access to one {@code config} object of a Keras config, for error messages that name the file,
 * the object ({@code layer 'dense_1' (Dense)}), the key, what was expected and what was found.
 */
final class ConfigFields {
  private final JsonNode node;
  private final String where;
  private final Path source;

  ConfigFields(JsonNode node, String where, Path source) {
    this.source = source;
    this.where = where;
    if (node == null || !node.isObject()) {
      throw fail("expected a JSON object. Found: " + describe(node));
    }
    this.node = node;
  }

  String where() {
    return where;
  }

  Path source() {
    return source;
  }

  /** The whole config object. */
  JsonNode node() {
    return node;
  }

  JsonNode raw(String key) {
    return node.get(key);
  }

  boolean has(String key) {
    JsonNode v = node.get(key);
    return v != null && !v.isNull();
  }

  ConfigFields object(String key) {
    return new ConfigFields(require(key), where + "." + key, source);
  }

  String string(String key) {
    JsonNode v = require(key);
    if (!v.isTextual()) {
      throw fail("expected '" + key + "' to be a string. Found: " + v);
    }
    return v.asText();
  }

  String string(String key, String fallback) {
    return has(key) ? string(key) : fallback;
  }

  boolean bool(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    JsonNode v = node.get(key);
    if (!v.isBoolean()) {
      throw fail("expected '" + key + "' to be true or false. Found: " + v);
    }
    return v.asBoolean();
  }

  double number(String key) {
    JsonNode v = require(key);
    if (!v.isNumber()) {
      throw fail("expected '" + key + "' to be a number. Found: " + v);
    }
    return v.asDouble();
  }

  double number(String key, double fallback) {
    return has(key) ? number(key) : fallback;
  }

  int integer(String key) {
    return toInt(key, require(key));
  }

  Long optionalLong(String key) {
    if (!has(key)) {
      return null;
    }
    JsonNode v = node.get(key);
    if (!v.isIntegralNumber()) {
      throw fail("expected '" + key + "' to be an integer or null. Found: " + v);
    }
    return v.asLong();
  }

  /** An int pair, also accepting Keras' single int shorthand ({@code kernel_size: 3}). */
  int[] pair(String key) {
    JsonNode v = require(key);
    if (v.isIntegralNumber()) {
      int x = toInt(key, v);
      return new int[] {x, x};
    }
    if (!v.isArray() || v.size() != 2) {
      throw fail("expected '" + key + "' to be two integers. Found: " + v);
    }
    return new int[] {toInt(key, v.get(0)), toInt(key, v.get(1))};
  }

  long[] longs(String key) {
    JsonNode v = require(key);
    if (!v.isArray()) {
      throw fail("expected '" + key + "' to be a list of integers. Found: " + v);
    }
    long[] out = new long[v.size()];
    for (int i = 0; i < out.length; i++) {
      if (!v.get(i).isIntegralNumber()) {
        throw fail("expected '" + key + "' to be a list of integers. Found: " + v);
      }
      out[i] = v.get(i).asLong();
    }
    return out;
  }

  /**
   * Rejects a Keras argument kerasj does not implement unless it holds Keras' default, so that a config never loads
   * as a silently different model.
   */
  void requireDefault(String key, Object kerasDefault) {
    JsonNode v = node.get(key);
    if (v == null) {
      return;
    }
    boolean ok = kerasDefault == null ? v.isNull()
        : kerasDefault instanceof Boolean b ? v.isBoolean() && v.asBoolean() == b
        : kerasDefault instanceof Number n ? v.isNumber() && v.asDouble() == n.doubleValue()
        : kerasDefault instanceof int[] pair ? v.isArray() && v.size() == pair.length && v.get(0).asInt() == pair[0]
            && v.get(1).asInt() == pair[1]
        : v.isTextual() && v.asText().equals(kerasDefault);
    if (!ok) {
      String expected = kerasDefault instanceof int[] pair ? java.util.Arrays.toString(pair) : String.valueOf(kerasDefault);
      throw fail("'" + key + "'=" + v + " is not supported by kerasj (only Keras' default " + expected + " is)");
    }
  }

  IncompatibleModelException fail(String message) {
    return new IncompatibleModelException(source, "Cannot rebuild the model from "
        + (source == null ? "its config" : source) + ": " + where + ": " + message);
  }

  private JsonNode require(String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      throw fail("missing '" + key + "'");
    }
    return v;
  }

  private int toInt(String key, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw fail("expected '" + key + "' to be an integer. Found: " + v);
    }
    return v.asInt();
  }

  private static String describe(JsonNode n) {
    return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + n;
  }
}
