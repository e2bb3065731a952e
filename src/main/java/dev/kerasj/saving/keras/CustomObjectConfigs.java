package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.layers.Layer;
import dev.kerasj.losses.Loss;
import dev.kerasj.metrics.Metric;
import dev.kerasj.saving.CustomObjects;
import dev.kerasj.saving.KerasSerializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Registered custom layers, losses and metrics ({@link CustomObjects}) in Keras configs: written as Keras writes a
 * registered class ({@code "module"}, {@code "class_name"}, {@code "config"},
 * {@code "registered_name": "package>name"}) and read back through the registered factory. {@link LayerConfigs},
 * {@link CompileConfigs} and {@link MetricConfigs} call here for any class that is not built in.
 */
final class CustomObjectConfigs {
  private CustomObjectConfigs() {}

  /**
   * The name a layer entry is looked up by: its {@code registered_name} when that is a registered name
   * ({@code "package>name"}), else its {@code class_name}. Built-in Keras layers have a null {@code registered_name}.
   */
  static String lookupName(ConfigFields entry) {
    JsonNode r = entry.raw("registered_name");
    return r != null && r.isTextual() && r.asText().indexOf('>') > 0 ? r.asText() : entry.string("class_name");
  }

  /** Whether a serialized object names a registered class ({@code "registered_name": "package>name"}). */
  static boolean isRegisteredName(JsonNode serialized) {
    JsonNode r = serialized == null ? null : serialized.get("registered_name");
    return r != null && r.isTextual() && r.asText().indexOf('>') > 0;
  }

  /**
   * A registered layer's serialized form: Keras' base {@code name}, {@code trainable}, {@code dtype} (already in
   * {@code base}), then its {@code getConfig()}, and the {@code build_config} Keras writes for a built layer.
   *
   * @throws IllegalArgumentException for a layer class that is neither built in nor registered
   */
  static ObjectNode layer(Layer layer, ObjectNode base, java.util.List<String> builtIn) {
    CustomObjects.Registration r = CustomObjects.forClass(layer.getClass());
    if (r == null) {
      throw new IllegalArgumentException("Cannot write layer '" + layer.name() + "' (" + layer.getClass().getName()
          + ") to a Keras config: it is neither a built-in layer nor registered. Supported: " + builtIn
          + ". Register a custom layer that implements " + KerasSerializable.class.getSimpleName() + ": "
          + registerCall("my_package", layer.getClass()));
    }
    putAll(base, ((KerasSerializable) layer).getConfig(), "layer '" + layer.name() + "'");
    ObjectNode out = envelope(layer.getClass(), layer.className(), base, r);
    ObjectNode build = KerasJson.NODES.objectNode();
    if (layer.inputShapes().size() == 1) {
      build.set("input_shape", KerasJson.batchShape(layer.inputShape()));
    } else {
      ArrayNode shapes = build.putArray("input_shape");
      layer.inputShapes().forEach(s -> shapes.add(KerasJson.batchShape(s)));
    }
    out.set("build_config", build);
    return out;
  }

  /**
   * Rebuilds a registered layer from its config through the registered factory.
   *
   * @param lookupName what {@link #lookupName} gave for the entry
   * @param builtIn the built-in classes, for the error message on an unknown plain class name
   */
  static Layer layer(String lookupName, ConfigFields c, java.util.List<String> builtIn) {
    if (lookupName.indexOf('>') < 0) {
      throw c.fail("layer class '" + lookupName + "' is not supported by kerasj. Supported: " + builtIn
          + ", or a custom layer registered with " + CustomObjects.class.getName() + ".register (the file must "
          + "name it by its registered_name, \"package>name\", as Keras writes a class registered with "
          + "@keras.saving.register_keras_serializable)");
    }
    KerasSerializable made = create(lookupName, c, Layer.class, "layer");
    Layer layer = (Layer) made;
    String name = c.string("name", null);
    if (name != null && !name.equals(layer.requestedName())) {
      throw c.fail("the factory registered for '" + lookupName + "' made a layer named " + (layer.requestedName()
          == null ? "null" : "'" + layer.requestedName() + "'") + ", not the saved name '" + name + "': pass "
          + "config.get(\"name\") to the Layer constructor, as Keras' from_config passes it to __init__");
    }
    return layer;
  }

  /** A registered loss's serialized form: Keras' base {@code name} and {@code reduction}, then its config. */
  static ObjectNode loss(Loss loss, java.util.List<String> builtIn) {
    CustomObjects.Registration r = CustomObjects.forClass(loss.getClass());
    if (r == null) {
      throw new IllegalArgumentException("Cannot write loss '" + loss.name() + "' (" + loss.getClass().getName()
          + ") to a Keras config: it is neither a built-in loss nor registered (a Losses.fromFunction loss never "
          + "is). Supported: " + builtIn + ". Register a custom loss class that implements "
          + KerasSerializable.class.getSimpleName() + ": " + registerCall("my_package", loss.getClass()));
    }
    ObjectNode c = KerasJson.NODES.objectNode();
    c.put("name", loss.name());
    c.put("reduction", "sum_over_batch_size");
    putAll(c, ((KerasSerializable) loss).getConfig(), "loss " + loss.getClass().getName());
    return envelope(loss.getClass(), loss.getClass().getSimpleName(), c, r);
  }

  /** Rebuilds a registered loss from a serialized loss that {@link #isRegisteredName names a registered class}. */
  static Loss loss(ConfigFields serialized) {
    ConfigFields c = serialized.has("config") ? serialized.object("config")
        : new ConfigFields(KerasJson.NODES.objectNode(), serialized.where(), serialized.source());
    return (Loss) create(serialized.string("registered_name"), c, Loss.class, "loss");
  }

  /**
   * One entry of a compile config's {@code metrics} for a metric {@link MetricConfigs} does not write itself: a
   * registered metric as Keras serializes it ({@code name} and {@code dtype}, then its config), any other by its
   * identifier.
   */
  static JsonNode metric(Metric metric) {
    CustomObjects.Registration r = CustomObjects.forClass(metric.getClass());
    if (r == null) {
      return KerasJson.NODES.textNode(metric.name());
    }
    ObjectNode c = KerasJson.NODES.objectNode();
    c.put("name", metric.name());
    c.put("dtype", "float32");
    putAll(c, ((KerasSerializable) metric).getConfig(), "metric " + metric.getClass().getName());
    return envelope(metric.getClass(), metric.getClass().getSimpleName(), c, r);
  }

  /** Rebuilds a registered metric from a serialized metric that {@link #isRegisteredName names a registered class}. */
  static Metric metric(JsonNode serialized, ConfigFields compile) {
    ConfigFields env = new ConfigFields(serialized, compile.where() + ".metrics", compile.source());
    ConfigFields c = env.has("config") ? env.object("config")
        : new ConfigFields(KerasJson.NODES.objectNode(), env.where(), env.source());
    return (Metric) create(env.string("registered_name"), c, Metric.class, "metric");
  }

  private static KerasSerializable create(String registeredName, ConfigFields c, Class<?> kind, String what) {
    CustomObjects.Registration r = CustomObjects.forName(registeredName);
    if (r == null) {
      String simple = registeredName.substring(registeredName.indexOf('>') + 1);
      throw c.fail("the file needs the custom " + what + " '" + registeredName + "', and no Java class is registered "
          + "under that name. Register it before loading: CustomObjects.register(\""
          + registeredName.substring(0, registeredName.indexOf('>')) + "\", \"" + simple + "\", " + simple
          + ".class, " + simple + "::fromConfig), where " + simple + " implements "
          + KerasSerializable.class.getSimpleName());
    }
    if (!kind.isAssignableFrom(r.type())) {
      throw c.fail("'" + registeredName + "' is registered to " + r.type().getName() + ", which is not a " + what
          + " (" + kind.getName() + ")");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> config = KerasJson.mapper().convertValue(c.node(), Map.class);
    KerasSerializable made;
    try {
      made = r.fromConfig().apply(config);
    } catch (RuntimeException e) {
      throw (RuntimeException) c.fail("the factory registered for '" + registeredName + "' refused its config: "
          + e.getMessage()).initCause(e);
    }
    if (!r.type().isInstance(made)) {
      throw c.fail("the factory registered for '" + registeredName + "' returned " + (made == null ? "null"
          : made.getClass().getName()) + ", expected a " + r.type().getName());
    }
    return made;
  }

  private static ObjectNode envelope(Class<?> type, String className, ObjectNode config,
      CustomObjects.Registration r) {
    ObjectNode n = KerasJson.NODES.objectNode();
    n.put("module", type.getPackageName());
    n.put("class_name", className);
    n.set("config", config);
    n.put("registered_name", r.registeredName());
    return n;
  }

  private static void putAll(ObjectNode target, Map<String, Object> config, String owner) {
    Objects.requireNonNull(config, () -> owner + ": getConfig() returned null");
    // Keras keeps get_config()'s order; a map without one (Map.of) is written sorted, so the bytes never vary.
    Map<String, Object> ordered = config instanceof LinkedHashMap || config instanceof java.util.SortedMap
        ? config : new java.util.TreeMap<>(config);
    try {
      ordered.forEach((k, v) -> target.set(k, KerasJson.mapper().valueToTree(v)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(owner + ": getConfig() must return JSON values (numbers, strings, "
          + "booleans, null, lists and maps of them). " + e.getMessage(), e);
    }
  }

  private static String registerCall(String pkg, Class<?> type) {
    String simple = type.getSimpleName().isEmpty() ? "MyClass" : type.getSimpleName(); // anonymous: a placeholder
    return "CustomObjects.register(\"" + pkg + "\", \"" + simple + "\", " + simple + ".class, " + simple
        + "::fromConfig)";
  }
}
