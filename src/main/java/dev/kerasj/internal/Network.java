package dev.kerasj.internal;

import dev.kerasj.initializers.Initializer;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.LayerContext;
import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The layers of a model placed in a {@link ModelGraph}: one input placeholder per model input, every layer's weights
 * (created once, under the layer's name scope, however many times the layer is called) and the inference forward
 * pass. The training forward pass is built again on the same weights by {@link TrainingGraph}.
 *
 * <p>A layer whose weights another model's graph built (a pretrained model reused as a layer) has its current values
 * carried over into this graph; that other model is then unusable, see {@link #isIntact()}.
 */
public final class Network {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Network.class);

  private final ModelGraph graph;
  private final Topology topology;
  private final List<Layer> layers;
  private final Map<Layer, Ops> scopes = new IdentityHashMap<>();
  private final Map<Layer, String> paths = new IdentityHashMap<>();
  private final Map<Layer, Map<String, HostArray>> carried = new IdentityHashMap<>();
  private final List<Placeholder<?>> inputs = new ArrayList<>();
  private final List<Class<? extends TType>> inputDtypes = new ArrayList<>();
  private final List<Operand<TFloat32>> inferenceOutputs;
  private final List<Operand<TBool>> inferenceMasks = new ArrayList<>();
  private final List<Operand<TFloat32>> inferenceLosses = new ArrayList<>();
  private final List<Weight> weights = new ArrayList<>();
  private final List<Layer> built = new ArrayList<>();
  private final long seed;

  /**
   * @param topology named layers whose shapes were resolved
   * @param legacyInputName true for a Sequential model: its one placeholder is named {@code x}, as before models had
   *     several inputs; otherwise placeholders are {@code inputs/<input layer name>}
   */
  public Network(ModelGraph graph, Topology topology, long seed, boolean legacyInputName) {
    this.graph = graph;
    this.topology = topology;
    this.layers = topology.layers().stream().filter(l -> !(l instanceof Input)).toList();
    this.seed = seed;
    Ops tf = graph.tf();
    Ops inputScope = legacyInputName ? tf : tf.withSubScope("inputs");
    for (Input in : topology.inputLayers()) {
      Class<? extends TType> dtype = in.dtype() == Input.DType.INT32 ? TInt32.class : TFloat32.class;
      long[] shape = in.declaredInputShape();
      long[] full = new long[shape.length + 1];
      full[0] = -1;
      System.arraycopy(shape, 0, full, 1, shape.length);
      inputDtypes.add(dtype);
      inputs.add(inputScope.withName(legacyInputName ? "x" : in.name()).placeholder(dtype, Placeholder.shape(Shape.of(full))));
    }
    collectCarried(layers);
    // Every scope before any weight: TF Java's withSubScope reads the name of every op already in the graph, so
    // creating each layer's scope after the previous layers' ops made building quadratic in the depth (a 256-layer
    // MLP: about 300,000 native name reads, half a second). The names come out the same: no op lives under a
    // layer's prefix before its scope exists.
    for (Layer layer : this.layers) {
      scopes.put(layer, tf.withSubScope(layer.name()));
      paths.put(layer, layer.name());
    }
    for (Layer layer : this.layers) {
      build(layer, new Context(layer, null, null, null, null, 0));
    }
    List<Operand<TFloat32>> outs = forward(false, null, null, null, inferenceLosses, inferenceMasks);
    // A model whose output is its input (Input + Dropout) would feed and fetch the same tensor; the Identity is
    // added only then, because crossentropy looks for a final Softmax/Sigmoid op on this output.
    // Likewise for an output that is another output's tensor (an LSTM's last output and its state h): a session
    // fetches each tensor once.
    List<Operand<TFloat32>> fixed = new ArrayList<>();
    for (int i = 0; i < outs.size(); i++) {
      Operand<TFloat32> out = outs.get(i);
      boolean isInput = inputs.stream().anyMatch(p -> p.op().equals(out.op()));
      boolean repeated = outs.subList(0, i).stream().anyMatch(o -> o.asOutput().equals(out.asOutput()));
      fixed.add(isInput || repeated ? tf.withName(i == 0 ? "inference_output" : "inference_output_" + i)
          .identity(out) : out);
    }
    this.inferenceOutputs = List.copyOf(fixed);
  }

  /** Builds one layer's weights, or those of the layers inside it (a model used as a layer). */
  private void build(Layer layer, Context ctx) {
    if (layer.sublayers().isEmpty()) {
      layer.buildWeights(ctx, this);
      weights.addAll(layer.weights());
      built.add(layer);
      return;
    }
    for (Layer inner : layer.sublayers()) {
      build(inner, ctx.sublayerContext(inner));
    }
  }

  /** Reads the values of layers built by another model's graph, and releases them from it. */
  private void collectCarried(List<Layer> layers) {
    for (Layer layer : layers) {
      if (!layer.sublayers().isEmpty()) {
        collectCarried(layer.sublayers());
        continue;
      }
      if (!(layer.builtBy() instanceof Network old) || old == this || layer.weights().isEmpty()) {
        continue;
      }
      if (old.graph.isClosed()) {
        throw new IllegalStateException("Layer '" + layer.name() + "' was built by a model that is now closed; its "
            + "weights are gone. Use layers of an open model, or load the model again");
      }
      List<Weight> ws = layer.weights();
      List<HostArray> values = old.graph.read(ws.stream().map(w -> old.graph.variable(w.path())).toList());
      Map<String, HostArray> byName = new LinkedHashMap<>();
      for (int i = 0; i < ws.size(); i++) {
        byName.put(ws.get(i).name(), values.get(i));
      }
      carried.put(layer, byName);
      layer.releaseWeights();
    }
  }

  /**
   * Whether every layer this network built still has its weights here; false once another model took one of them
   * over (see the class comment).
   */
  public boolean isIntact() {
    for (Layer l : built) {
      if (l.builtBy() != this) {
        return false;
      }
    }
    return true;
  }

  /** A table lookup recorded in the training pass (see {@link LayerContext#recordLookup}). */
  public record Lookup(Weight table, Operand<? extends TNumber> ids, Operand<TFloat32> rows) {}

  /**
   * Builds a forward pass, one operand per model output; in training mode, layer side updates are appended to
   * {@code updates} and table lookups to {@code lookups} (either may be null), and random layers key on
   * {@code step}, the optimizer's step counter (may be null). The layers' added losses (activity regularizers) are
   * appended to {@code losses} (may be null).
   */
  public List<Operand<TFloat32>> forward(boolean training, List<Op> updates, List<Lookup> lookups,
      Operand<org.tensorflow.types.TInt64> step, List<Operand<TFloat32>> losses) {
    return forward(training, updates, lookups, step, losses, null);
  }

  /**
   * {@link #forward(boolean, List, List, Operand, List)}, also appending each output's mask (Keras'
   * {@code _keras_mask} on the output; null where the output carries none) to {@code outputMasks} (may be null).
   */
  @SuppressWarnings("unchecked")
  public List<Operand<TFloat32>> forward(boolean training, List<Op> updates, List<Lookup> lookups,
      Operand<org.tensorflow.types.TInt64> step, List<Operand<TFloat32>> losses, List<Operand<TBool>> outputMasks) {
    Map<KerasTensor, Operand<?>> values = new IdentityHashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      values.put(topology.inputs().get(i), inputs.get(i));
    }
    Map<KerasTensor, Operand<TBool>> masks = run(topology, values, node -> new Context(node.layer(), updates, lookups,
        step, losses, node.nodeIndex()), training);
    if (outputMasks != null) {
      topology.outputs().forEach(t -> outputMasks.add(masks.get(t)));
    }
    List<Operand<TFloat32>> outs = new ArrayList<>();
    for (KerasTensor t : topology.outputs()) {
      Operand<?> h = values.get(t);
      if (h.asOutput().type() != TFloat32.class) {
        throw new IllegalStateException("Model outputs must be float32; output '" + t.layer().name() + "' is "
            + h.asOutput().type().getSimpleName());
      }
      outs.add((Operand<TFloat32>) h);
    }
    return outs;
  }

  /**
   * Computes every node of {@code topology} from the operands already in {@code values} (its inputs), calling each
   * layer with the context {@code contexts} gives its call (node) and the masks of its inputs; a layer that supports masking
   * passes its {@link Layer#computeMask mask} on, as Keras does. A model used as a layer runs its own topology this
   * way. Returns the mask of every node that carries one.
   */
  public static Map<KerasTensor, Operand<TBool>> run(Topology topology, Map<KerasTensor, Operand<?>> values,
      java.util.function.Function<KerasTensor, LayerContext> contexts, boolean training) {
    Map<KerasTensor, Operand<TBool>> masks = new IdentityHashMap<>();
    for (KerasTensor node : topology.nodes()) {
      if (node.isInput()) {
        continue;
      }
      List<Operand<?>> args = new ArrayList<>();
      List<Operand<TBool>> argMasks = new ArrayList<>();
      for (KerasTensor in : node.inputs()) {
        args.add(values.get(in));
        argMasks.add(masks.get(in));
      }
      Layer layer = node.layer();
      LayerContext ctx = contexts.apply(node);
      boolean callTraining = node.training() != null ? node.training() : training; // Keras' layer(x, training=...)
      List<KerasTensor> tensors = node.outputs();
      List<Operand<?>> outputs = tensors.size() == 1 ? List.of(layer.call(ctx, args, argMasks, callTraining))
          : layer.callOutputs(ctx, args, argMasks, callTraining);
      if (outputs.size() != tensors.size()) {
        throw new IllegalStateException("Layer '" + layer.name() + "' (" + layer.className() + ") returned "
            + outputs.size() + " tensors; its call declares " + tensors.size());
      }
      for (int i = 0; i < tensors.size(); i++) {
        values.put(tensors.get(i), outputs.get(i));
        if (layer.activityRegularizer() != null) { // Keras 3 regularizes every output of the call
          ctx.addLoss(activityPenalty(ctx.tf(), layer, outputs.get(i)));
        }
      }
      if (layer.supportsMasking()) {
        List<Operand<TBool>> outMasks = tensors.size() == 1 ? java.util.Collections.singletonList(
            layer.computeMask(ctx, args, argMasks)) : layer.computeMasks(ctx, args, argMasks);
        for (int i = 0; i < tensors.size(); i++) {
          if (outMasks.get(i) != null) {
            masks.put(tensors.get(i), outMasks.get(i));
          }
        }
      } else if (argMasks.stream().anyMatch(java.util.Objects::nonNull)) {
        LOG.warn("Layer '{}' (of type {}) was passed an input with a mask attached to it. However, this layer does "
            + "not support masking and will therefore destroy the mask information. Downstream layers will not see "
            + "the mask.", layer.name(), layer.className());
      }
    }
    return masks;
  }

  /**
   * The activity regularizer's penalty on one output of {@code layer}, divided by the batch size (zero for an empty
   * batch), as Keras 3's {@code Layer.__call__} does.
   */
  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> activityPenalty(Ops tf, Layer layer, Operand<?> output) {
    if (output.asOutput().type() != TFloat32.class) {
      throw new IllegalStateException("Layer '" + layer.name() + "' has an activity regularizer but its output is "
          + output.asOutput().type().getSimpleName() + "; regularizers take float32 tensors");
    }
    Operand<TFloat32> y = (Operand<TFloat32>) output;
    Operand<TFloat32> penalty = layer.activityRegularizer().call(tf, y);
    Operand<TFloat32> batch = tf.dtypes.cast(
        tf.gather(tf.shape(y), tf.constant(0), tf.constant(0)), TFloat32.class);
    return tf.math.divNoNan(penalty, batch);
  }

  /** The losses the layers added in the inference pass (activity regularizers), in call order. */
  public List<Operand<TFloat32>> inferenceLosses() {
    return List.copyOf(inferenceLosses);
  }

  /** Runs the inference pass on rows {@code from..to} of each input; one array per output. */
  public List<HostArray> predictBatch(List<HostArray> xs, int from, int to) {
    List<org.tensorflow.Tensor> fed = new ArrayList<>();
    try {
      org.tensorflow.Session.Runner runner = graph.session().runner();
      for (int i = 0; i < inputs.size(); i++) {
        org.tensorflow.Tensor t = Tensors.batch(xs.get(i), null, from, to, inputDtypes.get(i));
        fed.add(t);
        runner.feed(inputs.get(i), t);
      }
      inferenceOutputs.forEach(runner::fetch);
      try (org.tensorflow.Result r = runner.run()) {
        List<HostArray> out = new ArrayList<>();
        for (int i = 0; i < inferenceOutputs.size(); i++) {
          out.add(Tensors.toHost(r.get(i)));
        }
        return out;
      }
    } finally {
      fed.forEach(org.tensorflow.Tensor::close);
    }
  }

  /** The input placeholders, in model input order. */
  public List<Placeholder<?>> inputs() {
    return List.copyOf(inputs);
  }

  /** The input dtypes (int32 ids or float32), in model input order. */
  public List<Class<? extends TType>> inputDtypes() {
    return List.copyOf(inputDtypes);
  }

  /** The inference outputs, in model output order. */
  public List<Operand<TFloat32>> inferenceOutputs() {
    return inferenceOutputs;
  }

  /**
   * The inference outputs' masks, in model output order: null for an output that carries no mask. {@code compile}'s
   * losses and mean metrics weigh a masked output's steps by it, as Keras does.
   */
  public List<Operand<TBool>> inferenceMasks() {
    return java.util.Collections.unmodifiableList(inferenceMasks);
  }

  /** The layer graph this network was built from. */
  public Topology topology() {
    return topology;
  }

  /** All layer weights in Keras order (layer by layer, each layer's own order). */
  public List<Weight> weights() {
    return List.copyOf(weights);
  }

  public ModelGraph graph() {
    return graph;
  }

  /** A weight's initial value is one Java array: refuse a shape that cannot be one before anything is created. */
  private static void checkSize(String path, long[] shape) {
    long max = HostArray.MAX_LENGTH;
    long n = 1;
    for (long d : shape) {
      n = n > max ? n : n * Math.min(d, max + 1); // both factors <= 2^31: no overflow
    }
    if (n > max) {
      throw new IllegalArgumentException("Weight '" + path + "' of shape " + java.util.Arrays.toString(shape)
          + " has more than " + max + " values, the most one weight holds (the largest Java array)");
    }
  }

  /** Mixes the model seed with a name so each weight and random op draws its own reproducible stream. */
  public static long mix(long seed, String name, long counter) {
    long h = seed * 0x9E3779B97F4A7C15L + name.hashCode() * 0xC2B2AE3D27D4EB4FL + counter;
    h ^= (h >>> 33);
    h *= 0xFF51AFD7ED558CCDL;
    h ^= (h >>> 33);
    return h;
  }

  private final class Context implements LayerContext {
    private final Layer layer;
    private final List<Op> updates;
    private final List<Lookup> lookups;
    private final Operand<org.tensorflow.types.TInt64> step;
    private final List<Operand<TFloat32>> losses;
    /** Which call of a shared layer this context serves: its random ops draw their own stream per call. */
    private final int nodeIndex;
    private int seedCounter;

    Context(Layer layer, List<Op> updates, List<Lookup> lookups, Operand<org.tensorflow.types.TInt64> step,
        List<Operand<TFloat32>> losses, int nodeIndex) {
      this.step = step;
      this.losses = losses;
      this.nodeIndex = nodeIndex;
      this.layer = layer;
      this.updates = updates;
      this.lookups = lookups;
    }

    /** The context of a layer inside this one: scope {@code outer/inner}, weight paths {@code outer/inner/kernel}. */
    Context sublayerContext(Layer inner) {
      scopes.computeIfAbsent(inner, l -> scopes.get(layer).withSubScope(l.name()));
      paths.computeIfAbsent(inner, l -> paths.get(layer) + "/" + l.name());
      return new Context(inner, updates, lookups, step, losses, 0);
    }

    @Override
    public LayerContext sublayer(Layer inner) {
      return sublayerContext(inner);
    }

    @Override
    public void recordLookup(Weight table, Operand<? extends TNumber> ids, Operand<TFloat32> rows) {
      if (lookups != null) {
        lookups.add(new Lookup(table, ids, rows));
      }
    }

    @Override
    public void addLoss(Operand<TFloat32> loss) {
      if (losses != null) {
        losses.add(loss);
      }
    }

    @Override
    public Ops tf() {
      return scopes.get(layer);
    }

    @Override
    public Weight addWeight(String name, long[] shape, Initializer initializer, boolean trainable) {
      String layerPath = paths.get(layer);
      String path = layerPath + "/" + name;
      checkSize(path, shape);
      long weightSeed = mix(seed, path, 0);
      HostArray carriedValue = carried.getOrDefault(layer, Map.of()).get(name);
      if (carriedValue != null && !java.util.Arrays.equals(carriedValue.shape(), shape)) {
        throw new IllegalStateException("Weight '" + path + "' changed shape since its layer was built: "
            + java.util.Arrays.toString(carriedValue.shape()) + " then, " + java.util.Arrays.toString(shape) + " now");
      }
      // A weight of a sublayer Keras keeps inside the layer (MultiHeadAttention's query/kernel): no "/" in op names.
      Operand<TFloat32> var = graph.addVariable(scopes.get(layer), name.replace('/', '_'), path, shape,
          TFloat32.class,
          carriedValue != null ? () -> carriedValue
              : () -> HostArray.ofFloats(shape, initializer.generate(shape, weightSeed)));
      return new Weight(layerPath, name, shape, trainable, initializer, var, layer);
    }

    @Override
    public void addUpdate(Op update) {
      if (updates != null) {
        updates.add(update);
      }
    }

    @Override
    public Operand<org.tensorflow.types.TInt64> trainingStep() {
      return step;
    }

    @Override
    public long seed() {
      // The first call keeps the stream a layer had before layers could be shared (resumed runs stay bitwise).
      return mix(seed, paths.get(layer) + "#random" + (nodeIndex == 0 ? "" : "#call" + nodeIndex), ++seedCounter);
    }
  }
}
