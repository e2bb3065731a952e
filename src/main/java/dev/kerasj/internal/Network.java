package dev.kerasj.internal;

import dev.kerasj.initializers.Initializer;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.LayerContext;
import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The layers of a model placed in a {@link ModelGraph}: the input placeholder {@code x}, every layer's weights
 * (created once, under the layer's name scope) and the inference forward pass. The training forward pass is built
 * again on the same weights by {@link TrainingGraph}.
 */
public final class Network {
  private final ModelGraph graph;
  private final List<Layer> layers;
  private final Map<Layer, Ops> scopes = new IdentityHashMap<>();
  private final Class<? extends TType> inputDtype;
  private final Placeholder<?> x;
  private final Operand<TFloat32> inferenceOutput;
  private final List<Weight> weights = new ArrayList<>();
  private final long seed;

  /**
   * @param layers named layers whose shapes were resolved
   * @param inputShape per-sample input shape
   */
  public Network(ModelGraph graph, List<Layer> layers, long[] inputShape, Input.DType dtype, long seed) {
    this.graph = graph;
    this.layers = List.copyOf(layers);
    this.seed = seed;
    Ops tf = graph.tf();
    this.inputDtype = dtype == Input.DType.INT32 ? TInt32.class : TFloat32.class;
    long[] full = new long[inputShape.length + 1];
    full[0] = -1;
    System.arraycopy(inputShape, 0, full, 1, inputShape.length);
    this.x = tf.withName("x").placeholder(inputDtype, Placeholder.shape(Shape.of(full)));
    // Every scope before any weight: TF Java's withSubScope reads the name of every op already in the graph, so
    // creating each layer's scope after the previous layers' ops made building quadratic in the depth (a 256-layer
    // MLP: about 300,000 native name reads, half a second). The names come out the same: no op lives under a
    // layer's prefix before its scope exists.
    for (Layer layer : this.layers) {
      scopes.put(layer, tf.withSubScope(layer.name()));
    }
    for (Layer layer : this.layers) {
      layer.buildWeights(new Context(layer, scopes.get(layer), null, null, null));
      weights.addAll(layer.weights());
    }
    Operand<TFloat32> out = forward(false, null, null);
    // A model whose output is its input (Input + Dropout) would feed and fetch the same tensor; the Identity is
    // added only then, because crossentropy looks for a final Softmax/Sigmoid op on this output.
    this.inferenceOutput = out.op().equals(x.op()) ? tf.withName("inference_output").identity(out) : out;
  }

  /** A table lookup recorded in the training pass (see {@link LayerContext#recordLookup}). */
  public record Lookup(Weight table, Operand<? extends TNumber> ids, Operand<TFloat32> rows) {}

  /**
   * Builds a forward pass; in training mode, layer side updates are appended to {@code updates} and table lookups
   * to {@code lookups} (either may be null).
   */
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> forward(boolean training, List<Op> updates, List<Lookup> lookups) {
    return forward(training, updates, lookups, null);
  }

  /** {@link #forward(boolean, List, List)} with the optimizer's step counter for random layers (may be null). */
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> forward(boolean training, List<Op> updates, List<Lookup> lookups,
      Operand<org.tensorflow.types.TInt64> step) {
    Operand<?> h = x;
    for (Layer layer : layers) {
      h = layer.call(new Context(layer, scopes.get(layer), updates, lookups, step), h, training);
    }
    if (h.asOutput().type() != TFloat32.class) {
      throw new IllegalStateException("The model output must be float32; the last layer returned " + h.asOutput().type());
    }
    return (Operand<TFloat32>) h;
  }

  /** Runs the inference pass on rows {@code from..to} of {@code xs}. */
  public HostArray predictBatch(HostArray xs, int from, int to) {
    try (org.tensorflow.Tensor xt = Tensors.batch(xs, null, from, to, inputDtype);
        org.tensorflow.Result r = graph.session().runner().feed(x, xt).fetch(inferenceOutput).run()) {
      return Tensors.toHost(r.get(0));
    }
  }

  public Placeholder<?> x() {
    return x;
  }

  public Class<? extends TType> inputDtype() {
    return inputDtype;
  }

  public Operand<TFloat32> inferenceOutput() {
    return inferenceOutput;
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
    long max = dev.kerasj.saving.MemoryBudget.MAX_ARRAY_LENGTH;
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
  static long mix(long seed, String name, long counter) {
    long h = seed * 0x9E3779B97F4A7C15L + name.hashCode() * 0xC2B2AE3D27D4EB4FL + counter;
    h ^= (h >>> 33);
    h *= 0xFF51AFD7ED558CCDL;
    h ^= (h >>> 33);
    return h;
  }

  private final class Context implements LayerContext {
    private final Layer layer;
    private final Ops scope;
    private final List<Op> updates;
    private final List<Lookup> lookups;
    private final Operand<org.tensorflow.types.TInt64> step;
    private int seedCounter;

    Context(Layer layer, Ops scope, List<Op> updates, List<Lookup> lookups,
        Operand<org.tensorflow.types.TInt64> step) {
      this.step = step;
      this.layer = layer;
      this.scope = scope;
      this.updates = updates;
      this.lookups = lookups;
    }

    @Override
    public void recordLookup(Weight table, Operand<? extends TNumber> ids, Operand<TFloat32> rows) {
      if (lookups != null) {
        lookups.add(new Lookup(table, ids, rows));
      }
    }

    @Override
    public Ops tf() {
      return scope;
    }

    @Override
    public Weight addWeight(String name, long[] shape, Initializer initializer, boolean trainable) {
      String path = layer.name() + "/" + name;
      checkSize(path, shape);
      long weightSeed = mix(seed, path, 0);
      Operand<TFloat32> var = graph.addVariable(scope, name, path, shape, TFloat32.class,
          () -> HostArray.ofFloats(shape, initializer.generate(shape, weightSeed)));
      return new Weight(layer.name(), name, shape, trainable, initializer, var);
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
      return mix(seed, layer.name() + "#random", ++seedCounter);
    }
  }
}
