package dev.kerasj;

import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.CallbackList;
import dev.kerasj.callbacks.History;
import dev.kerasj.internal.DataAdapter;
import dev.kerasj.internal.FitLoop;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.internal.Network;
import dev.kerasj.internal.TrainingGraph;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Weight;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.Losses;
import dev.kerasj.metrics.Metric;
import dev.kerasj.metrics.Metrics;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.Optimizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * Keras' {@code Sequential} model: a stack of layers trained with {@code compile} and {@code fit}, in a TensorFlow
 * graph owned by this object (close it, or use try-with-resources, to free native memory).
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
public class Sequential implements AutoCloseable {
  private final String name;
  private final List<Layer> layers = new ArrayList<>();
  private final Map<String, Integer> nameCounters = new HashMap<>();
  private final Set<String> usedNames = new HashSet<>();
  private Input input;
  private long[] inputShape;
  private long[] outputShape;
  private Long seed;
  private String device;
  private ModelGraph graph;
  private Network network;
  private TrainingGraph training;
  private Optimizer optimizer;
  private Loss loss;
  private Object[] metricIds = new Object[0];
  private List<Metric> metrics = List.of();
  private boolean stopTraining;
  private dev.kerasj.callbacks.TrainingOutcome stopReason = dev.kerasj.callbacks.TrainingOutcome.STOPPED_EARLY;
  private boolean closed;

  /** An empty model named {@code sequential}; add layers with {@link #add}. */
  public Sequential(Layer... layers) {
    this("sequential", layers);
  }

  public Sequential(String name, Layer... layers) {
    this.name = name;
    for (Layer l : layers) {
      add(l);
    }
  }

  /** The model's name ({@code sequential} by default). */
  public String name() {
    return name;
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
    if (network != null) {
      throw new IllegalStateException("Cannot add layer '" + layer.name() + "': the model is already built");
    }
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
    if (requested != null) {
      if (!usedNames.add(requested)) {
        throw new IllegalArgumentException(
            "All layers added to a Sequential model should have unique names. Name '" + requested
                + "' is already the name of a layer in this model");
      }
      return requested;
    }
    String prefix = layer.defaultNamePrefix();
    while (true) {
      int n = nameCounters.merge(prefix, 1, Integer::sum) - 1;
      String candidate = n == 0 ? prefix : prefix + "_" + n;
      if (usedNames.add(candidate)) {
        return candidate;
      }
    }
  }

  /** The layers in order (without the Input). */
  public List<Layer> layers() {
    return List.copyOf(layers);
  }

  /** Per-sample input shape, or null while unknown. */
  public long[] inputShape() {
    return inputShape == null ? null : inputShape.clone();
  }

  /** Per-sample output shape, or null while the input shape is unknown. */
  public long[] outputShape() {
    return outputShape == null ? null : outputShape.clone();
  }

  /**
   * Seeds weight initialization, dropout masks and the default shuffle. Without it, a random seed is drawn (like
   * an unseeded Keras run). Must be called before the model is built.
   */
  public Sequential setSeed(long seed) {
    if (network != null) {
      throw new IllegalStateException("setSeed must be called before the model is built (first compile/fit/predict)");
    }
    this.seed = seed;
    return this;
  }

  /**
   * Places the model on a TensorFlow device such as {@code "/GPU:0"} (needs the {@code gpu} Maven profile's
   * natives). Soft placement is on: ops without a kernel on that device, or a machine without it, fall back to the
   * CPU. Must be called before the model is built.
   */
  public Sequential setDevice(String device) {
    if (network != null) {
      throw new IllegalStateException("setDevice must be called before the model is built");
    }
    ModelGraph.checkDevice(device);
    this.device = device;
    return this;
  }

  /** The seed in use (drawn at build time when none was set). */
  public long seed() {
    if (seed == null) {
      seed = new java.util.Random().nextLong();
    }
    return seed;
  }

  /**
   * Configures training, like Keras {@code compile}. Builds the model if its input shape is known.
   *
   * @param metrics metric identifiers ({@code "accuracy"}, {@code "mae"} ...) or {@link Metric}s
   */
  public void compile(Optimizer optimizer, Loss loss, Object... metrics) {
    checkOpen();
    if (optimizer == null || loss == null) {
      throw new IllegalArgumentException(
          "compile needs an optimizer and a loss. Received: optimizer=" + optimizer + ", loss=" + loss);
    }
    if (layers.isEmpty()) {
      throw new IllegalStateException("Cannot compile an empty Sequential model: add layers first");
    }
    Object[] ids = metrics == null ? new Object[0] : metrics.clone();
    if (outputShape != null) {
      resolveMetrics(ids, loss); // reject unknown or duplicate metrics before changing any state
    }
    this.optimizer = optimizer;
    this.loss = loss;
    this.metricIds = ids;
    this.metrics = List.of();
    this.training = null;
    if (inputShape != null) {
      ensureTrainingGraph();
    }
  }

  /** {@code compile} with Keras identifiers: {@code compile("adam", "sparse_categorical_crossentropy", "accuracy")}. */
  public void compile(String optimizer, String loss, String... metrics) {
    compile(Optimizers.get(optimizer), Losses.get(loss), (Object[]) metrics);
  }

  private List<Metric> resolveMetrics(Object[] ids, Loss loss) {
    List<Metric> out = new ArrayList<>();
    Set<String> names = new HashSet<>(List.of("loss"));
    for (Object m : ids) {
      Metric metric;
      if (m instanceof String s) {
        metric = Metrics.get(s, loss, outputShape);
      } else if (m instanceof Metric mm) {
        metric = mm;
      } else {
        throw new IllegalArgumentException(
            "Expected metrics to be identifiers or Metric objects. Received: " + (m == null ? "null" : m.getClass()));
      }
      if (!names.add(metric.name())) {
        throw new IllegalArgumentException("Duplicate metric name '" + metric.name() + "'");
      }
      out.add(metric);
    }
    return out;
  }

  /** Whether {@code compile} was called. */
  public boolean isCompiled() {
    return optimizer != null;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public Loss loss() {
    return loss;
  }

  /** The resolved metrics (after the model is built). */
  public List<Metric> metrics() {
    return List.copyOf(metrics);
  }

  private void ensureBuilt() {
    checkOpen();
    if (network != null) {
      return;
    }
    if (inputShape == null) {
      throw new IllegalStateException(
          "The model's input shape is unknown: start the model with Input.of(...) or give the first layer an "
              + "input shape");
    }
    if (layers.isEmpty()) {
      throw new IllegalStateException("The Sequential model has no layers");
    }
    Input.DType dtype = input != null ? input.dtype()
        : layers.get(0) instanceof Embedding ? Input.DType.INT32 : Input.DType.FLOAT32;
    graph = new ModelGraph(device);
    try {
      network = new Network(graph, layers, inputShape, dtype, seed());
      graph.initializeNew();
    } catch (RuntimeException e) {
      graph.close();
      graph = null;
      network = null;
      throw e;
    }
  }

  private void ensureTrainingGraph() {
    checkOpen();
    if (!isCompiled()) {
      throw new IllegalStateException("You must call `compile()` before using the model for fit or evaluate.");
    }
    ensureBuilt();
    if (training == null) {
      metrics = resolveMetrics(metricIds, loss);
      training = new TrainingGraph(graph, network, loss, metrics, optimizer, outputShape);
      graph.initializeNew();
    }
  }

  /** Builds the model graph now (it is otherwise built on first use). */
  public void build() {
    ensureBuilt();
  }

  /** Trains with Keras' defaults (1 epoch, batch 32, shuffled, progress bar). */
  public History fit(Object x, Object y) {
    return fit(x, y, FitOptions.defaults());
  }

  /**
   * Trains the model, like Keras {@code fit}.
   *
   * @param x Java array ({@code float[][]}, {@code float[][][][]}, {@code int[][]} ...) or TF Java {@code NdArray},
   *     samples first
   * @param y labels: class ids ({@code int[]}) for sparse losses, else arrays shaped like the model output
   * @return the per-epoch logs
   */
  public History fit(Object x, Object y, FitOptions options) {
    ensureTrainingGraph();
    HostArray xs = toInputs(x, "x");
    HostArray ys = toLabels(y, "y");
    DataAdapter.sameSamples(xs, ys, "x", "y");
    HostArray xVal = null;
    HostArray yVal = null;
    if (options.validationX() != null) {
      xVal = toInputs(options.validationX(), "validation_data x");
      yVal = toLabels(options.validationY(), "validation_data y");
      DataAdapter.sameSamples(xVal, yVal, "validation_data x", "validation_data y");
    } else if (options.validationSplit() > 0) {
      int splitAt = (int) Math.floor(xs.samples() * (1.0 - options.validationSplit()));
      if (splitAt == 0 || splitAt == xs.samples()) {
        throw new IllegalArgumentException(
            "validationSplit=" + options.validationSplit() + " leaves an empty training or validation set for "
                + xs.samples() + " samples");
      }
      xVal = xs.rows(splitAt, xs.samples());
      yVal = ys.rows(splitAt, ys.samples());
      xs = xs.rows(0, splitAt);
      ys = ys.rows(0, splitAt);
    }
    long shuffleSeed = options.seed() != null ? options.seed() : seed();
    return new FitLoop(this, training, metricNames()).fit(xs, ys, xVal, yVal, options, shuffleSeed);
  }

  /** Evaluates with batch size 32; returns {@code loss} and each metric. */
  public Map<String, Double> evaluate(Object x, Object y) {
    return evaluate(x, y, FitOptions.DEFAULT_BATCH_SIZE);
  }

  /** Keras {@code evaluate(..., return_dict=True)}: the loss and each metric over all samples. */
  public Map<String, Double> evaluate(Object x, Object y, int batchSize, Callback... callbacks) {
    ensureTrainingGraph();
    if (batchSize <= 0) {
      throw new IllegalArgumentException(
          "Expected batchSize to be a positive integer. Received: batchSize=" + batchSize);
    }
    HostArray xs = toInputs(x, "x");
    HostArray ys = toLabels(y, "y");
    DataAdapter.sameSamples(xs, ys, "x", "y");
    CallbackList cbs = new CallbackList(List.of(callbacks));
    cbs.setModel(this);
    return new FitLoop(this, training, metricNames()).evaluate(xs, ys, batchSize, cbs, "");
  }

  /** Predicts with batch size 32. */
  public FloatNdArray predict(Object x) {
    return predict(x, FitOptions.DEFAULT_BATCH_SIZE);
  }

  /**
   * Runs inference (Dropout off, BatchNormalization on moving statistics), like Keras {@code predict}.
   *
   * @return {@code [samples, ...outputShape]}; {@code StdArrays.array2dCopyOf(result)} gives a {@code float[][]}
   */
  public FloatNdArray predict(Object x, int batchSize) {
    ensureBuilt();
    if (batchSize <= 0) {
      throw new IllegalArgumentException(
          "Expected batchSize to be a positive integer. Received: batchSize=" + batchSize);
    }
    HostArray xs = toInputs(x, "x");
    int n = xs.samples();
    long values = (long) n * Arrays.stream(outputShape).reduce(1, Math::multiplyExact);
    if (values > dev.kerasj.saving.MemoryBudget.MAX_ARRAY_LENGTH) {
      throw new IllegalArgumentException("predict returns one array of " + n + " x " + Layer.formatShape(outputShape)
          + " = " + values + " values, more than a Java array holds. Received: x with " + n + " samples; call "
          + "predict on slices of x");
    }
    int row = (int) (values / n);
    float[] out = new float[(int) values];
    for (int b = 0, steps = FitLoop.steps(n, batchSize); b < steps; b++) {
      int from = FitLoop.batchStart(b, batchSize);
      int to = FitLoop.batchEnd(from, batchSize, n);
      float[] batch = network.predictBatch(xs, from, to).floats();
      System.arraycopy(batch, 0, out, from * row, batch.length);
    }
    long[] shape = new long[outputShape.length + 1];
    shape[0] = n;
    System.arraycopy(outputShape, 0, shape, 1, outputShape.length);
    return NdArrays.wrap(Shape.of(shape), DataBuffers.of(out, false, false));
  }

  private List<String> metricNames() {
    return metrics.stream().map(Metric::name).toList();
  }

  private HostArray toInputs(Object x, String what) {
    ensureBuilt();
    int vocabulary = layers.get(0) instanceof Embedding e ? e.inputDim() : 0;
    return DataAdapter.inputs(x, what, inputShape, network.inputDtype() == org.tensorflow.types.TInt32.class
        ? Input.DType.INT32 : Input.DType.FLOAT32, vocabulary);
  }

  private HostArray toLabels(Object y, String what) {
    return DataAdapter.labels(y, what, loss.sparseLabels(), outputShape);
  }

  /** The layer weights in Keras order ({@code model.weights}). */
  public List<Weight> weights() {
    ensureBuilt();
    return network.weights();
  }

  /** Keras {@code get_weights()}: current values of every layer weight, in {@link #weights()} order. */
  public List<FloatNdArray> getWeights() {
    ensureBuilt();
    List<Weight> ws = network.weights();
    List<HostArray> values = graph.read(ws.stream().map(w -> graph.variable(w.path())).toList());
    List<FloatNdArray> out = new ArrayList<>();
    for (HostArray v : values) {
      out.add(NdArrays.wrap(Shape.of(v.shape()), DataBuffers.of(v.floats(), false, false)));
    }
    return out;
  }

  /** Current values keyed by weight path ({@code dense/kernel} ...). */
  public Map<String, FloatNdArray> getWeightsByPath() {
    List<Weight> ws = weights();
    List<FloatNdArray> values = getWeights();
    Map<String, FloatNdArray> out = new LinkedHashMap<>();
    for (int i = 0; i < ws.size(); i++) {
      out.put(ws.get(i).path(), values.get(i));
    }
    return out;
  }

  /**
   * Keras {@code set_weights()}: one value per weight, in {@link #weights()} order; each a Java array
   * ({@code float[][]} ...) or {@code NdArray} of exactly the weight's shape. Nothing is written unless every value
   * fits.
   */
  public void setWeights(List<?> values) {
    List<Weight> ws = weights();
    if (values.size() != ws.size()) {
      throw new IllegalArgumentException(
          "You called setWeights with a list of length " + values.size() + ", but the model has " + ws.size()
              + " weights: " + ws);
    }
    Map<String, Object> byPath = new LinkedHashMap<>();
    for (int i = 0; i < ws.size(); i++) {
      byPath.put(ws.get(i).path(), values.get(i));
    }
    setWeights(byPath);
  }

  /** Sets some or all weights by path ({@code dense/kernel} ...); unknown paths and wrong shapes are rejected first. */
  public void setWeights(Map<String, ?> valuesByPath) {
    ensureBuilt();
    Map<String, Weight> known = new LinkedHashMap<>();
    network.weights().forEach(w -> known.put(w.path(), w));
    Map<ModelGraph.VariableSlot, HostArray> assign = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : valuesByPath.entrySet()) {
      Weight w = known.get(e.getKey());
      if (w == null) {
        throw new IllegalArgumentException(
            "Unknown weight '" + e.getKey() + "'. Expected one of: " + known.keySet());
      }
      HostArray v = HostArray.from(e.getValue(), e.getKey()).asFloats();
      if (!Arrays.equals(v.shape(), w.shape())) {
        throw new IllegalArgumentException(
            "Weight '" + w.path() + "' has shape " + DataAdapter.shape(w.shape()) + ". Received: a value of shape "
                + DataAdapter.shape(v.shape()));
      }
      assign.put(graph.variable(w.path()), v);
    }
    graph.assign(assign);
  }

  /**
   * Writes the weights and, once compiled, the optimizer state; the format follows the file name, as in Keras 3:
   * <ul>
   *   <li>{@code *.weights.h5}: Keras 3's weights file, which Python's {@code model.load_weights} takes
   *       ({@link dev.kerasj.saving.keras.KerasWeights});</li>
   *   <li>anything else: a TF object-based checkpoint ({@code prefix.index} + {@code prefix.data-00000-of-00001})
   *       that Python's {@code tf.train.Checkpoint} restores
   *       ({@link dev.kerasj.saving.tfcheckpoint.TfCheckpoint#write}).</li>
   * </ul>
   * Both are staged, fsynced and renamed into place; the previous file survives any failure.
   *
   * @throws IllegalArgumentException for another {@code .h5} name (Keras 2's legacy format, not supported)
   */
  public void saveWeights(java.nio.file.Path path) throws java.io.IOException {
    if (isKerasWeightsFile(path)) {
      dev.kerasj.saving.keras.KerasWeights.write(this, path);
    } else {
      dev.kerasj.saving.tfcheckpoint.TfCheckpoint.write(this, path);
    }
  }

  /**
   * Restores weights and optimizer state: from a Keras 3 {@code *.weights.h5} file, or from a TF checkpoint prefix
   * or the latest checkpoint of a directory (resolved through the checkpoint's object graph). Java- or
   * Python-written. On any failure the model is unchanged.
   */
  public void loadWeights(java.nio.file.Path path) throws java.io.IOException {
    if (isKerasWeightsFile(path)) {
      dev.kerasj.saving.keras.KerasWeights.restore(this, path);
    } else {
      dev.kerasj.saving.tfcheckpoint.TfCheckpoint.restore(this, path);
    }
  }

  /**
   * Writes the full model; the format follows the file name, as in Keras 3:
   * <ul>
   *   <li>{@code *.keras}: Keras 3's archive (config, compile settings, weights, optimizer state), which Python's
   *       {@code keras.models.load_model} opens ({@link dev.kerasj.saving.keras.KerasArchive});</li>
   *   <li>anything else: a TF SavedModel directory with a {@code serving_default} signature Python and TF Serving
   *       call, every variable, and in {@code assets/} the Keras config and training state {@link #load} needs.</li>
   * </ul>
   *
   * @throws IllegalArgumentException for a {@code .h5} name (Keras 2's legacy format, not supported)
   */
  public void save(java.nio.file.Path path) throws java.io.IOException {
    if (isKerasArchive(path)) {
      dev.kerasj.saving.keras.KerasArchive.write(this, path);
    } else {
      rejectLegacyH5(path);
      dev.kerasj.saving.savedmodel.SavedModelWriter.write(this, path);
    }
  }

  /**
   * Rebuilds a compiled, trainable model with its optimizer state: from a Keras 3 {@code *.keras} archive (Java- or
   * Python-written), or from a SavedModel written by {@link #save}.
   */
  public static Sequential load(java.nio.file.Path path) throws java.io.IOException {
    if (isKerasArchive(path)) {
      return dev.kerasj.saving.keras.KerasArchive.read(path);
    }
    rejectLegacyH5(path);
    return dev.kerasj.saving.savedmodel.SavedModelLoader.load(path);
  }

  /**
   * The model's Keras 3 config as JSON, as Python's {@code model.to_json()} writes it: layers with every argument,
   * {@code build_config}, and {@code compile_config} once compiled (the optimizer at its current learning rate).
   * {@code keras.models.model_from_json} rebuilds the same model in Python, and {@link #fromJson(String)} here.
   *
   * @throws IllegalArgumentException when a layer, initializer, optimizer or loss has no Keras equivalent
   */
  public String toJson() {
    checkOpen();
    build();
    com.fasterxml.jackson.databind.node.ObjectNode json = dev.kerasj.saving.keras.SequentialConfig.toJson(this,
        isCompiled() ? learningRate() : 0);
    try {
      return dev.kerasj.saving.keras.KerasJson.mapper().writer()
          .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the config of model '" + name + "' as JSON", e);
    }
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
    if (json == null) {
      throw new IllegalArgumentException("Expected a Keras model config as JSON. Received: null");
    }
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = dev.kerasj.saving.keras.KerasJson.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new dev.kerasj.saving.IncompatibleModelException(null, "The model config is not JSON: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
    return dev.kerasj.saving.keras.SequentialConfig.parse(root, null).newModel(seed);
  }

  private static Sequential fromJsonFile(java.nio.file.Path file, Long seed) throws java.io.IOException {
    com.fasterxml.jackson.databind.JsonNode root;
    if (isKerasArchive(file)) {
      root = dev.kerasj.saving.keras.KerasFileContents.read(file).config();
    } else {
      if (!java.nio.file.Files.isRegularFile(file)) {
        throw new java.nio.file.NoSuchFileException(file.toString(), null, "expected a Keras model config JSON file");
      }
      try {
        root = dev.kerasj.saving.keras.KerasJson.parse(java.nio.file.Files.readAllBytes(file));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new dev.kerasj.saving.IncompatibleModelException(file, file + " is not JSON: "
            + e.getOriginalMessage(), e);
      }
    }
    return dev.kerasj.saving.keras.SequentialConfig.parse(root, file).newModel(seed);
  }

  private static Sequential fromConfigTree(Map<String, ?> config, Long seed) {
    if (config == null) {
      throw new IllegalArgumentException("Expected a Keras model config. Received: null");
    }
    com.fasterxml.jackson.databind.JsonNode root;
    try {
      root = dev.kerasj.saving.keras.KerasJson.mapper().valueToTree(config);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("A Keras model config holds only maps, lists, strings, numbers, booleans "
          + "and nulls: " + e.getMessage(), e);
    }
    return dev.kerasj.saving.keras.SequentialConfig.parse(root, null).newModel(seed);
  }

  private static boolean isKerasArchive(java.nio.file.Path path) {
    return path.getFileName() != null
        && path.getFileName().toString().endsWith(dev.kerasj.saving.keras.KerasArchive.SUFFIX);
  }

  private static boolean isKerasWeightsFile(java.nio.file.Path path) {
    if (path.getFileName() == null) {
      return false;
    }
    String name = path.getFileName().toString();
    if (name.endsWith(".h5") && !name.endsWith(dev.kerasj.saving.keras.KerasWeights.SUFFIX)) {
      throw new IllegalArgumentException("Keras 2's legacy .h5 format is not supported; Keras 3 weights files end "
          + "in .weights.h5. Received: " + path);
    }
    return name.endsWith(dev.kerasj.saving.keras.KerasWeights.SUFFIX);
  }

  private static void rejectLegacyH5(java.nio.file.Path path) {
    if (path.getFileName() != null && path.getFileName().toString().endsWith(".h5")) {
      throw new IllegalArgumentException("A full model is saved as a .keras archive or a SavedModel directory; "
          + "Keras 2's legacy .h5 format is not supported. Received: " + path);
    }
  }

  /** Keras {@code model.stop_training}: true asks {@code fit} to stop after the current batch. */
  public boolean stopTraining() {
    return stopTraining;
  }

  public void setStopTraining(boolean stop) {
    setStopTraining(stop, dev.kerasj.callbacks.TrainingOutcome.STOPPED_EARLY);
  }

  /**
   * Like {@link #setStopTraining(boolean)}, saying why: {@code fit} reports {@code reason} as its outcome
   * ({@link dev.kerasj.callbacks.TrainingOutcome#STOPPED_ON_NAN} from {@code TerminateOnNaN}).
   */
  public void setStopTraining(boolean stop, dev.kerasj.callbacks.TrainingOutcome reason) {
    if (reason != dev.kerasj.callbacks.TrainingOutcome.STOPPED_EARLY
        && reason != dev.kerasj.callbacks.TrainingOutcome.STOPPED_ON_NAN) {
      throw new IllegalArgumentException(
          "A callback stops training early or on NaN. Received: reason=" + reason);
    }
    this.stopTraining = stop;
    this.stopReason = reason;
  }

  /** Why training was asked to stop (meaningful while {@link #stopTraining()} is true). */
  public dev.kerasj.callbacks.TrainingOutcome stopReason() {
    return stopReason;
  }

  /**
   * The optimizer's current learning rate (Keras {@code model.optimizer.learning_rate}): the value of the
   * compiled model's learning-rate variable, or the schedule's value at the current iteration.
   */
  public double learningRate() {
    ensureTrainingGraph();
    return training.currentLearningRate();
  }

  /**
   * Sets the learning rate variable (Keras {@code model.optimizer.learning_rate = v}); it is saved with the
   * optimizer state, so the new value survives a checkpoint and a resume.
   *
   * @throws IllegalArgumentException when {@code value} is not positive and finite
   * @throws IllegalStateException when the optimizer follows a learning-rate schedule
   */
  public void setLearningRate(double value) {
    ensureTrainingGraph();
    if (!(value > 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "Expected a positive finite learning rate. Received: learningRate=" + value);
    }
    training.setLearningRate(value);
  }

  /** The optimizer's step counter ({@code optimizer.iterations}): training steps applied so far. */
  public long iterations() {
    ensureTrainingGraph();
    return training.currentIterations();
  }

  /** Total number of parameters. */
  public long countParams() {
    return layers.stream().mapToLong(Layer::countParams).sum();
  }

  /**
   * Keras-style summary table (layer name and type, output shape, parameter count, totals).
   *
   * <pre>
   * Model: "sequential"
   * ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
   * ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
   * </pre>
   */
  public String summary() {
    ensureBuilt();
    return Summary.format(this);
  }

  /** The model graph owner; used by the saving packages. Not part of the user API. */
  public ModelGraph graphForInternalUse() {
    ensureBuilt();
    return graph;
  }

  /** The built layers' input placeholder and inference output; used by the SavedModel writer. Not user API. */
  public Network networkForInternalUse() {
    ensureBuilt();
    return network;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Sequential model '" + name + "' is closed");
    }
  }

  /** Frees the TensorFlow graph and session; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (graph != null) {
      graph.close();
    }
  }
}
