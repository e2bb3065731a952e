package dev.kerasj;

import dev.kerasj.internal.Topology;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keras' {@code Sequential} model: a stack of layers, each taking the previous one's output; a {@link Model} like any
 * other for training, files and callbacks. Its TensorFlow graph is owned by this object (close it, or use
 * try-with-resources, to free native memory).
 *
 * <pre>{@code
 * try (Sequential model = new Sequential(Input.of(64), new Dense(64, "relu"), new Dense(10, "softmax"))) {
 *   model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
 *   History h = model.fit(x, y, FitOptions.builder().epochs(20).validationSplit(0.1).build());
 *   Map<String, Double> scores = model.evaluate(xTest, yTest);
 * }
 * }</pre>
 *
 * <p>Layers get Keras' automatic names ({@code dense}, {@code dense_1} ...) counted per model. The graph is built
 * once, when the input shape is known and the model is first used; one training step is one {@code Session.run}.
 * Not thread-safe: one thread trains or predicts at a time.
 */
public class Sequential extends Model {
  /** The name Keras gives a Sequential model's input layer. */
  public static final String INPUT_LAYER_NAME = dev.kerasj.saving.keras.SequentialConfig.INPUT_LAYER_NAME;

  private final List<Layer> layers = new ArrayList<>();
  private final Set<String> usedNames = new HashSet<>();
  private Input input;
  private long[] inputShape;
  private long[] outputShape;

  /** An empty model named {@code sequential}; add layers with {@link #add}. */
  public Sequential(Layer... layers) {
    this(null, layers);
  }

  /** A model named {@code name} (null: Keras' automatic {@code sequential}). */
  public Sequential(String name, Layer... layers) {
    super(name);
    for (Layer l : layers) {
      add(l);
    }
  }

  @Override
  public String className() {
    return "Sequential";
  }

  @Override
  public String defaultNamePrefix() {
    return "sequential";
  }

  /**
   * Appends a layer, names it and, when the input shape is known, checks that it accepts its input shape.
   *
   * @throws IllegalArgumentException when the layer cannot take the previous layer's output shape
   * @throws IllegalStateException after the model was built
   */
  public Sequential add(Layer layer) {
    checkOpen();
    if (layer == null) {
      throw new IllegalArgumentException("Expected a layer. Received: null");
    }
    resetTopology();
    if (layer instanceof Input in) {
      if (input != null || !layers.isEmpty()) {
        throw new IllegalArgumentException("An Input must be the first thing added to a Sequential model");
      }
      input = in;
      in.assignName(uniqueName(in));
      inputShape = in.declaredInputShape();
      outputShape = inputShape;
      return this;
    }
    if (layers.stream().anyMatch(l -> l == layer)) {
      throw new IllegalArgumentException("Layer '" + layer.name() + "' was already added to this model");
    }
    if (layer.outputCount() != 1) {
      throw new IllegalArgumentException("All layers in a Sequential model should have a single output tensor. For "
          + "multi-output layers, use the functional API. Received: layer '"
          + (layer.name() != null ? layer.name() : layer.defaultNamePrefix()) + "' (" + layer.className()
          + ") with " + layer.outputCount() + " outputs" + (layer instanceof dev.kerasj.layers.Recurrent
              ? " (return_state=True)" : ""));
    }
    String assigned = uniqueName(layer);
    if (layers.isEmpty() && inputShape == null && layer.declaredInputShape() != null) {
      inputShape = layer.declaredInputShape();
      outputShape = inputShape;
    }
    layer.assignName(assigned);
    if (outputShape != null) {
      outputShape = layer.resolveShapes(outputShape);
    }
    layers.add(layer);
    return this;
  }

  private String uniqueName(Layer layer) {
    String requested = layer.requestedName();
    if (requested == null && layer instanceof Model m && !m.name().equals(m.defaultNamePrefix())) {
      requested = m.name();
    }
    if (requested != null) {
      if (!usedNames.add(requested)) {
        throw new IllegalArgumentException(
            "All layers added to a Sequential model should have unique names. Name '" + requested
                + "' is already the name of a layer in this model");
      }
      return requested;
    }
    return uniqueName(layer.defaultNamePrefix(), usedNames);
  }

  @Override
  Topology makeTopology() {
    if (inputShape == null || layers.isEmpty()) {
      return null;
    }
    if (input == null) {
      Input.DType dtype = layers.get(0) instanceof Embedding ? Input.DType.INT32 : Input.DType.FLOAT32;
      input = Input.of(uniqueName(INPUT_LAYER_NAME, usedNames), dtype, inputShape);
    }
    KerasTensor in = input.output();
    KerasTensor h = in;
    for (Layer l : layers) {
      h = l.apply(h);
    }
    return new Topology(List.of(in), List.of(h));
  }

  @Override
  Topology topology() {
    if (layers.isEmpty()) {
      throw new IllegalStateException("The Sequential model has no layers");
    }
    return super.topology();
  }

  /** The layers in order (without the Input). */
  @Override
  public List<Layer> layers() {
    return List.copyOf(layers);
  }

  /** Per-sample input shape, or null while unknown. */
  @Override
  public long[] inputShape() {
    return inputShape == null ? null : inputShape.clone();
  }

  /** Per-sample output shape, or null while the input shape is unknown. */
  @Override
  public long[] outputShape() {
    return outputShape == null ? null : outputShape.clone();
  }

  /** The input layer: the one added, or the one Keras creates ({@value #INPUT_LAYER_NAME}) once built; or null. */
  public Input input() {
    return input;
  }

  @Override
  public Sequential setSeed(long seed) {
    super.setSeed(seed);
    return this;
  }

  @Override
  public Sequential setDevice(String device) {
    super.setDevice(device);
    return this;
  }

  @Override
  public Layer setTrainable(boolean trainable) {
    super.setTrainable(trainable);
    layers.forEach(l -> l.setTrainable(trainable));
    return this;
  }

  @Override
  public void compile(CompileOptions options) {
    if (layers.isEmpty()) {
      throw new IllegalStateException("Cannot compile an empty Sequential model: add layers first");
    }
    super.compile(options);
  }

  /**
   * Rebuilds a compiled, trainable Sequential model with its optimizer state: from a Keras 3 {@code *.keras} archive
   * (Java- or Python-written), or from a SavedModel written by {@link #save}.
   *
   * @throws dev.kerasj.saving.IncompatibleModelException when the file holds a Functional model (use
   *     {@link Model#load})
   */
  public static Sequential load(java.nio.file.Path path) throws java.io.IOException {
    return load(path, null);
  }

  /** {@link #load(java.nio.file.Path)} onto a TensorFlow device such as {@code "/GPU:0"} (see {@link #setDevice}). */
  public static Sequential load(java.nio.file.Path path, String device) throws java.io.IOException {
    Model m = Model.load(path, device);
    if (m instanceof Sequential s) {
      return s;
    }
    m.close();
    throw new dev.kerasj.saving.IncompatibleModelException(path, path + " holds a " + m.className() + " model, not "
        + "a Sequential one; load it with Model.load");
  }

  /**
   * A new, built model from a Keras 3 Sequential config, like Python's {@code keras.models.model_from_json} /
   * {@code Sequential.from_config}: {@code json} is what {@code model.to_json()} returns (compiled when it holds a
   * {@code compile_config}) or what {@code model.get_config()} returns, as JSON (not compiled). Layers keep their
   * names; weights are initialised from a random seed, as in an unseeded Keras session.
   *
   * @throws dev.kerasj.saving.IncompatibleModelException naming the layer and field, for JSON kerasj cannot rebuild
   *     exactly (an unsupported layer or argument, a missing field, a value of the wrong type) or that is not JSON
   */
  public static Sequential fromJson(String json) {
    return fromJsonText(json, null);
  }

  /** {@link #fromJson(String)} with weight initialisation, dropout and shuffling seeded by {@code seed}. */
  public static Sequential fromJson(String json, long seed) {
    return fromJsonText(json, seed);
  }

  /**
   * {@link #fromJson(String)} from a file: a JSON file of {@code model.to_json()} or {@code model.get_config()}
   * output, or a {@code .keras} archive, whose {@code config.json} (compile settings included) is used and whose
   * weights are not (use {@link #load} for those).
   */
  public static Sequential fromJson(java.nio.file.Path file) throws java.io.IOException {
    return fromJsonFile(file, null);
  }

  /** {@link #fromJson(java.nio.file.Path)} with a seed, as {@link #fromJson(String, long)}. */
  public static Sequential fromJson(java.nio.file.Path file, long seed) throws java.io.IOException {
    return fromJsonFile(file, seed);
  }

  /**
   * {@link #fromJson(String)} from a config held as plain Java values ({@link Map}, {@link List}, {@link String},
   * {@link Number}, {@link Boolean}, null): the dict of {@code model.get_config()}, or of
   * {@code json.loads(model.to_json())}.
   */
  public static Sequential fromConfig(Map<String, ?> config) {
    return fromConfigTree(config, null);
  }

  /** {@link #fromConfig(Map)} with a seed, as {@link #fromJson(String, long)}. */
  public static Sequential fromConfig(Map<String, ?> config, long seed) {
    return fromConfigTree(config, seed);
  }

  private static Sequential fromJsonText(String json, Long seed) {
    return ModelFiles.sequentialFromConfig(ModelFiles.parseConfigText(json), null, seed);
  }

  private static Sequential fromJsonFile(java.nio.file.Path file, Long seed) throws java.io.IOException {
    return ModelFiles.sequentialFromConfig(ModelFiles.readConfigFile(file), file, seed);
  }

  private static Sequential fromConfigTree(Map<String, ?> config, Long seed) {
    return ModelFiles.sequentialFromConfig(ModelFiles.configTree(config), null, seed);
  }
}
