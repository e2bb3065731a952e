package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Bidirectional;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.Masking;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Merge;
import dev.kerasj.layers.MultiHeadAttention;
import dev.kerasj.layers.Recurrent;
import dev.kerasj.losses.Loss;
import dev.kerasj.metrics.Metric;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.ModelFactory;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.MemoryBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Keras 3 config of a Functional {@link dev.kerasj.Model}: what Keras 3.15's {@code model.to_json()} writes for
 * {@code keras.Model(inputs, outputs)} (and a {@code .keras} archive's {@code config.json} holds), and back.
 *
 * <pre>{@code
 * ObjectNode json = FunctionalConfig.toJson(model, learningRate);       // write
 * KerasModel copy = FunctionalConfig.newModel(json, source, seed, device, factory); // read back, built, compiled
 * }</pre>
 *
 * <p>Written as Keras writes it: every layer of {@code model.layers} (InputLayers included) with its
 * {@code inbound_nodes} (one per call of the layer inside this model, renumbered from 0 as Keras'
 * {@code get_config} does), a nested Sequential or Functional model inline with its own config, {@code input_layers}
 * as a list of {@code [name, node, 0]}. Two choices where kerasj cannot know what Python was given:
 * <ul>
 *   <li>{@code output_layers} is always a list {@code [[name, node, 0], ...]}, what Keras writes for
 *       {@code keras.Model(inputs, [out1, out2])}: a kerasj model's outputs are a list. Keras loads it back as a
 *       list-output model ({@code predict} returns a list in that order). Reading accepts the list, the dict form
 *       ({@code {"digit": ["digit", 0, 0]}}, outputs in the dict's order) and a single {@code [name, node, 0]}.</li>
 *   <li>Call keyword arguments: {@code {"mask": null}} for the layers whose Keras {@code call} takes a mask
 *       (BatchNormalization, models), {@code {"training": false, "mask": null}} for a recurrent call of one unmasked
 *       tensor (what Keras records), {@code {}} for the others, and {@code "training": false} (or true) for a call
 *       made with Keras' {@code training} argument ({@link Layer#apply(KerasTensor, boolean)}). A recorded
 *       {@code training} is read as Keras' Functional uses it: a default that fit, evaluate and predict, which
 *       always set their own mode, override (functional.operation_fn); so a call made with {@code training=false}
 *       comes back as a plain call, in Java as in Python.</li>
 * </ul>
 * {@code compile_config} is Keras' dict form for several outputs ({@code "loss": {"digit": ..., "value": ...}},
 * {@code loss_weights} and {@code metrics} likewise) and the plain form for one output.
 */
public final class FunctionalConfig {
  static final String MODULE = "keras.src.models.functional";
  static final String CLASS_NAME = "Functional";

  private FunctionalConfig() {}

  /**
   * Writes the config of a built Functional model.
   *
   * @param learningRate the optimizer's current learning rate; ignored when not compiled
   * @throws IllegalArgumentException when a layer, initializer, optimizer or loss has no Keras equivalent
   */
  public static ObjectNode toJson(KerasModel model, double learningRate) {
    ObjectNode root = modelConfig(model);
    root.set("compile_config", model.isCompiled() ? compileConfig(model, learningRate) : KerasJson.NODES.objectNode());
    return root;
  }

  /** The model without {@code compile_config}: also the form of a Functional model nested in another. */
  private static ObjectNode modelConfig(KerasModel model) {
    ObjectNode config = KerasJson.NODES.objectNode();
    config.put("name", model.name());
    config.put("trainable", model.trainable());
    ArrayNode layers = config.putArray("layers");
    Map<KerasTensor, Integer> nodeIndex = nodeIndices(model);
    for (Layer layer : model.layers()) {
      layers.add(layerEntry(model, layer, nodeIndex));
    }
    ArrayNode inputs = config.putArray("input_layers");
    model.inputs().forEach(t -> inputs.add(history(t, nodeIndex)));
    ArrayNode outputs = config.putArray("output_layers");
    model.outputs().forEach(t -> outputs.add(history(t, nodeIndex)));
    ObjectNode root = KerasJson.serialized(MODULE, CLASS_NAME, config);
    root.put("registered_name", CLASS_NAME);
    root.putObject("build_config").putNull("input_shape");
    return root;
  }

  private static ObjectNode layerEntry(KerasModel model, Layer layer, Map<KerasTensor, Integer> nodeIndex) {
    ObjectNode entry;
    if (layer instanceof Input in) {
      entry = LayerConfigs.inputLayer(in.name(), in.declaredInputShape(), in.dtype() == Input.DType.INT32);
    } else if (layer instanceof KerasModel m && m.className().equals(SequentialConfig.CLASS_NAME)) {
      entry = SequentialConfig.toJson(m, 0);
    } else if (layer instanceof KerasModel m) {
      entry = modelConfig(m);
      entry.putObject("compile_config");
    } else {
      entry = LayerConfigs.toConfig(layer);
    }
    entry.put("name", layer.name());
    List<KerasTensor> calls = nodesOf(model, layer);
    if (layer instanceof MultiHeadAttention && !calls.isEmpty() && calls.get(0).inputs().size() == 4
        && calls.get(0).inputs().get(2) == calls.get(0).inputs().get(1)) {
      // Called with an attention_mask and no key: Keras builds it on query and value only.
      ((ObjectNode) entry.path("build_config").path("shapes_dict")).remove("key_shape");
    }
    ArrayNode inbound = entry.putArray("inbound_nodes");
    for (KerasTensor node : nodesOf(model, layer)) {
      if (node.isInput()) {
        continue;
      }
      ObjectNode call = inbound.addObject();
      ArrayNode args = call.putArray("args");
      boolean givenStates = (layer instanceof Recurrent || layer instanceof Bidirectional)
          && node.inputs().size() > 1;
      if (givenStates) { // layer(x, initial_state=[h, c])
        args.add(tensor(node.inputs().get(0), nodeIndex));
      } else if (layer instanceof MultiHeadAttention) { // call(query, value[, key]): positional arguments
        List<KerasTensor> in = node.inputs();
        boolean keyGiven = in.size() == 3 || (in.size() == 4 && in.get(2) != in.get(1));
        in.subList(0, keyGiven ? 3 : 2).forEach(t -> args.add(tensor(t, nodeIndex)));
      } else if (layer instanceof Merge || node.inputs().size() > 1) {
        ArrayNode list = args.addArray();
        node.inputs().forEach(t -> list.add(tensor(t, nodeIndex)));
      } else {
        args.add(tensor(node.inputs().get(0), nodeIndex));
      }
      ObjectNode kwargs = call.putObject("kwargs");
      if (givenStates) {
        ArrayNode states = kwargs.putArray("initial_state");
        node.inputs().subList(1, node.inputs().size()).forEach(t -> states.add(tensor(t, nodeIndex)));
      }
      boolean recurrentCall = layer instanceof Recurrent && node.inputs().size() == 1;
      if (node.training() != null || recurrentCall) {
        // Keras records layer(x, training=False) first; and for a recurrent call of one tensor, the default of
        // RNN.call's training (False), which Layer.__call__ fills in. Read back, either is only a default
        // (see connect).
        kwargs.put("training", node.training() != null ? node.training() : false);
      }
      if (recurrentCall && !carriesMask(node.inputs().get(0))) {
        kwargs.putNull("mask"); // RNN.call takes a mask, which Layer.__call__ fills in for a call of one tensor
      }
      if (layer instanceof MultiHeadAttention && node.inputs().size() == 4) {
        kwargs.set("attention_mask", tensor(node.inputs().get(3), nodeIndex));
      }
      if (layer instanceof MultiHeadAttention mha && mha.returnAttentionScores()) {
        kwargs.put("return_attention_scores", true);
      }
      if (layer instanceof MultiHeadAttention mha && mha.useCausalMask()) {
        kwargs.put("use_causal_mask", true);
      }
      if (AttentionConfigs.isScoreAttention(layer)) {
        AttentionConfigs.putCallKwargs(kwargs, layer);
      }
      if (layer instanceof BatchNormalization || layer instanceof KerasModel
          || (layer instanceof GlobalAveragePooling1D && !carriesMask(node.inputs().get(0)))) {
        kwargs.putNull("mask"); // their Keras call() takes a mask, which Keras records
      }
      // A masked input's mask is left out: Keras writes it as NotEqual(/Any) op layers, kerasj does not; Keras infers
      // the same mask from the Masking or Embedding(mask_zero) layer when it rebuilds the model.
    }
    return entry;
  }

  /**
   * Whether {@code t} carries a mask at run time: made by {@link Masking} or an {@link Embedding#maskZero()}, or by
   * a layer that passes its input's mask on ({@link Layer#supportsMasking()}; {@link GlobalAveragePooling1D} ends
   * it). The symbolic twin of
   * {@code internal.Network.run}'s mask propagation, for the built-in layers.
   */
  private static boolean carriesMask(KerasTensor t) {
    if (t.isInput() || t.tensorIndex() > 0) { // a recurrent layer's states carry no mask
      return false;
    }
    Layer l = t.layer();
    if (l instanceof Masking || (l instanceof Embedding e && e.maskZero())) {
      return true;
    }
    if (l instanceof GlobalAveragePooling1D || !l.supportsMasking()) {
      return false;
    }
    // MultiHeadAttention's output carries the query's mask only (Keras sets query_mask on it)
    return (l instanceof MultiHeadAttention ? t.inputs().subList(0, 1) : t.inputs()).stream()
        .anyMatch(FunctionalConfig::carriesMask);
  }

  /** The calls of {@code layer} inside {@code model}, in call order. */
  private static List<KerasTensor> nodesOf(KerasModel model, Layer layer) {
    return model.topologyForInternalUse().nodes().stream().filter(t -> t.layer() == layer)
        .sorted(Comparator.comparingInt(KerasTensor::nodeIndex)).toList();
  }

  /**
   * Keras' {@code node_reindexing_map}: each call's index among the calls of its layer that belong to this model
   * (a layer also called in another model keeps its indices dense here).
   */
  private static Map<KerasTensor, Integer> nodeIndices(KerasModel model) {
    Map<Layer, List<KerasTensor>> byLayer = new IdentityHashMap<>();
    for (KerasTensor t : model.topologyForInternalUse().nodes()) {
      byLayer.computeIfAbsent(t.layer(), l -> new ArrayList<>()).add(t);
    }
    Map<KerasTensor, Integer> out = new IdentityHashMap<>();
    for (List<KerasTensor> calls : byLayer.values()) {
      calls.sort(Comparator.comparingInt(KerasTensor::nodeIndex));
      for (int i = 0; i < calls.size(); i++) {
        out.put(calls.get(i), i);
      }
    }
    return out;
  }

  private static ArrayNode history(KerasTensor t, Map<KerasTensor, Integer> nodeIndex) {
    ArrayNode h = KerasJson.NODES.arrayNode();
    h.add(t.layer().name());
    h.add(nodeIndex.getOrDefault(t.node(), 0));
    h.add(t.tensorIndex());
    return h;
  }

  private static ObjectNode tensor(KerasTensor t, Map<KerasTensor, Integer> nodeIndex) {
    ObjectNode n = KerasJson.NODES.objectNode();
    n.put("class_name", "__keras_tensor__");
    ObjectNode c = n.putObject("config");
    c.set("shape", KerasJson.batchShape(t.shape()));
    c.put("dtype", t.dtype().name().toLowerCase(Locale.ROOT));
    c.set("keras_history", history(t, nodeIndex));
    return n;
  }

  private static ObjectNode compileConfig(KerasModel model, double learningRate) {
    ObjectNode c = KerasJson.NODES.objectNode();
    c.set("optimizer", CompileConfigs.optimizer(model.optimizer(), learningRate));
    List<String> outputs = model.outputNames();
    List<Loss> losses = model.losses();
    if (outputs.size() == 1) {
      c.set("loss", CompileConfigs.loss(losses.get(0)));
    } else {
      ObjectNode byOutput = c.putObject("loss");
      for (int i = 0; i < outputs.size(); i++) {
        byOutput.set(outputs.get(i), CompileConfigs.loss(losses.get(i)));
      }
    }
    List<Double> weights = model.lossWeights();
    if (weights == null) {
      c.putNull("loss_weights");
    } else if (outputs.size() == 1) {
      c.putArray("loss_weights").add(weights.get(0));
    } else {
      ObjectNode byOutput = c.putObject("loss_weights");
      for (int i = 0; i < outputs.size(); i++) {
        byOutput.put(outputs.get(i), weights.get(i));
      }
    }
    putMetrics(c, "metrics", model.metricsByOutput(), outputs);
    putMetrics(c, "weighted_metrics", model.weightedMetricsByOutput(), outputs);
    c.put("run_eagerly", false);
    c.put("steps_per_execution", 1);
    c.put("jit_compile", false);
    return c;
  }

  /**
   * {@code metrics} or {@code weighted_metrics} as Keras writes them: null when there are none, a list for one
   * output, a dict of lists by output name for several (an output without any is left out, as Keras' dict form
   * allows; for {@code metrics} every output is written, as before).
   */
  private static void putMetrics(ObjectNode c, String key, List<List<Metric>> metrics, List<String> outputs) {
    if (metrics.stream().allMatch(List::isEmpty)) {
      c.putNull(key);
    } else if (outputs.size() == 1) {
      ArrayNode m = c.putArray(key);
      metrics.get(0).forEach(metric -> m.add(MetricConfigs.metric(metric)));
    } else {
      ObjectNode byOutput = c.putObject(key);
      for (int i = 0; i < outputs.size(); i++) {
        if (key.equals("weighted_metrics") && metrics.get(i).isEmpty()) {
          continue;
        }
        ArrayNode m = byOutput.putArray(outputs.get(i));
        metrics.get(i).forEach(metric -> m.add(MetricConfigs.metric(metric)));
      }
    }
  }

  // ---- Reading ----

  /** Whether {@code root} is a Functional model's config: {@code to_json()} output or a bare {@code get_config()}. */
  static boolean isFunctional(JsonNode root) {
    if (root == null || !root.isObject()) {
      return false;
    }
    if (root.has("class_name")) {
      String cls = root.path("class_name").asText();
      return cls.equals(CLASS_NAME) || cls.equals("Model");
    }
    return root.has("layers") && root.has("input_layers");
  }

  /**
   * A new Functional model from its config, built (seeded and placed as given) and compiled when the config has a
   * {@code compile_config}. Layers keep their names.
   *
   * @param seed null draws a random one
   * @throws IncompatibleModelException naming the layer and field, for a config kerasj cannot rebuild
   */
  public static KerasModel newModel(JsonNode root, Path source, Long seed, String device, ModelFactory factory) {
    return newModel(root, source, seed, device, factory, size -> { });
  }

  /**
   * {@link #newModel(JsonNode, Path, Long, String)}, refusing before anything is allocated a model this JVM's
   * {@link MemoryBudget} cannot hold, and any model {@code check} refuses (given its size from the config alone).
   */
  static KerasModel newModel(JsonNode root, Path source, Long seed, String device, ModelFactory factory,
      java.util.function.Consumer<ModelFootprint> check) {
    KerasModel model = unbuilt(root, source, factory);
    try {
      Compile compile = root.has("class_name") ? parseCompile(new ConfigFields(root, "model", source)) : null;
      ModelFootprint size = ModelFootprint.of(model, compile == null ? null : compile.optimizer(), source);
      size.checkBudget(MemoryBudget.bytes(), MemoryBudget.describe(), source);
      check.accept(size);
      if (seed != null) {
        model.setSeed(seed);
      }
      if (device != null) {
        model.setDevice(device);
      }
      if (compile != null) {
        factory.compile(model, compile.optimizer(), compile.loss(), compile.lossWeights(), compile.metrics(),
            compile.weightedMetrics());
      }
      model.build();
      return model;
    } catch (IllegalArgumentException | IllegalStateException e) {
      model.close();
      throw new IncompatibleModelException(source, "Cannot rebuild model '" + model.name() + "'"
          + (source == null ? "" : " of " + source) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** The model of a config, neither built nor compiled (also a Functional model nested in another's config). */
  static KerasModel unbuilt(JsonNode root, Path source, ModelFactory factory) {
    ConfigFields config;
    if (root != null && root.isObject() && !root.has("class_name")) {
      config = new ConfigFields(root, "model", source);
    } else {
      ConfigFields top = new ConfigFields(root, "model", source);
      String cls = top.string("class_name");
      if (!cls.equals(CLASS_NAME) && !cls.equals("Model")) {
        throw top.fail("expected a Functional model. Found class_name '" + cls + "'");
      }
      config = top.object("config");
    }
    String name = config.string("name", "functional");
    JsonNode layerNodes = config.raw("layers");
    if (layerNodes == null || !layerNodes.isArray() || layerNodes.isEmpty()) {
      throw config.fail("expected a non-empty 'layers' list. Found: " + layerNodes);
    }
    if (layerNodes.size() > MemoryBudget.maxLayers() * 2L) {
      throw config.fail("the model has " + layerNodes.size() + " layers; kerasj rebuilds at most "
          + MemoryBudget.maxLayers() + " (and their InputLayers) from a config (-D" + MemoryBudget.MAX_LAYERS_PROPERTY
          + "=<n> raises the limit for a config you trust)");
    }
    Map<String, Layer> layers = new LinkedHashMap<>();
    Map<String, JsonNode> inbound = new LinkedHashMap<>();
    Map<String, List<KerasTensor>> calls = new HashMap<>();
    Set<String> maskOps = KerasMaskOps.find(layerNodes);
    for (int i = 0; i < layerNodes.size(); i++) {
      JsonNode entryNode = layerNodes.get(i);
      ConfigFields entry = new ConfigFields(entryNode, "layers[" + i + "]", source);
      String cls = entry.string("class_name");
      if (maskOps.contains(entry.string("name", ""))) {
        continue; // a Masking or Embedding(mask_zero) mask, which kerasj recomputes (see KerasMaskOps)
      }
      ConfigFields layerConfig = new ConfigFields(entry.raw("config"),
          "layer '" + entry.object("config").string("name", "?") + "' (" + cls + ")", source);
      String layerName = entry.string("name", layerConfig.string("name", null));
      if (layerName == null) {
        throw entry.fail("expected the layer's 'name'");
      }
      if (layers.containsKey(layerName)) {
        throw entry.fail("a second layer is named '" + layerName + "'; names in a model are unique");
      }
      Layer layer;
      switch (cls) {
        case "InputLayer" -> {
          Input in = LayerConfigs.input(layerConfig, layerName);
          layer = in;
          calls.put(layerName, new ArrayList<>(List.of(in.output())));
        }
        case "Sequential" -> {
          SequentialConfig.Spec spec = SequentialConfig.parse(without(entryNode, "compile_config"), source);
          layer = spec.unbuilt(factory).asLayer();
          if (!layerConfig.bool("trainable", true)) {
            layer.setTrainable(false);
          }
        }
        case CLASS_NAME, "Model" -> {
          layer = unbuilt(without(entryNode, "compile_config"), source, factory).asLayer();
          if (!layerConfig.bool("trainable", true)) {
            layer.setTrainable(false);
          }
        }
        case "MultiHeadAttention" -> { // use_causal_mask is in its calls' kwargs
          LayerConfigs.fromConfig(cls, layerConfig); // the common checks (dtype, trainable ...)
          layer = AttentionConfigs.fromConfig(layerConfig, entryNode.get("inbound_nodes"));
          layer.setTrainable(layerConfig.bool("trainable", true));
        }
        case "Attention", "AdditiveAttention" -> { // use_causal_mask, return_attention_scores: in its calls' kwargs
          LayerConfigs.fromConfig(cls, layerConfig); // the common checks (dtype, trainable ...)
          layer = AttentionConfigs.scoreAttention(cls, layerConfig, entryNode.get("inbound_nodes"));
          layer.setTrainable(layerConfig.bool("trainable", true));
        }
        default -> layer = LayerConfigs.fromConfig(CustomObjectConfigs.lookupName(entry), layerConfig);
      }
      layers.put(layerName, layer);
      inbound.put(layerName, entryNode.get("inbound_nodes"));
      calls.putIfAbsent(layerName, new ArrayList<>());
    }
    connect(config, layers, inbound, calls, maskOps);
    List<KerasTensor> inputs = endpoints(config, "input_layers", calls);
    List<KerasTensor> outputs = endpoints(config, "output_layers", calls);
    try {
      return factory.functional(name, inputs, outputs);
    } catch (IllegalArgumentException e) {
      throw config.fail(e.getMessage());
    }
  }

  private static JsonNode without(JsonNode node, String key) {
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    copy.remove(key);
    copy.remove("inbound_nodes");
    copy.remove("name");
    return copy;
  }

  /**
   * Calls every layer on its inputs, as Keras' {@code functional_from_config} does: in layer order, each layer's
   * calls in order, deferring a call until the calls it takes tensors from have been made.
   */
  private static void connect(ConfigFields config, Map<String, Layer> layers, Map<String, JsonNode> inbound,
      Map<String, List<KerasTensor>> calls, Set<String> maskOps) {
    Map<String, Integer> done = new HashMap<>();
    boolean progress = true;
    boolean pending = true;
    while (pending && progress) {
      progress = false;
      pending = false;
      for (Map.Entry<String, Layer> e : layers.entrySet()) {
        String name = e.getKey();
        if (e.getValue() instanceof Input) {
          continue;
        }
        JsonNode nodes = inbound.get(name);
        if (nodes == null || !nodes.isArray()) {
          throw config.fail("layer '" + name + "' has no 'inbound_nodes' list. Found: " + nodes);
        }
        int next = done.getOrDefault(name, 0);
        while (next < nodes.size()) {
          List<KerasTensor> args = arguments(config, name, nodes.get(next), calls, maskOps,
              e.getValue() instanceof MultiHeadAttention,
              e.getValue() instanceof Recurrent || e.getValue() instanceof Bidirectional,
              AttentionConfigs.isScoreAttention(e.getValue()));
          if (args == null) {
            break;
          }
          try {
            // A recorded "training" is not a forced mode: Keras' Functional.call overrides it with its own training
            // whenever that is set (functional.operation_fn), and fit, evaluate and predict always set it. Keras
            // records {"training": false} for every recurrent call of one tensor, so reading it as forced would
            // keep a loaded LSTM's dropout off in fit.
            calls.get(name).add(e.getValue().applyOutputs(args, null)
                .get(0)); // the call, whose other outputs keras_history addresses by tensor index
          } catch (IllegalArgumentException ex) {
            throw config.fail("layer '" + name + "' cannot be called on its inputs: " + ex.getMessage());
          }
          next++;
          progress = true;
        }
        done.put(name, next);
        pending |= next < nodes.size();
      }
    }
    if (pending) {
      throw config.fail("the layers' inbound_nodes name tensors no layer produces (or form a cycle); could not "
          + "connect: " + layers.keySet().stream().filter(n -> !(layers.get(n) instanceof Input)
              && done.getOrDefault(n, 0) < inbound.get(n).size()).toList());
    }
  }

  /** The tensors one call takes, or null while one of them is not made yet. */
  private static List<KerasTensor> arguments(ConfigFields config, String layer, JsonNode node,
      Map<String, List<KerasTensor>> calls, Set<String> maskOps, boolean attention, boolean recurrent,
      boolean scoreAttention) {
    JsonNode args = node == null ? null : node.get("args");
    if (args == null || !args.isArray() || args.isEmpty()) {
      throw config.fail("layer '" + layer + "': expected an inbound node {\"args\": [...], \"kwargs\": {...}}. "
          + "Found: " + node);
    }
    JsonNode kwargs = node.get("kwargs");
    if (kwargs != null && kwargs.isObject()) {
      for (Iterator<String> it = kwargs.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        JsonNode v = kwargs.get(k);
        boolean ok = (k.equals("mask") && (v.isNull() || maskOps.contains(KerasMaskOps.historyLayer(v))))
            || (k.equals("training") && (v.isBoolean() || v.isNull()))
            || (attention && (k.equals("use_causal_mask") || k.equals("return_attention_scores"))
                && (v.isBoolean() || v.isNull())) // read with the layer
            || (attention && k.equals("attention_mask")) // read below
            || (recurrent && k.equals("initial_state")) // read below
            || (scoreAttention && (k.equals("use_causal_mask") || k.equals("return_attention_scores"))
                && (v.isBoolean() || v.isNull())); // read with the layer
        if (!ok) {
          throw config.fail("layer '" + layer + "': call argument " + k + "=" + v + " is not supported (kerasj "
              + "takes training, and mask=None or the mask of a Masking layer)");
        }
      }
    }
    if (args.size() != 1 && !(attention && args.size() <= 3)) {
      throw config.fail("layer '" + layer + "': expected " + (attention ? "query, value and optionally key"
          : "one positional argument (a tensor or a list of tensors)") + ". Found: " + args);
    }
    JsonNode arg = args.get(0);
    List<JsonNode> tensors = new ArrayList<>();
    if (attention) {
      args.forEach(tensors::add);
    } else if (arg.isArray()) {
      arg.forEach(tensors::add);
    } else {
      tensors.add(arg);
    }
    JsonNode attentionMask = attention && kwargs != null ? kwargs.get("attention_mask") : null;
    if (attentionMask != null && !attentionMask.isNull()) { // mha(q, v[, key], attention_mask=m): [q, v, k or v, m]
      if (tensors.size() == 2) {
        tensors.add(tensors.get(1));
      }
      tensors.add(attentionMask);
    }
    JsonNode initialState = recurrent && kwargs != null ? kwargs.get("initial_state") : null;
    if (initialState != null && !initialState.isNull()) { // Keras' layer(x, initial_state=[h, c]): more inputs
      if (initialState.isArray()) {
        initialState.forEach(tensors::add);
      } else {
        tensors.add(initialState);
      }
    }
    List<KerasTensor> out = new ArrayList<>();
    for (JsonNode t : tensors) {
      JsonNode h = t.path("config").path("keras_history");
      if (!t.path("class_name").asText().equals("__keras_tensor__") || !isHistory(h)) {
        throw config.fail("layer '" + layer + "': expected a __keras_tensor__ with a keras_history "
            + "[layer, node, tensor]. Found: " + t);
      }
      KerasTensor made = lookup(config, h, calls);
      if (made == null) {
        return null;
      }
      out.add(made);
    }
    return out;
  }

  private static boolean isHistory(JsonNode h) {
    return h.isArray() && h.size() == 3 && h.get(0).isTextual() && h.get(1).isIntegralNumber()
        && h.get(2).isIntegralNumber();
  }

  private static KerasTensor lookup(ConfigFields config, JsonNode h, Map<String, List<KerasTensor>> calls) {
    String name = h.get(0).asText();
    List<KerasTensor> made = calls.get(name);
    if (made == null) {
      throw config.fail("keras_history " + h + " names a layer the model does not have");
    }
    int node = h.get(1).asInt();
    if (node < 0 || node >= made.size()) {
      return null;
    }
    List<KerasTensor> outputs = made.get(node).outputs();
    int index = h.get(2).asInt();
    if (index < 0 || index >= outputs.size()) {
      throw config.fail("keras_history " + h + " names output " + index + " of layer '" + name + "', whose call "
          + "returns " + outputs.size() + (outputs.size() == 1 ? " tensor" : " tensors") + " (indices 0.."
          + (outputs.size() - 1) + ")");
    }
    return outputs.get(index);
  }

  /** {@code input_layers}/{@code output_layers}: one {@code [name, node, 0]}, a list of them, or a dict of them. */
  private static List<KerasTensor> endpoints(ConfigFields config, String key, Map<String, List<KerasTensor>> calls) {
    JsonNode v = config.raw(key);
    List<JsonNode> histories = new ArrayList<>();
    if (v != null && isHistory(v)) {
      histories.add(v);
    } else if (v != null && v.isArray()) {
      v.forEach(histories::add);
    } else if (v != null && v.isObject()) {
      v.forEach(histories::add);
    } else {
      throw config.fail("expected '" + key + "' to be a list of [layer, node, 0]. Found: " + v);
    }
    List<KerasTensor> out = new ArrayList<>();
    for (JsonNode h : histories) {
      if (!isHistory(h)) {
        throw config.fail("expected each entry of '" + key + "' to be [layer, node, 0]. Found: " + h);
      }
      KerasTensor t = lookup(config, h, calls);
      if (t == null) {
        throw config.fail("'" + key + "' names " + h + ", a call the model does not make");
      }
      out.add(t);
    }
    return out;
  }

  /** A {@code compile_config}: Keras' {@code compile} arguments, each in a form {@code Model.compile} takes. */
  private record Compile(Optimizer optimizer, Object loss, Object lossWeights, Object metrics,
      Object weightedMetrics) {}

  /** Keras' {@code compile_config}, or null when there is none. */
  private static Compile parseCompile(ConfigFields top) {
    JsonNode node = top.raw("compile_config");
    if (node == null || node.isNull() || (node.isObject() && node.isEmpty())) {
      return null;
    }
    ConfigFields c = new ConfigFields(node, "compile_config", top.source());
    if (!c.has("optimizer") || !c.has("loss")) {
      throw c.fail("expected an 'optimizer' and a 'loss'");
    }
    Optimizer optimizer = CompileConfigs.optimizer(c.raw("optimizer"), c);
    JsonNode lossNode = c.raw("loss");
    Object loss;
    if (lossNode.isObject() && !lossNode.has("class_name")) {
      Map<String, Loss> byOutput = new LinkedHashMap<>();
      lossNode.fields().forEachRemaining(e -> byOutput.put(e.getKey(), CompileConfigs.loss(e.getValue(), c)));
      loss = byOutput;
    } else if (lossNode.isArray()) {
      List<Loss> list = new ArrayList<>();
      lossNode.forEach(l -> list.add(CompileConfigs.loss(l, c)));
      loss = list;
    } else {
      loss = CompileConfigs.loss(lossNode, c);
    }
    JsonNode weights = c.raw("loss_weights");
    Object lossWeights = weights == null || weights.isNull() ? null
        : KerasJson.mapper().convertValue(weights, Object.class);
    return new Compile(optimizer, loss, lossWeights, metricIds(c, "metrics"), metricIds(c, "weighted_metrics"));
  }

  /** {@code metrics} or {@code weighted_metrics} of a compile config, in a form {@code Model.compile} takes. */
  private static Object metricIds(ConfigFields c, String key) {
    JsonNode metrics = c.raw(key);
    if (metrics == null || metrics.isNull()) {
      return List.of();
    }
    checkMetricIds(c, metrics);
    return MetricConfigs.compileArgument(metrics, c);
  }

  private static void checkMetricIds(ConfigFields c, JsonNode metrics) {
    if (metrics.isTextual()) {
      return;
    }
    if (!metrics.isArray() && !metrics.isObject()) {
      throw c.fail("expected 'metrics' to be a list or a dict by output name. Found: " + metrics);
    }
    for (JsonNode m : metrics) {
      if (m.isObject() && m.has("class_name")) {
        continue; // a serialized metric, read by MetricConfigs
      }
      if (m.isArray() || m.isObject()) {
        checkMetricIds(c, m);
      } else if (!m.isTextual() && !m.isNull()) {
        throw c.fail("metric " + m + " is not supported: expected a metric identifier ("
            + String.join(", ", dev.kerasj.metrics.Metrics.IDENTIFIERS) + ") or a serialized metric of class "
            + MetricConfigs.SUPPORTED_CLASSES);
      }
    }
  }
}
