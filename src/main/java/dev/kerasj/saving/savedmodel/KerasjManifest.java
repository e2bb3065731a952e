package dev.kerasj.saving.savedmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.keras.KerasJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code assets/kerasj.json}: what a SavedModel needs beyond Keras' config to resume training exactly. The model
 * seed (weight init, Dropout masks and the default shuffle order derive from it), training progress, callbacks'
 * state, the signature's names, and the list of variables in {@code variables/} with dtype and shape, checked
 * against the rebuilt model before anything is restored.
 *
 * <pre>{@code
 * {"format": "kerasj.savedmodel", "format_version": 1, "tensorflow_version": "2.18.0", "seed": 1,
 *  "signature": {"key": "serving_default", "method_name": "tensorflow/serving/predict",
 *                "input": "input_layer", "output": "output_0"},
 *  (a model of several inputs or outputs: "inputs": ["a", "b"], "outputs": ["output_0", "output_1"])
 *  "training": {"epoch": 3, "batch": 0, "step": 24}, "callbacks": {},
 *  "variables": [{"key": "dense/kernel", "dtype": "float32", "shape": [64, 32]}, ...]}
 * }</pre>
 */
record KerasjManifest(long seed, List<String> inputKeys, int outputCount, TrainingState training,
    List<VariableEntry> variables) {
  static final String FORMAT = "kerasj.savedmodel";
  static final int FORMAT_VERSION = 1;

  /** One saved variable. */
  record VariableEntry(String key, String dtype, long[] shape) {
    @Override
    public boolean equals(Object o) {
      return o instanceof VariableEntry v && v.key.equals(key) && v.dtype.equals(dtype)
          && Arrays.equals(v.shape, shape);
    }

    @Override
    public int hashCode() {
      return key.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return key + " " + dtype + Arrays.toString(shape);
    }
  }

  ObjectNode toJson(String tensorflowVersion) {
    ObjectNode root = KerasJson.mapper().createObjectNode();
    root.put("format", FORMAT);
    root.put("format_version", FORMAT_VERSION);
    root.put("tensorflow_version", tensorflowVersion);
    root.put("seed", seed);
    ObjectNode sig = root.putObject("signature");
    sig.put("key", ServingGraph.SIGNATURE_KEY);
    sig.put("method_name", ServingGraph.PREDICT_METHOD);
    // One input and one output (every Sequential) keep the original single keys; a Functional model lists them.
    if (inputKeys.size() == 1) {
      sig.put("input", inputKeys.get(0));
    } else {
      inputKeys.forEach(sig.putArray("inputs")::add);
    }
    if (outputCount == 1) {
      sig.put("output", ServingGraph.OUTPUT_KEY);
    } else {
      ArrayNode outs = sig.putArray("outputs");
      for (int i = 0; i < outputCount; i++) {
        outs.add(ServingGraph.outputKey(i));
      }
    }
    ObjectNode t = root.putObject("training");
    if (training.epoch() == null) {
      t.putNull("epoch");
    } else {
      t.put("epoch", training.epoch());
    }
    t.put("batch", training.batch());
    t.put("step", training.step());
    root.set("callbacks", KerasJson.mapper().valueToTree(training.callbacks()));
    ArrayNode vars = root.putArray("variables");
    for (VariableEntry v : variables) {
      ObjectNode e = vars.addObject();
      e.put("key", v.key());
      e.put("dtype", v.dtype());
      ArrayNode shape = e.putArray("shape");
      Arrays.stream(v.shape()).forEach(shape::add);
    }
    return root;
  }

  /** Parses {@code kerasj.json}; {@code file} names it in errors. */
  static KerasjManifest parse(JsonNode root, Path file) {
    if (!root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw new IncompatibleModelException(file, file + " is not a kerasj SavedModel manifest (expected \"format\": \""
          + FORMAT + "\"). Found: " + abbreviate(root));
    }
    int version = root.path("format_version").asInt(-1);
    if (version < 1 || version > FORMAT_VERSION) {
      throw new IncompatibleModelException(file, file + " has format_version " + root.path("format_version")
          + "; this kerasj reads versions 1.." + FORMAT_VERSION + ". Upgrade kerasj to load it");
    }
    JsonNode t = required(root, "training", file);
    JsonNode epoch = t.get("epoch");
    Map<String, Object> callbacks = new LinkedHashMap<>();
    JsonNode cb = root.get("callbacks");
    if (cb != null && !cb.isNull()) {
      if (!cb.isObject()) {
        throw damaged(file, "'callbacks' must be an object. Found: " + cb);
      }
      for (Map.Entry<String, JsonNode> e : cb.properties()) {
        callbacks.put(e.getKey(), KerasJson.mapper().convertValue(e.getValue(), Object.class));
      }
    }
    TrainingState training;
    try {
      training = new TrainingState(epoch == null || epoch.isNull() ? null : integer(t, "epoch", file),
          integer(t, "batch", file), required(t, "step", file).longValue(), callbacks);
    } catch (IllegalArgumentException e) {
      throw damaged(file, e.getMessage());
    }
    List<VariableEntry> variables = new ArrayList<>();
    JsonNode vars = required(root, "variables", file);
    for (JsonNode v : vars) {
      JsonNode shapeNode = required(v, "shape", file);
      long[] shape = new long[shapeNode.size()];
      for (int i = 0; i < shape.length; i++) {
        if (!shapeNode.get(i).isIntegralNumber()) {
          throw damaged(file, "a variable shape must hold integers. Found: " + shapeNode);
        }
        shape[i] = shapeNode.get(i).longValue();
      }
      variables.add(new VariableEntry(required(v, "key", file).asText(), required(v, "dtype", file).asText(), shape));
    }
    JsonNode sig = root.path("signature");
    List<String> inputs = new ArrayList<>();
    if (sig.has("inputs")) {
      sig.get("inputs").forEach(n -> inputs.add(n.asText()));
    } else {
      inputs.add(sig.path("input").asText());
    }
    int outputs = sig.has("outputs") ? sig.get("outputs").size() : 1;
    return new KerasjManifest(required(root, "seed", file).longValue(), List.copyOf(inputs), outputs, training,
        variables);
  }

  private static JsonNode required(JsonNode parent, String key, Path file) {
    JsonNode v = parent.get(key);
    if (v == null || v.isNull()) {
      throw damaged(file, "'" + key + "' is missing");
    }
    return v;
  }

  private static int integer(JsonNode parent, String key, Path file) {
    JsonNode v = required(parent, key, file);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw damaged(file, "'" + key + "' must be an integer. Found: " + v);
    }
    return v.intValue();
  }

  private static CorruptCheckpointException damaged(Path file, String what) {
    return new CorruptCheckpointException(file, file + " is damaged: " + what);
  }

  private static String abbreviate(JsonNode n) {
    String s = n.toString();
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
