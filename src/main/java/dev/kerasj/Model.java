package dev.kerasj;

import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.CallbackList;
import dev.kerasj.callbacks.History;
import dev.kerasj.data.Dataset;
import dev.kerasj.distribute.MultiWorkerMirroredStrategy;
import dev.kerasj.internal.DataAdapter;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.internal.Replication;
import dev.kerasj.internal.Network;
import dev.kerasj.internal.Topology;
import dev.kerasj.internal.TrainingGraph;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.LayerContext;
import dev.kerasj.layers.Weight;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.Losses;
import dev.kerasj.metrics.Metric;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.WorkerRole;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.Optimizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * A Keras model: what {@code compile}, {@code fit}, {@code evaluate}, {@code predict}, weights, files and the CLI
 * work with; callbacks and file formats see it through its contract, {@link KerasModel}. {@link Sequential} is one
 * kind; {@code new Model(inputs, outputs)} makes a Functional model, Keras' {@code keras.Model(inputs, outputs)}:
 *
 * <pre>{@code
 * KerasTensor a = Input.tensor("a", 32);
 * KerasTensor b = Input.tensor("b", 32);
 * KerasTensor h = new Concatenate().apply(new Dense(16, "relu").apply(a), new Dense(16, "relu").apply(b));
 * try (Model model = new Model(List.of(a, b), List.of(new Dense(10, "softmax", "digit").apply(h)))) {
 *   model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 *   model.fit(Map.of("a", xa, "b", xb), y, FitOptions.builder().epochs(5).build());
 * }
 * }</pre>
 *
 * <p>The model owns a TensorFlow graph and session (close it, or use try-with-resources). The graph is built once, on
 * first use; one training step is one {@code Session.run}. A model is also a {@link Layer}: applied to a tensor of
 * another model ({@code encoder.apply(x)}) it becomes part of that model, weights included. Not thread-safe.
 */
public class Model extends Layer implements KerasModel {
  private Topology topology;
  private final Map<String, Integer> nameCounters = new HashMap<>();
  private Long seed;
  private String device;
  /** Keras' {@code strategy.scope()}: a model created inside one trains with that strategy. */
  private MultiWorkerMirroredStrategy strategy = MultiWorkerMirroredStrategy.current();
  private ModelGraph graph;
  private Network network;
  private TrainingGraph training;
  private Optimizer optimizer;
  private CompileSpec compiled;
  /** What compile was given while the outputs are not known yet (a Sequential without an input shape). */
  private CompileOptions pendingOptions;
  private boolean stopTraining;
  private boolean closed;

  /** A Functional model of one input and one output. */
  public Model(KerasTensor input, KerasTensor output) {
    this(null, List.of(input), List.of(output));
  }

  /** A Functional model; {@code fit} takes inputs and labels in these orders (or maps keyed by layer name). */
  public Model(List<KerasTensor> inputs, List<KerasTensor> outputs) {
    this(null, inputs, outputs);
  }

  /**
   * A Functional model named {@code name} (null: {@code functional}). Layers without a name get Keras' automatic
   * ones ({@code dense}, {@code dense_1} ...), numbered in the model's layer order.
   *
   * @throws IllegalArgumentException when the outputs do not follow from the inputs, or two layers share a name
   */
  public Model(String name, List<KerasTensor> inputs, List<KerasTensor> outputs) {
    super(name, null);
    setTopology(new Topology(inputs, outputs));
  }

  /** For subclasses that make their topology later ({@link Sequential}). */
  protected Model(String name) {
    super(name, null);
  }

  /** Sets the layer graph and names its unnamed layers, in Keras' layer order. */
  final void setTopology(Topology t) {
    Set<String> used = new HashSet<>();
    for (Layer l : t.layers()) {
      if (l.requestedName() != null || (l instanceof Model m ? m.hasAssignedName() : l.name() != null)) {
        used.add(l.name());
      }
    }
    for (Layer l : t.layers()) {
      if (l instanceof Model m ? m.requestedName() == null && !m.hasAssignedName() : l.name() == null) {
        l.assignName(uniqueName(l.defaultNamePrefix(), used));
      }
    }
    t.checkUniqueNames();
    this.topology = t;
  }

  /** Keras' automatic name: the prefix, then {@code _1}, {@code _2} ... skipping names already used. */
  final String uniqueName(String prefix, Set<String> used) {
    while (true) {
      int n = nameCounters.merge(prefix, 1, Integer::sum) - 1;
      String candidate = n == 0 ? prefix : prefix + "_" + n;
      if (used.add(candidate)) {
        return candidate;
      }
    }
  }

  /** The layer graph, or null while a {@link Sequential} does not know its input shape. */
  Topology currentTopology() {
    if (topology == null) {
      Topology t = makeTopology();
      if (t != null) {
        setTopology(t);
      }
    }
    return topology;
  }

  /** Makes the layer graph of a model that makes it late ({@link Sequential}), or returns null while it cannot. */
  Topology makeTopology() {
    return null;
  }

  /** Forgets the layer graph of a model that is not built yet (a Sequential that gets another layer). */
  void resetTopology() {
    if (network != null) {
      throw new IllegalStateException("The model is already built");
    }
    topology = null;
  }

  /** The layer graph; a {@link Sequential} makes it when its input shape is known. */
  Topology topology() {
    if (currentTopology() == null) {
      throw new IllegalStateException("The model's input shape is unknown: start the model with Input.of(...) or "
          + "give the first layer an input shape");
    }
    return topology;
  }

  @Override
  public String name() {
    String n = super.name();
    return n != null ? n : defaultNamePrefix();
  }

  /** Whether an outer model gave this model a name. */
  private boolean hasAssignedName() {
    return super.name() != null;
  }

  @Override
  public String className() {
    return "Functional";
  }

  @Override
  public Layer asLayer() {
    return this;
  }

  @Override
  public String defaultNamePrefix() {
    return "functional";
  }

  /** Keras' {@code model.layers}: for a Functional model every layer once, Input layers included, in Keras' order. */
  public List<Layer> layers() {
    return topology().layers();
  }

  /**
   * Keras' {@code model.get_layer(name)}.
   *
   * @throws IllegalArgumentException naming the layers there are, when none has this name
   */
  public Layer getLayer(String name) {
    for (Layer l : layers()) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    throw new IllegalArgumentException("No such layer: " + name + ". Existing layers are: "
        + layers().stream().map(Layer::name).toList());
  }

  /** The symbolic inputs ({@code model.inputs}). */
  public List<KerasTensor> inputs() {
    return topology().inputs();
  }

  /** The symbolic outputs ({@code model.outputs}). */
  public List<KerasTensor> outputs() {
    return topology().outputs();
  }

  /** The input layers' names: the keys {@code fit} and {@code predict} take in a map of inputs. */
  public List<String> inputNames() {
    return topology().inputLayers().stream().map(Layer::name).toList();
  }

  /** Keras' {@code model.output_names}: the names of the layers that produce the outputs; the keys of label maps. */
  public List<String> outputNames() {
    return topology().outputs().stream().map(t -> t.layer().name()).toList();
  }

  /** The per-sample input shape of a single-input model, or null while unknown. */
  public long[] inputShape() {
    List<KerasTensor> in = inputs();
    requireOne(in.size(), "input", "inputs()");
    return in.get(0).shape();
  }

  /** The per-sample output shape of a single-output model, or null while unknown. */
  public long[] outputShape() {
    List<KerasTensor> out = outputs();
    requireOne(out.size(), "output", "outputs()");
    return out.get(0).shape();
  }

  private void requireOne(int n, String what, String instead) {
    if (n != 1) {
      throw new IllegalStateException("Model '" + name() + "' has " + n + " " + what + "s; use " + instead);
    }
  }

  /**
   * Seeds weight initialization, dropout masks and the default shuffle. Without it, a random seed is drawn (like
   * an unseeded Keras run). Must be called before the model is built.
   */
  public Model setSeed(long seed) {
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
  public Model setDevice(String device) {
    if (network != null) {
      throw new IllegalStateException("setDevice must be called before the model is built");
    }
    ModelGraph.checkDevice(device);
    this.device = device;
    return this;
  }

  /**
   * Trains this model as one worker of a synchronous data-parallel group ({@link MultiWorkerMirroredStrategy}). Must
   * be called before the model is built; a model created inside {@link MultiWorkerMirroredStrategy#scope()} (Keras'
   * {@code with strategy.scope():}) has it already, which suits models built and compiled at once
   * ({@code Model.fromJson} of a config with a {@code compile_config}).
   */
  public Model setDistributeStrategy(MultiWorkerMirroredStrategy strategy) {
    checkOpen();
    if (network != null && strategy != this.strategy) {
      throw new IllegalStateException("setDistributeStrategy must be called before model '" + name() + "' is built "
          + "(first compile/fit/predict). Create the model inside strategy.scope(), as Keras does");
    }
    this.strategy = strategy;
    return this;
  }

  /**
   * The strategy set by {@link #setDistributeStrategy} or a scope, or null (Keras' default strategy: this process
   * only).
   */
  public MultiWorkerMirroredStrategy distributeStrategy() {
    return strategy;
  }

  @Override
  public WorkerRole workerRole() {
    return strategy == null ? WorkerRole.SINGLE : strategy.role();
  }

  /** The seed in use (drawn at build time when none was set). */
  public long seed() {
    if (seed == null) {
      seed = new java.util.Random().nextLong();
    }
    return seed;
  }

  /**
   * Configures training, like Keras {@code compile}: each argument a Keras identifier or an object, in any mix
   * ({@code compile("adam", new SparseCategoricalCrossentropy(true), "accuracy")}). For a model of several outputs,
   * {@code loss} may be one loss for every output, a {@code List} in output order or a {@code Map} keyed by output
   * name, and {@code metrics} one {@code Map} or {@code List} of per-output lists; see {@link CompileOptions} for
   * loss weights.
   *
   * @param optimizer an {@link Optimizer} or a Keras identifier ({@code "adam"})
   * @param loss a {@link Loss}, a Keras identifier ({@code "mse"}), or a per-output list or map of them
   * @param metrics metric identifiers ({@code "accuracy"}, {@code "mae"} ...) or {@link Metric}s
   */
  public void compile(Object optimizer, Object loss, Object... metrics) {
    CompileOptions.Builder b = CompileOptions.builder(optimizer, loss);
    if (metrics != null && metrics.length == 1 && (metrics[0] instanceof Map<?, ?> || metrics[0] instanceof List<?>)) {
      b.metrics(metrics[0]);
    } else {
      b.metrics(metrics == null ? List.of() : Arrays.asList(metrics));
    }
    compile(b.build());
  }

  /** {@code compile} with Keras identifiers: {@code compile("adam", "sparse_categorical_crossentropy", "accuracy")}. */
  public void compile(String optimizer, String loss, String... metrics) {
    compile((Object) optimizer, (Object) loss, (Object[]) metrics);
  }

  /** {@code compile} with an {@link Optimizer} and {@link Loss}. */
  public void compile(Optimizer optimizer, Loss loss, Object... metrics) {
    compile((Object) optimizer, (Object) loss, metrics);
  }

  /** Keras' {@code compile(optimizer, loss, loss_weights, metrics)} in full. */
  public void compile(CompileOptions options) {
    checkOpen();
    Optimizer opt = options.optimizer() instanceof Optimizer o ? o : Optimizers.get((String) options.optimizer());
    CompileSpec spec = currentTopology() == null ? null
        : CompileSpec.resolve(options, outputNames(), outputShapes());
    if (training != null) {
      rebuildGraph(); // a graph cannot drop the old optimizer's variables: start a new one from the current weights
    }
    this.optimizer = opt;
    this.compiled = spec;
    this.pendingOptions = spec == null ? options : null;
    this.training = null;
    if (currentTopology() != null) {
      ensureTrainingGraph();
    }
  }

  /** Per-sample output shapes, for the Dataset path's label checks. */
  List<long[]> outputShapesForData() {
    return outputShapes();
  }

  private List<long[]> outputShapes() {
    return outputs().stream().map(KerasTensor::shape).toList();
  }

  /** Whether {@code compile} was called. */
  public boolean isCompiled() {
    return optimizer != null;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  /** The loss of a single-output model. */
  public Loss loss() {
    CompileSpec spec = spec();
    if (spec == null) {
      return null;
    }
    requireOne(spec.losses().size(), "output", "losses()");
    return spec.losses().get(0);
  }

  /** Each output's loss, in output order (empty before compile). */
  public List<Loss> losses() {
    CompileSpec spec = spec();
    return spec == null ? List.of() : spec.losses();
  }

  /** Each output's loss weight, or null when compile gave none. */
  public List<Double> lossWeights() {
    CompileSpec spec = spec();
    return spec == null ? null : spec.lossWeights();
  }

  /** Each output's metrics, in output order (resolved once the model is built). */
  public List<List<Metric>> metricsByOutput() {
    CompileSpec spec = spec();
    return spec == null ? List.of() : spec.metrics();
  }

  /** Each output's weighted metrics ({@code CompileOptions.weightedMetrics}), in output order (empty before compile). */
  @Override
  public List<List<Metric>> weightedMetricsByOutput() {
    CompileSpec spec = spec();
    return spec == null ? List.of() : spec.weightedMetrics();
  }

  /**
   * Whether the log key {@code key} ({@code loss}, {@code accuracy}, {@code val_digit_loss} ...) is better lower
   * ({@link Metric.Direction#MIN}) or higher, as callbacks in mode {@code auto} need it; null when this model logs no
   * such key. Losses, per-output losses included, are better lower; a metric declares its direction.
   */
  public Metric.Direction logDirection(String key) {
    String base = key.startsWith("val_") ? key.substring(4) : key;
    if (base.equals("loss")) {
      return Metric.Direction.MIN;
    }
    if (training != null) {
      // The training graph names every logged metric, the weighted ones (weighted_<name>) included.
      List<String> logged = training.metricNames();
      int at = logged.indexOf(base);
      return at < 0 ? null : training.metrics().get(at).direction();
    }
    CompileSpec spec = spec();
    if (spec == null) {
      return null;
    }
    List<String> names = outputNames();
    boolean several = names.size() > 1;
    for (int i = 0; i < names.size(); i++) {
      if (several && base.equals(names.get(i) + "_loss")) {
        return Metric.Direction.MIN;
      }
      for (Metric m : spec.metrics().get(i)) {
        if (base.equals(several ? names.get(i) + "_" + m.name() : m.name())) {
          return m.direction();
        }
      }
    }
    return null;
  }

  /** The resolved metrics of every output, in log order (once the outputs are known). */
  public List<Metric> metrics() {
    return metricsByOutput().stream().flatMap(List::stream).toList();
  }

  private CompileSpec spec() {
    if (compiled == null && pendingOptions != null && currentTopology() != null) {
      compiled = CompileSpec.resolve(pendingOptions, outputNames(), outputShapes());
      pendingOptions = null;
    }
    return compiled;
  }

  /**
   * Replaces the graph by a new one holding the current weight values and no training part, as a second
   * {@code compile} needs (Keras starts a new optimizer; frozen flags take effect).
   */
  private void rebuildGraph() {
    Map<String, FloatNdArray> values = getWeightsByPath();
    graph.close();
    graph = null;
    network = null;
    training = null;
    releaseLeaves(sublayers());
    ensureBuilt();
    setWeights(values);
  }

  private static void releaseLeaves(List<Layer> layers) {
    for (Layer l : layers) {
      if (l.sublayers().isEmpty()) {
        l.releaseWeights();
      } else {
        releaseLeaves(l.sublayers());
      }
    }
  }

  /** Builds the graph once the layer graph is known; Sequential makes its topology here. */
  void ensureBuilt() {
    checkOpen();
    if (network != null) {
      if (!network.isIntact()) {
        throw new IllegalStateException("Model '" + name() + "' gave its layers to another model, whose graph now "
            + "holds their weights; use that model (or load this one again)");
      }
      return;
    }
    Topology t = topology();
    graph = new ModelGraph(device);
    try {
      String target = strategy == null ? null : strategy.startServer();
      if (target != null) {
        graph.replicate(new Replication(target, strategy.taskIndex(), strategy.numReplicasInSync(),
            strategy.collectiveTimeout().toMillis() / 1000f));
      }
      network = new Network(graph, t, seed(), this instanceof Sequential);
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
      CompileSpec spec = spec();
      List<TrainingGraph.OutputSpec> outs = new ArrayList<>();
      List<String> names = outputNames();
      for (int i = 0; i < names.size(); i++) {
        outs.add(new TrainingGraph.OutputSpec(names.get(i), spec.losses().get(i),
            spec.lossWeights() == null ? null : spec.lossWeights().get(i), spec.metrics().get(i),
            spec.weightedMetrics().get(i), outputs().get(i).shape()));
      }
      try {
        training = new TrainingGraph(graph, network, outs, optimizer);
      } catch (RuntimeException e) {
        // A compile refused halfway (a metric that cannot take these labels or weights) has already added the
        // optimizer's variables to the graph: start a clean graph from the current weights, so that the next
        // compile does not fail on "Duplicate variable".
        try {
          rebuildGraph();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
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
   *     samples first; for a model of several inputs, a {@code List} of them in input order or a {@code Map} keyed by
   *     input name
   * @param y labels: class ids ({@code int[]}) for sparse losses, else arrays shaped like the model output; for
   *     several outputs, a {@code List} in output order or a {@code Map} keyed by output name
   * @param options epochs, batch size, validation, callbacks, and Keras' {@code sample_weight} and
   *     {@code class_weight} ({@link FitOptions.Builder#sampleWeight}, {@link FitOptions.Builder#classWeight})
   * @return the per-epoch logs
   */
  public History fit(Object x, Object y, FitOptions options) {
    if (x instanceof Dataset) {
      throw new IllegalArgumentException("`y` argument is not supported when using a Dataset as input: its targets "
          + "are the labels. Call fit(dataset, options)");
    }
    if (options.validationDataset() != null || options.stepsPerEpoch() != null || options.validationSteps() != null) {
      throw new IllegalArgumentException("validationData(Dataset), stepsPerEpoch and validationSteps apply to a "
          + "Dataset fit; for arrays use validationData(x, y) and batchSize");
    }
    ensureTrainingGraph();
    List<HostArray> xs = ModelData.inputs(this, x, "x");
    List<HostArray> ys = ModelData.labels(this, y, "y");
    ModelData.sameSamples(xs, ys, "x", "y");
    List<HostArray> sw = SampleWeights.of(this, training, options.sampleWeight(), xs.get(0).samples(),
        "sample_weight");
    List<HostArray> xVal = null;
    List<HostArray> yVal = null;
    List<HostArray> swVal = null;
    if (options.validationX() != null) {
      xVal = ModelData.inputs(this, options.validationX(), "validation_data x");
      yVal = ModelData.labels(this, options.validationY(), "validation_data y");
      ModelData.sameSamples(xVal, yVal, "validation_data x", "validation_data y");
      swVal = SampleWeights.of(this, training, options.validationSampleWeight(), xVal.get(0).samples(),
          "validation_data sample_weight");
    } else if (options.validationSplit() > 0) {
      int n = xs.get(0).samples();
      int splitAt = (int) Math.floor(n * (1.0 - options.validationSplit()));
      if (splitAt == 0 || splitAt == n) {
        throw new IllegalArgumentException(
            "validationSplit=" + options.validationSplit() + " leaves an empty training or validation set for "
                + n + " samples");
      }
      xVal = ModelData.rows(xs, splitAt, n);
      yVal = ModelData.rows(ys, splitAt, n);
      xs = ModelData.rows(xs, 0, splitAt);
      ys = ModelData.rows(ys, 0, splitAt);
      if (sw != null) {
        swVal = ModelData.rows(sw, splitAt, n); // Keras' train_validation_split slices (x, y, sample_weight) alike
        sw = ModelData.rows(sw, 0, splitAt);
      }
    }
    if (options.classWeight() != null) {
      // After the split, as in Keras: class weights weight the training samples only, never validation.
      sw = SampleWeights.ofClasses(this, training, options.classWeight(), ys);
    }
    long shuffleSeed = options.seed() != null ? options.seed() : seed();
    return new FitLoop(this, training).fit(xs, ys, sw, xVal, yVal, swVal, options, shuffleSeed);
  }

  /** Trains on a {@link Dataset} with Keras' defaults (1 epoch, progress bar). */
  public History fit(Dataset data) {
    return fit(data, FitOptions.defaults());
  }

  /**
   * Trains on a {@link Dataset}, like Keras {@code fit(dataset)}: its {@code inputs} feed the model, its
   * {@code targets} the losses. The options' {@code batchSize} and {@code shuffle} do not apply (the dataset batches
   * and shuffles); {@code stepsPerEpoch}, {@code validationSteps} and {@code validationData(Dataset)} do.
   *
   * <pre>{@code
   * model.fit(Dataset.fromArrays(x, y).shuffle(1000, 7).batch(32),
   *     FitOptions.builder().epochs(5).validationData(Dataset.fromArrays(xVal, yVal).batch(64)).build());
   * }</pre>
   */
  public History fit(Dataset data, FitOptions options) {
    ensureTrainingGraph();
    return ModelDatasets.fit(this, graph, network, training, data, options,
        options.seed() != null ? options.seed() : seed());
  }

  /** Keras {@code evaluate(dataset, return_dict=True)}: the loss and each metric over the whole dataset. */
  public Map<String, Double> evaluate(Dataset data, Callback... callbacks) {
    ensureTrainingGraph();
    CallbackList cbs = new CallbackList(List.of(callbacks));
    cbs.setModel(this);
    return ModelDatasets.evaluate(this, graph, network, training, data, cbs, seed());
  }

  /** Keras {@code predict(dataset)} for a model of one output: one row per example, in dataset order. */
  public FloatNdArray predict(Dataset data) {
    ensureBuilt();
    requireOne(outputs().size(), "output", "predictOutputs(dataset)");
    return predictOutputs(data).values().iterator().next();
  }

  /** Keras {@code predict(dataset)} for any model: one array per output, keyed by output name. */
  public Map<String, FloatNdArray> predictOutputs(Dataset data) {
    ensureBuilt();
    return ModelDatasets.predict(graph, network, data, outputNames(), outputShapes(), seed());
  }

  /** Evaluates with batch size 32; returns {@code loss} and each metric. */
  public Map<String, Double> evaluate(Object x, Object y) {
    return evaluate(x, y, FitOptions.DEFAULT_BATCH_SIZE);
  }

  /** Keras {@code evaluate(..., return_dict=True)}: the loss and each metric over all samples. */
  public Map<String, Double> evaluate(Object x, Object y, int batchSize, Callback... callbacks) {
    return evaluate(x, y, null, batchSize, callbacks);
  }

  /**
   * Keras {@code evaluate(x, y, batch_size, sample_weight=..., return_dict=True)}: the loss and the weighted metrics
   * weighted by {@code sampleWeight} (in the forms {@link FitOptions.Builder#sampleWeight} takes; null for none),
   * the other metrics unweighted.
   */
  public Map<String, Double> evaluate(Object x, Object y, Object sampleWeight, int batchSize,
      Callback... callbacks) {
    ensureTrainingGraph();
    if (batchSize <= 0) {
      throw new IllegalArgumentException(
          "Expected batchSize to be a positive integer. Received: batchSize=" + batchSize);
    }
    List<HostArray> xs = ModelData.inputs(this, x, "x");
    List<HostArray> ys = ModelData.labels(this, y, "y");
    ModelData.sameSamples(xs, ys, "x", "y");
    List<HostArray> sw = SampleWeights.of(this, training, sampleWeight, xs.get(0).samples(), "sample_weight");
    CallbackList cbs = new CallbackList(List.of(callbacks));
    cbs.setModel(this);
    return new FitLoop(this, training).evaluate(xs, ys, sw, batchSize, cbs, "");
  }

  /** Predicts with batch size 32. */
  public FloatNdArray predict(Object x) {
    return predict(x, FitOptions.DEFAULT_BATCH_SIZE);
  }

  /**
   * Runs inference (Dropout off, BatchNormalization on moving statistics), like Keras {@code predict}, for a model
   * of one output; {@link #predictOutputs} gives every output of a model of several.
   *
   * @return {@code [samples, ...outputShape]}; {@code StdArrays.array2dCopyOf(result)} gives a {@code float[][]}
   */
  public FloatNdArray predict(Object x, int batchSize) {
    ensureBuilt();
    requireOne(outputs().size(), "output", "predictOutputs(x)");
    return predictList(x, batchSize).get(0);
  }

  /** {@link #predictList(Object, int)} with batch size 32. */
  public List<FloatNdArray> predictList(Object x) {
    return predictList(x, FitOptions.DEFAULT_BATCH_SIZE);
  }

  /**
   * Keras {@code predict} returning a list: one array per output, in output order. Unlike
   * {@link #predictOutputs(Object, int)} it needs no distinct output names, so it serves a model whose outputs are
   * several outputs of one layer call (an encoder's LSTM states {@code [h, c]}, which Keras names alike).
   *
   * @throws IllegalArgumentException when an output would not fit one Java array (predict slices of x instead)
   */
  public List<FloatNdArray> predictList(Object x, int batchSize) {
    return predictArrays(x, batchSize);
  }

  /** {@link #predictOutputs(Object, int)} with batch size 32. */
  public Map<String, FloatNdArray> predictOutputs(Object x) {
    return predictOutputs(x, FitOptions.DEFAULT_BATCH_SIZE);
  }

  /**
   * Keras {@code predict} for any model: one array per output, keyed by output name, in output order.
   *
   * @throws IllegalArgumentException when an output would not fit one Java array (predict slices of x instead)
   */
  public Map<String, FloatNdArray> predictOutputs(Object x, int batchSize) {
    List<String> names = outputNames();
    if (new HashSet<>(names).size() != names.size()) {
      throw new IllegalStateException("Model '" + name() + "' has outputs of the same name " + names + " (several "
          + "outputs of one layer call, which Keras names alike), so a map by name cannot hold them all. Use "
          + "predictList(x), which returns them in output order");
    }
    List<FloatNdArray> arrays = predictArrays(x, batchSize);
    Map<String, FloatNdArray> result = new LinkedHashMap<>();
    for (int i = 0; i < arrays.size(); i++) {
      result.put(names.get(i), arrays.get(i));
    }
    return result;
  }

  private List<FloatNdArray> predictArrays(Object x, int batchSize) {
    ensureBuilt();
    if (batchSize <= 0) {
      throw new IllegalArgumentException(
          "Expected batchSize to be a positive integer. Received: batchSize=" + batchSize);
    }
    List<HostArray> xs = ModelData.inputs(this, x, "x");
    int n = xs.get(0).samples();
    List<long[]> shapes = outputShapes();
    List<float[]> outs = new ArrayList<>();
    int[] rows = new int[shapes.size()];
    for (int i = 0; i < shapes.size(); i++) {
      long[] outputShape = shapes.get(i);
      long values = (long) n * Arrays.stream(outputShape).reduce(1, Math::multiplyExact);
      if (values > dev.kerasj.saving.MemoryBudget.MAX_ARRAY_LENGTH) {
        throw new IllegalArgumentException("predict returns one array of " + n + " x " + Layer.formatShape(outputShape)
            + " = " + values + " values, more than a Java array holds. Received: x with " + n + " samples; call "
            + "predict on slices of x");
      }
      rows[i] = (int) (values / n);
      outs.add(new float[(int) values]);
    }
    for (int b = 0, steps = FitLoop.steps(n, batchSize); b < steps; b++) {
      int from = FitLoop.batchStart(b, batchSize);
      int to = FitLoop.batchEnd(from, batchSize, n);
      List<HostArray> batch = network.predictBatch(xs, from, to);
      for (int i = 0; i < outs.size(); i++) {
        float[] values = batch.get(i).floats();
        System.arraycopy(values, 0, outs.get(i), from * rows[i], values.length);
      }
    }
    List<FloatNdArray> result = new ArrayList<>();
    for (int i = 0; i < outs.size(); i++) {
      long[] outputShape = shapes.get(i);
      long[] shape = new long[outputShape.length + 1];
      shape[0] = n;
      System.arraycopy(outputShape, 0, shape, 1, outputShape.length);
      result.add(NdArrays.wrap(Shape.of(shape), DataBuffers.of(outs.get(i), false, false)));
    }
    return result;
  }

  /** The layer weights in Keras order ({@code model.weights}). */
  @Override
  public List<Weight> weights() {
    Object owner = leavesBuiltBy(sublayersOrNone());
    if (owner != null && (network == null || owner != network)) {
      // Used as a layer of another model, whose graph built the weights: they are its sublayers'.
      return sublayers().stream().flatMap(l -> l.weights().stream()).toList();
    }
    ensureBuilt();
    return network.weights();
  }

  private List<Layer> sublayersOrNone() {
    return currentTopology() == null ? List.of() : sublayers();
  }

  /** The one graph that built every leaf layer below {@code layers}, or null when none or several did. */
  private static Object leavesBuiltBy(List<Layer> layers) {
    Object owner = null;
    for (Layer l : layers) {
      Object o = l.sublayers().isEmpty() ? l.builtBy() : leavesBuiltBy(l.sublayers());
      if (o == null || (owner != null && owner != o)) {
        return null;
      }
      owner = o;
    }
    return owner;
  }

  /** Keras' {@code model.trainable_weights}: the weights the optimizer updates. */
  public List<Weight> trainableWeights() {
    return weights().stream().filter(Weight::trainable).toList();
  }

  /** Keras' {@code model.non_trainable_weights}: frozen weights and BatchNormalization's moving statistics. */
  public List<Weight> nonTrainableWeights() {
    return weights().stream().filter(w -> !w.trainable()).toList();
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
    ModelFiles.saveWeights(this, path);
  }

  /**
   * Restores weights and optimizer state: from a Keras 3 {@code *.weights.h5} file, or from a TF checkpoint prefix
   * or the latest checkpoint of a directory (resolved through the checkpoint's object graph). Java- or
   * Python-written. On any failure the model is unchanged.
   */
  public void loadWeights(java.nio.file.Path path) throws java.io.IOException {
    ModelFiles.loadWeights(this, path);
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
    ModelFiles.save(this, path);
  }

  /**
   * Rebuilds a compiled, trainable model with its optimizer state: from a Keras 3 {@code *.keras} archive (Java- or
   * Python-written), or from a SavedModel written by {@link #save}; a {@link Sequential} when the file holds one.
   */
  public static Model load(java.nio.file.Path path) throws java.io.IOException {
    return ModelFiles.load(path, null);
  }

  /**
   * {@link #load(java.nio.file.Path)} onto a TensorFlow device such as {@code "/GPU:0"} (see {@link #setDevice}).
   */
  public static Model load(java.nio.file.Path path, String device) throws java.io.IOException {
    return ModelFiles.load(path, device);
  }

  /** Keras {@code model.stop_training}: true asks {@code fit} to stop after the current batch. */
  public boolean stopTraining() {
    return stopTraining;
  }

  /**
   * Sets {@link #stopTraining()}; {@code fit} stops after the current batch. Its outcome is
   * {@link dev.kerasj.callbacks.TrainingOutcome#STOPPED_ON_NAN} when the loss logged then is NaN or infinite (as
   * {@code TerminateOnNaN} stops), else {@link dev.kerasj.callbacks.TrainingOutcome#STOPPED_EARLY}.
   */
  @Override
  public void setStopTraining(boolean stop) {
    this.stopTraining = stop;
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

  /**
   * The model's Keras 3 config as JSON, as Python's {@code model.to_json()} writes it (with {@code compile_config}
   * once compiled); {@code keras.models.model_from_json} rebuilds the same model in Python, and {@link #fromJson} here.
   *
   * @throws IllegalArgumentException when a layer, initializer, optimizer or loss has no Keras equivalent
   */
  public String toJson() {
    checkOpen();
    build();
    com.fasterxml.jackson.databind.node.ObjectNode json = dev.kerasj.saving.keras.ModelConfigs.toJson(this,
        isCompiled() ? learningRate() : 0);
    try {
      return dev.kerasj.saving.keras.KerasJson.mapper().writer()
          .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the config of model '" + name() + "' as JSON", e);
    }
  }

  /**
   * A new, built model from a Keras 3 config, like Python's {@code keras.models.model_from_json}: {@code json} is
   * what {@code model.to_json()} returns (compiled when it holds a {@code compile_config}) or what
   * {@code model.get_config()} returns. A Sequential config gives a {@link Sequential} (as
   * {@link Sequential#fromJson(String)}), a Functional one a Functional model. Layers keep their names; weights are
   * initialised from a random seed.
   *
   * <pre>{@code
   * try (Model m = Model.fromJson(Files.readString(Path.of("model.json")))) { m.predict(x); }
   * }</pre>
   *
   * @throws dev.kerasj.saving.IncompatibleModelException naming the layer and field, for JSON kerasj cannot rebuild
   */
  public static Model fromJson(String json) {
    return ModelFiles.fromConfig(ModelFiles.parseConfigText(json), null, null);
  }

  /** {@link #fromJson(String)} with weight initialisation, dropout and shuffling seeded by {@code seed}. */
  public static Model fromJson(String json, long seed) {
    return ModelFiles.fromConfig(ModelFiles.parseConfigText(json), null, seed);
  }

  /**
   * {@link #fromJson(String)} from a file: a JSON file of {@code model.to_json()} or {@code model.get_config()}
   * output, or a {@code .keras} archive, whose {@code config.json} is used and whose weights are not (use
   * {@link #load} for those).
   */
  public static Model fromJson(java.nio.file.Path file) throws java.io.IOException {
    return ModelFiles.fromConfig(ModelFiles.readConfigFile(file), file, null);
  }

  /** {@link #fromJson(java.nio.file.Path)} with a seed. */
  public static Model fromJson(java.nio.file.Path file, long seed) throws java.io.IOException {
    return ModelFiles.fromConfig(ModelFiles.readConfigFile(file), file, seed);
  }

  /** {@link #fromJson(String)} from a config held as plain Java values (the dict of {@code model.get_config()}). */
  public static Model fromConfig(Map<String, ?> config) {
    return ModelFiles.fromConfig(ModelFiles.configTree(config), null, null);
  }

  /** {@link #fromConfig(Map)} with a seed. */
  public static Model fromConfig(Map<String, ?> config, long seed) {
    return ModelFiles.fromConfig(ModelFiles.configTree(config), null, seed);
  }

  /** Total number of parameters, trainable or not (0 before the model is built). */
  @Override
  public long countParams() {
    if (network != null && network.isIntact()) {
      return network.weights().stream().mapToLong(Weight::size).sum();
    }
    Topology t = currentTopology();
    return t == null ? 0 : sublayers().stream().mapToLong(Layer::countParams).sum();
  }

  /**
   * Keras-style summary table (layer name and type, output shape, parameter count, and for a Functional model the
   * layers each one is connected to; then the totals).
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

  /** The layer graph (layers, calls); used by the config writers. Not part of the user API. */
  public Topology topologyForInternalUse() {
    return topology();
  }

  /** The built layers' input placeholders and inference outputs; used by the SavedModel writer. Not user API. */
  public Network networkForInternalUse() {
    ensureBuilt();
    return network;
  }

  /** The training graph once compiled and built; used by the checkpoint formats. Not user API. */
  public TrainingGraph trainingForInternalUse() {
    ensureTrainingGraph();
    return training;
  }

  // ---- A model used as a layer of another model ----

  @Override
  public List<Layer> sublayers() {
    return topology().layers().stream().filter(l -> !(l instanceof Input)).toList();
  }

  @Override
  public Layer setTrainable(boolean trainable) {
    super.setTrainable(trainable);
    if (topology != null) {
      for (Layer l : topology.layers()) {
        l.setTrainable(trainable); // Keras: setting a model's trainable flag sets every sublayer's
      }
    }
    return this;
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    return computeOutputShape(List.of(inputShape));
  }

  @Override
  public long[] computeOutputShape(List<long[]> inputShapes) {
    List<KerasTensor> ins = inputs();
    if (inputShapes.size() != ins.size()) {
      throw new IllegalArgumentException("Model '" + name() + "' takes " + ins.size() + " inputs. Received: "
          + inputShapes.size());
    }
    for (int i = 0; i < ins.size(); i++) {
      if (!Arrays.equals(ins.get(i).shape(), inputShapes.get(i))) {
        throw new IllegalArgumentException("Model '" + name() + "' expects input " + i + " of shape "
            + Layer.formatShape(ins.get(i).shape()) + ". Received: " + Layer.formatShape(inputShapes.get(i)));
      }
    }
    if (outputs().size() != 1) {
      throw new IllegalArgumentException("Model '" + name() + "' has " + outputs().size() + " outputs; a model used "
          + "as a layer must have one");
    }
    return outputs().get(0).shape();
  }

  @Override
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return call(ctx, List.of(inputs), training);
  }

  @Override
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, boolean training) {
    Map<KerasTensor, Operand<?>> values = new IdentityHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      values.put(inputs().get(i), inputs.get(i));
    }
    Network.run(topology(), values, node -> ctx.sublayer(node.layer()), training);
    return values.get(outputs().get(0));
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException(className() + " model '" + name() + "' is closed");
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
