package dev.kerasj.saving.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON plumbing shared by the Keras config writer and reader: one {@link ObjectMapper}, Keras' serialized-object
 * envelope ({@code module}, {@code class_name}, {@code config}, {@code registered_name}) and shape arrays.
 */
public final class KerasJson {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .setDefaultPrettyPrinter(pythonStyle());
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private KerasJson() {}

  /** Indents like Python's {@code json.dumps(obj, indent=2)}: {@code "key": value}, one list item per line. */
  private static DefaultPrettyPrinter pythonStyle() {
    DefaultPrettyPrinter p = new DefaultPrettyPrinter(Separators.createDefaultInstance()
        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
        .withObjectEmptySeparator("")
        .withArrayEmptySeparator(""));
    p.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
    p.indentObjectsWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
    return p;
  }

  /** The shared mapper (thread-safe once configured). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Pretty-printed UTF-8 bytes of {@code node}; the same tree always gives the same bytes. */
  public static byte[] toBytes(JsonNode node) {
    try {
      return (MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialize a JSON tree", e); // a tree of plain nodes always serializes
    }
  }

  /** Parses JSON bytes; {@link com.fasterxml.jackson.core.JsonProcessingException} when they are not JSON. */
  public static JsonNode parse(byte[] bytes) throws IOException {
    JsonNode node = MAPPER.readTree(bytes);
    if (node == null || node.isMissingNode()) {
      throw new com.fasterxml.jackson.core.JsonParseException(null, "empty document");
    }
    return node;
  }

  /** Keras' envelope of a serialized object: {@code {"module", "class_name", "config", "registered_name": null}}. */
  static ObjectNode serialized(String module, String className, ObjectNode config) {
    ObjectNode n = NODES.objectNode();
    n.put("module", module);
    n.put("class_name", className);
    n.set("config", config);
    n.putNull("registered_name");
    return n;
  }

  /** Keras' {@code DTypePolicy("float32")} block that every layer config carries. */
  static ObjectNode float32Policy() {
    ObjectNode config = NODES.objectNode();
    config.put("name", "float32");
    return serialized("keras", "DTypePolicy", config);
  }

  /** A shape with the batch dimension first, as Keras writes it: {@code [null, 8, 8, 1]}. */
  static ArrayNode batchShape(long[] perSample) {
    ArrayNode a = NODES.arrayNode();
    a.addNull();
    for (long d : perSample) {
      a.add(d);
    }
    return a;
  }

  static ArrayNode ints(int... values) {
    ArrayNode a = NODES.arrayNode();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }

  static ArrayNode longs(long... values) {
    ArrayNode a = NODES.arrayNode();
    for (long v : values) {
      a.add(v);
    }
    return a;
  }
}
