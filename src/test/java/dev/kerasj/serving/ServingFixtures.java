package dev.kerasj.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.NdArray;

/**
 * Reads {@code testdata/serving/expected.json} (made by {@code python-interop/make_serving_fixtures.py}): calls
 * Python made, their inputs as Java arrays and their outputs as JSON to compare with.
 */
final class ServingFixtures {
  static final Path DIR = Path.of("testdata", "serving");

  private ServingFixtures() {}

  static JsonNode expected() throws IOException {
    return new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
  }

  /** The inputs of one recorded call, as Java arrays of the recorded dtype ({@code float[][]}, {@code String[]} ...). */
  static Map<String, Object> inputs(JsonNode call) {
    Map<String, Object> out = new LinkedHashMap<>();
    call.get("inputs").fields().forEachRemaining(e -> out.put(e.getKey(), toJava(e.getValue())));
    return out;
  }

  static Object toJava(JsonNode t) {
    Class<?> leaf = switch (t.get("dtype").asText()) {
      case "float32" -> float.class;
      case "float64" -> double.class;
      case "int32" -> int.class;
      case "int64" -> long.class;
      case "bool" -> boolean.class;
      case "string" -> String.class;
      default -> throw new IllegalArgumentException(t.get("dtype").asText());
    };
    int rank = t.get("shape").size();
    if (rank == 0) {
      return Array.get(fill(leaf, t.get("value"), true), 0);
    }
    return fill(leaf, t.get("value"), false);
  }

  private static Object fill(Class<?> leaf, JsonNode v, boolean scalar) {
    if (scalar) {
      Object a = Array.newInstance(leaf, 1);
      set(a, 0, leaf, v);
      return a;
    }
    if (!v.get(0).isArray()) {
      Object a = Array.newInstance(leaf, v.size());
      for (int i = 0; i < v.size(); i++) {
        set(a, i, leaf, v.get(i));
      }
      return a;
    }
    Object first = fill(leaf, v.get(0), false);
    Object a = Array.newInstance(first.getClass(), v.size());
    for (int i = 0; i < v.size(); i++) {
      Array.set(a, i, fill(leaf, v.get(i), false));
    }
    return a;
  }

  private static void set(Object a, int i, Class<?> leaf, JsonNode v) {
    if (leaf == float.class) {
      Array.setFloat(a, i, (float) v.asDouble());
    } else if (leaf == double.class) {
      Array.setDouble(a, i, v.asDouble());
    } else if (leaf == int.class) {
      Array.setInt(a, i, v.asInt());
    } else if (leaf == long.class) {
      Array.setLong(a, i, v.asLong());
    } else if (leaf == boolean.class) {
      Array.setBoolean(a, i, v.asBoolean());
    } else {
      Array.set(a, i, v.asText());
    }
  }

  /** Asserts dtype, shape and values of {@code actual} against a recorded output; returns the max |difference|. */
  static double assertOutput(String what, JsonNode expected, NdArray<?> actual, double atol) {
    long[] shape = new long[expected.get("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = expected.get("shape").get(i).asLong();
    }
    assertArrayEquals(shape, actual.shape().asArray(), what + ": shape");
    List<JsonNode> want = new ArrayList<>();
    flatten(expected.get("value"), want);
    List<Object> got = new ArrayList<>();
    actual.scalars().forEach(s -> got.add(s.getObject()));
    assertEquals(want.size(), got.size(), what + ": size");
    double worst = 0;
    String dtype = expected.get("dtype").asText();
    for (int i = 0; i < want.size(); i++) {
      Object g = got.get(i);
      JsonNode w = want.get(i);
      switch (dtype) {
        case "float32", "float64" -> {
          double d = Math.abs(((Number) g).doubleValue() - w.asDouble());
          worst = Math.max(worst, d);
          assertTrue(d <= atol, what + "[" + i + "]: python=" + w + " java=" + g);
        }
        case "int32", "int64" -> assertEquals(w.asLong(), ((Number) g).longValue(), what + "[" + i + "]");
        case "bool" -> assertEquals(w.asBoolean(), g, what + "[" + i + "]");
        default -> assertEquals(w.asText(), g, what + "[" + i + "]");
      }
    }
    return worst;
  }

  private static void flatten(JsonNode v, List<JsonNode> out) {
    if (v.isArray()) {
      for (Iterator<JsonNode> it = v.elements(); it.hasNext(); ) {
        flatten(it.next(), out);
      }
    } else {
      out.add(v);
    }
  }
}
