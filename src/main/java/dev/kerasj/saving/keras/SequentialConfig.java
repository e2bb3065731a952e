package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.losses.Loss;
import dev.kerasj.metrics.Metric;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.ModelFactory;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.MemoryBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Keras 3 config of a {@link dev.kerasj.Sequential}: what Keras 3.15's {@code model.to_json()} writes (and a {@code .keras}
 * archive's {@code config.json} holds), with {@code build_config} and {@code compile_config}, so that
 * {@code keras.models.model_from_json} rebuilds and compiles the same model in Python.
 *
 * <pre>{@code
 * ObjectNode json = SequentialConfig.toJson(model, learningRate);   // write
 * SequentialConfig.Spec spec = SequentialConfig.parse(json, path);  // read back
 * try (Sequential copy = spec.newModel(seed, null)) { ... }
 * }</pre>
 *
 * <p>Covered: every layer kerasj has with every argument kerasj supports (InputLayer, Dense, Conv2D,
 * BatchNormalization, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Dropout, Flatten, Reshape, Activation,
 * Embedding, Conv1D, MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalMaxPooling2D,
 * LayerNormalization, Masking), their initializers, the five optimizers, the six losses and the metric identifiers.
 */
public final class SequentialConfig {
  /** Keras' name of the input layer kerasj models get (kerasj's {@link Input} has no name of its own). */
  public static final String INPUT_LAYER_NAME = "input_layer";
  /** Keras' {@code class_name} of a Sequential model. */
  public static final String CLASS_NAME = "Sequential";

  private SequentialConfig() {}

  /**
   * Writes the config of a built model.
   *
   * @param learningRate the optimizer's current learning rate (its variable's value); ignored when not compiled
   * @throws IllegalArgumentException when a layer, initializer, optimizer or loss has no Keras equivalent
   */
  public static ObjectNode toJson(KerasModel model, double learningRate) {
    long[] inputShape = model.inputShape();
    // From the input tensor, not the built graph: a Sequential nested in another model has no graph of its own.
    boolean int32 = model.inputs().get(0).dtype() == Input.DType.INT32;
    ObjectNode config = KerasJson.NODES.objectNode();
    config.put("name", model.name());
    config.put("trainable", model.trainable());
    config.set("dtype", KerasJson.float32Policy());
    ArrayNode layers = config.putArray("layers");
    layers.add(LayerConfigs.inputLayer(INPUT_LAYER_NAME, inputShape, int32));
    for (Layer layer : model.layers()) {
      layers.add(LayerConfigs.toConfig(layer));
    }
    config.set("build_input_shape", KerasJson.batchShape(inputShape));
    ObjectNode root = KerasJson.serialized("keras", CLASS_NAME, config);
    ObjectNode build = root.putObject("build_config");
    build.set("input_shape", KerasJson.batchShape(inputShape));
    root.set("compile_config", model.isCompiled() ? compileConfig(model, learningRate) : KerasJson.NODES.objectNode());
    return root;
  }

  private static ObjectNode compileConfig(KerasModel model, double learningRate) {
    ObjectNode c = KerasJson.NODES.objectNode();
    c.set("optimizer", CompileConfigs.optimizer(model.optimizer(), learningRate));
    c.set("loss", CompileConfigs.loss(model.loss()));
    c.putNull("loss_weights");
    List<Metric> metrics = model.metrics();
    if (metrics.isEmpty()) {
      c.putNull("metrics");
    } else {
      ArrayNode m = c.putArray("metrics");
      metrics.forEach(metric -> m.add(MetricConfigs.metric(metric)));
    }
    List<Metric> weighted = model.weightedMetricsByOutput().isEmpty() ? List.of()
        : model.weightedMetricsByOutput().get(0);
    if (weighted.isEmpty()) {
      c.putNull("weighted_metrics");
    } else {
      ArrayNode m = c.putArray("weighted_metrics");
      weighted.forEach(metric -> m.add(MetricConfigs.metric(metric)));
    }
    c.put("run_eagerly", false);
    c.put("steps_per_execution", 1);
    c.put("jit_compile", false);
    return c;
  }

  /**
   * What {@code compile} received, rebuilt from a {@code compile_config}.
   *
   * @param metrics each a Keras identifier (String) or a {@link Metric} restored from a serialized one
   * @param weightedMetrics Keras' {@code weighted_metrics}, in the same forms
   */
  public record CompileSpec(Optimizer optimizer, Loss loss, List<Object> metrics, List<Object> weightedMetrics) {
    public CompileSpec {
      metrics = List.copyOf(metrics);
      weightedMetrics = List.copyOf(weightedMetrics);
    }

    /** Compile settings without weighted metrics. */
    public CompileSpec(Optimizer optimizer, Loss loss, List<Object> metrics) {
      this(optimizer, loss, metrics, List.of());
    }
  }

  /**
   * A model described by a config: its name, input, layers (each with its saved name) and compile settings.
   * Layer objects are single-use, so {@link #newModel} may be called once.
   *
   * @param compile null when the config has no (or an empty) {@code compile_config}
   */
  public record Spec(String name, Input input, List<Layer> layers, CompileSpec compile, Path source) {
    public Spec {
      layers = List.copyOf(layers);
    }

    /**
     * A new, built model with these layers, seeded and placed as given, compiled when the config was. Every layer
     * keeps its saved name (weights are keyed by it), except Reshape, which takes no name and has no weights. The
     * model's size is checked against the {@link MemoryBudget} first, from the config alone.
     *
     * @param seed seeds weight initialisation, dropout and shuffling; null draws a random one, as in an unseeded
     *     Keras session
     * @param device a TensorFlow device such as {@code "/GPU:0"}, or null
     * @param factory makes the Sequential ({@code Sequential.fromJson} and {@code Model.load} pass theirs)
     */
    public KerasModel newModel(Long seed, String device, ModelFactory factory) {
      checkBudget();
      KerasModel model = unbuilt(factory);
      try {
        if (seed != null) {
          model.setSeed(seed);
        }
        if (device != null) {
          model.setDevice(device);
        }
        if (compile != null) {
          factory.compile(model, compile.optimizer(), compile.loss(), null, compile.metrics(),
              compile.weightedMetrics());
        }
        model.build();
        return model;
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
    }

    /**
     * The model's size found from the config alone: layers, parameters and optimizer slots.
     *
     * @throws IncompatibleModelException naming the layer, for a shape it cannot take or a size that overflows
     */
    ModelFootprint footprint() {
      return ModelFootprint.of(input, layers, compile == null ? null : compile.optimizer(), source);
    }

    /**
     * Refuses, before anything is allocated, a model that this JVM's {@link MemoryBudget} cannot hold, naming its
     * largest layer, its parameter count, the bytes needed and the budget.
     *
     * @return the model's size
     */
    ModelFootprint checkBudget() {
      ModelFootprint size = footprint();
      size.checkBudget(MemoryBudget.bytes(), MemoryBudget.describe(), source);
      return size;
    }

    /** The model unbuilt and uncompiled: a Sequential nested in a Functional model's config. */
    KerasModel unbuilt(ModelFactory factory) {
      List<Layer> all = new ArrayList<>();
      all.add(input);
      all.addAll(layers);
      return factory.sequential(name, all);
    }
  }

  /**
   * Reads a Keras 3 Sequential config (kerasj's or one Keras wrote for an architecture kerasj supports): what
   * {@code model.to_json()} writes (the {@code config.json} of a {@code .keras} archive, with build and compile
   * config), or what {@code model.get_config()} returns (the layers only; never compiled).
   *
   * @param source the file it came from, for error messages
   * @throws IncompatibleModelException naming the layer and argument, for anything kerasj cannot rebuild exactly
   */
  public static Spec parse(JsonNode root, Path source) {
    if (root != null && root.isObject() && !root.has("class_name") && root.has("layers")) {
      // model.get_config(): the Sequential's config without Keras' serialized-object envelope.
      ObjectNode wrapped = KerasJson.serialized("keras", CLASS_NAME, (ObjectNode) root);
      return parse(wrapped, source);
    }
    if (root == null || !root.isObject() || !root.has("class_name")) {
      throw new IncompatibleModelException(source, (source == null ? "The model config" : source.toString())
          + " is neither model.to_json() output (an object with 'class_name' and 'config') nor model.get_config() "
          + "output (an object with 'layers'). Found: " + abbreviate(root));
    }
    ConfigFields top = new ConfigFields(root, "model", source);
    String cls = top.string("class_name");
    if (!cls.equals(CLASS_NAME)) {
      throw top.fail("kerasj rebuilds Sequential models only here. Found class_name '" + cls + "'"
          + (FunctionalConfig.isFunctional(root) ? "; rebuild a Functional model with Model.fromJson or Model.load"
          : ""));
    }
    ConfigFields config = top.object("config");
    JsonNode layerNodes = config.raw("layers");
    if (layerNodes == null || !layerNodes.isArray() || layerNodes.isEmpty()) {
      throw config.fail("expected a non-empty 'layers' list. Found: " + layerNodes);
    }
    int maxLayers = MemoryBudget.maxLayers();
    if (layerNodes.size() > maxLayers + 1) {
      throw config.fail("the model has " + layerNodes.size() + " layers; kerasj rebuilds at most " + maxLayers
          + " (and an InputLayer) from a config, since each layer adds graph ops to build (-D"
          + MemoryBudget.MAX_LAYERS_PROPERTY + "=<n> raises the limit for a config you trust)");
    }
    LayerConfigs.requireFloat32(config);
    Input input = null;
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < layerNodes.size(); i++) {
      ConfigFields entry = new ConfigFields(layerNodes.get(i), "layers[" + i + "]", source);
      String layerClass = entry.string("class_name");
      ConfigFields layerConfig = new ConfigFields(entry.raw("config"),
          "layer '" + entry.object("config").string("name", "?") + "' (" + layerClass + ")", source);
      if (layerClass.equals("InputLayer")) {
        if (i != 0) {
          throw layerConfig.fail("an InputLayer must come first");
        }
        input = LayerConfigs.input(layerConfig);
      } else {
        Layer layer = LayerConfigs.fromConfig(CustomObjectConfigs.lookupName(entry), layerConfig);
        if (layer.outputCount() != 1) { // Keras' Sequential refuses it too
          throw layerConfig.fail("All layers in a Sequential model should have a single output tensor; this one "
              + "returns " + layer.outputCount() + (layer instanceof dev.kerasj.layers.Recurrent
                  ? " (return_state=True)" : "") + ". For multi-output layers, use the functional API");
        }
        layers.add(layer);
      }
    }
    if (input == null) {
      throw config.fail("the first layer must be an InputLayer with the input shape (a built model's config has one)");
    }
    if (layers.isEmpty()) {
      throw config.fail("the model has no layers after its InputLayer");
    }
    return new Spec(config.string("name", "sequential"), input, layers, parseCompile(top), source);
  }

  private static String abbreviate(JsonNode node) {
    String text = String.valueOf(node);
    return text.length() <= 120 ? text : text.substring(0, 117) + "...";
  }

  private static CompileSpec parseCompile(ConfigFields top) {
    JsonNode node = top.raw("compile_config");
    if (node == null || node.isNull() || (node.isObject() && node.isEmpty())) {
      return null;
    }
    ConfigFields c = new ConfigFields(node, "compile_config", top.source());
    c.requireDefault("loss_weights", null);
    if (!c.has("optimizer") || !c.has("loss")) {
      throw c.fail("expected an 'optimizer' and a 'loss'");
    }
    Optimizer optimizer = CompileConfigs.optimizer(c.raw("optimizer"), c);
    Loss loss = CompileConfigs.loss(c.raw("loss"), c);
    return new CompileSpec(optimizer, loss, metricList(c, "metrics"), metricList(c, "weighted_metrics"));
  }

  /** The list under {@code key} ({@code metrics} or {@code weighted_metrics}) of a Sequential's compile config. */
  private static List<Object> metricList(ConfigFields c, String key) {
    List<Object> metrics = new ArrayList<>();
    JsonNode m = c.raw(key);
    if (m != null && !m.isNull()) {
      if (!m.isArray()) {
        throw c.fail("expected '" + key + "' to be a list of metric identifiers or serialized metrics. Found: " + m);
      }
      for (JsonNode id : m) {
        if (!id.isTextual() && !(id.isObject() && id.has("class_name"))) {
          throw c.fail("metric " + id + " is not supported: expected a metric identifier ("
              + String.join(", ", dev.kerasj.metrics.Metrics.IDENTIFIERS) + ") or a serialized metric of class "
              + MetricConfigs.SUPPORTED_CLASSES);
        }
        metrics.add(MetricConfigs.compileArgument(id, c));
      }
    }
    return metrics;
  }
}
