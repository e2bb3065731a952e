package dev.kerasj.layers;

import dev.kerasj.constraints.Constraint;
import dev.kerasj.regularizers.Regularizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;

/**
 * A Keras layer: it knows its output shape, how to create its weights and how to build its forward graph. It does
 * not know about sessions, training loops or files.
 *
 * <p>Lifecycle: a layer is called on symbolic tensors ({@link #apply}, Keras' {@code layer(x)}) or added to a
 * {@code Sequential}; either validates shapes through {@link #computeOutputShape}. The model names the layer
 * ({@code dense}, {@code dense_1} ... unless a name was given), then calls {@link #build} once and {@link #call} once
 * per call site and graph that needs the forward pass (training and inference share the weights). A layer called at
 * several sites (a shared layer) has one set of weights.
 *
 * <p>Single-input layers implement {@link #computeOutputShape(long[])}, {@link #build(LayerContext, long[])} and
 * {@link #call(LayerContext, Operand, boolean)}; layers that take several inputs (merge layers) override the
 * {@code List} forms.
 *
 * <p>Shapes here never include the batch dimension.
 */
public abstract class Layer {
  private final String requestedName;
  private final long[] declaredInputShape;
  private String name;
  private List<long[]> inputShapes;
  private long[] outputShape;
  private final List<Weight> weights = new ArrayList<>();
  private boolean trainable = true;
  private Regularizer activityRegularizer;
  private int calls;
  private Object builtBy;

  /**
   * @param name the layer's name, or {@code null} for Keras' automatic name
   * @param inputShape the per-sample input shape when this is the model's first layer, or {@code null}
   */
  protected Layer(String name, long[] inputShape) {
    if (name != null && !name.matches("[A-Za-z0-9.][A-Za-z0-9_.\\-]*")) {
      throw new IllegalArgumentException(
          "Layer names must match [A-Za-z0-9.][A-Za-z0-9_.-]* (they become TensorFlow op names). Received: name='"
              + name + "'");
    }
    this.requestedName = name;
    this.declaredInputShape = inputShape == null ? null : inputShape.clone();
    if (declaredInputShape != null) {
      for (long d : declaredInputShape) {
        if (d <= 0) {
          throw new IllegalArgumentException(
              "Input shape dimensions must be positive. Received: inputShape=" + Arrays.toString(inputShape));
        }
      }
    }
  }

  /** The Keras class name, such as {@code Dense}; used in summaries and configs. */
  public abstract String className();

  /** The prefix of automatic names, Keras' snake case of the class name ({@code batch_normalization}). */
  public abstract String defaultNamePrefix();

  /**
   * Returns the per-sample output shape for a per-sample input shape, or throws {@link IllegalArgumentException}
   * naming the layer, the input shape received and what it expected.
   */
  public abstract long[] computeOutputShape(long[] inputShape);

  /**
   * The output shape for the shapes of every input, in call order. Layers of one input keep this default, which
   * refuses a list of another length; merge layers override it.
   */
  public long[] computeOutputShape(List<long[]> inputShapes) {
    if (inputShapes.size() != 1) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") takes one input. "
          + "Received: " + inputShapes.size() + " inputs");
    }
    return computeOutputShape(inputShapes.get(0));
  }

  /**
   * How many tensors a call of this layer returns: 1, or more for a layer with several outputs ({@code LSTM} with
   * {@code returnState}: the output, {@code h} and {@code c}). Such a layer is called with {@link #applyOutputs}.
   */
  public int outputCount() {
    return 1;
  }

  /**
   * The shape of every output for the shapes of every input; a layer of several outputs ({@link #outputCount()})
   * overrides it. Element 0 is {@link #computeOutputShape(List)}.
   */
  public List<long[]> computeOutputShapes(List<long[]> inputShapes) {
    return List.of(computeOutputShape(inputShapes));
  }

  /** Creates this layer's weights through {@code ctx}; weightless layers keep the default no-op. */
  protected void build(LayerContext ctx, long[] inputShape) {}

  /** {@link #build(LayerContext, long[])} for the shapes of every input; layers of several inputs override it. */
  protected void build(LayerContext ctx, List<long[]> inputShapes) {
    build(ctx, inputShapes.get(0));
  }

  /**
   * Builds the forward graph for {@code inputs} ({@code [batch, ...inputShape]}).
   *
   * @param training true in the training graph (Dropout active, BatchNormalization on batch statistics)
   */
  public abstract Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training);

  /** {@link #call(LayerContext, Operand, boolean)} for every input, in call order; merge layers override it. */
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, boolean training) {
    return call(ctx, inputs.get(0), training);
  }

  /**
   * {@link #call(LayerContext, List, boolean)} with each input's mask (Keras' {@code mask} argument): a boolean
   * tensor of the input's leading dimensions, true where a value is real, or null where the input has none. Layers
   * that read masks (recurrent layers, attention, pooling) override this; the default ignores them.
   */
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks, boolean training) {
    return call(ctx, inputs, training);
  }

  /**
   * {@link #call(LayerContext, List, List, boolean)} for a layer of several outputs: one operand per output, in
   * output order. The default wraps the one output of {@code call}.
   */
  public List<Operand<?>> callOutputs(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    return List.of(call(ctx, inputs, masks, training));
  }

  /**
   * The mask of every output ({@link #computeMask} for output 0, none for the others by default, as Keras'
   * recurrent layers give their states no mask).
   */
  public List<Operand<TBool>> computeMasks(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    List<Operand<TBool>> out = new ArrayList<>();
    out.add(computeMask(ctx, inputs, masks));
    for (int i = 1; i < outputCount(); i++) {
      out.add(null);
    }
    return out;
  }

  /**
   * Keras' {@code supports_masking}: whether this layer's output carries a mask, the one {@link #computeMask}
   * returns. False by default, as in Keras: the mask stops at a layer that does not support it.
   */
  public boolean supportsMasking() {
    return false;
  }

  /**
   * Keras' {@code compute_mask}: the mask of this layer's output, for a layer that {@link #supportsMasking()}. The
   * default passes the first input's mask on unchanged; a layer that makes a mask ({@code Embedding(maskZero)},
   * {@code Masking}) overrides it.
   *
   * @param masks each input's mask, null where none
   */
  public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    return masks.isEmpty() ? null : masks.get(0);
  }

  /**
   * Keras' {@code layer(x)}: records a call of this layer on symbolic tensors and returns its symbolic output, from
   * which a {@code Model} is made. Shapes are checked here, so a wrong connection fails where it is written.
   *
   * @throws IllegalArgumentException when the layer cannot take these inputs (shapes, number of inputs)
   */
  public KerasTensor apply(KerasTensor... inputs) {
    return apply(List.of(inputs));
  }

  /** {@link #apply(KerasTensor...)} for a list of inputs (merge layers: {@code new Add().apply(List.of(a, b))}). */
  public KerasTensor apply(List<KerasTensor> inputs) {
    return apply(inputs, null);
  }

  /**
   * Keras' {@code layer(x, training=False)}: this call runs in inference mode (or, with true, in training mode) whatever
   * the model does; for a model used as a layer, every layer inside it. The transfer-learning recipe calls a frozen base
   * with {@code training=false}, so its Dropout is off and its BatchNormalization keeps its moving statistics.
   * Configs ({@code .keras}, {@code toJson}) record the value as Keras does; read back, it is what Keras' Functional
   * makes of a recorded value, a default that fit, evaluate and predict override, so the call comes back plain (a
   * frozen base's BatchNormalization still runs in inference mode, as in Keras).
   */
  public KerasTensor apply(KerasTensor input, boolean training) {
    return apply(List.of(input), training);
  }

  /**
   * {@link #apply(List)} with Keras' {@code training} call argument; null follows the model (see
   * {@link #apply(KerasTensor, boolean)}).
   */
  public KerasTensor apply(List<KerasTensor> inputs, Boolean training) {
    if (outputCount() != 1) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") returns "
          + outputCount() + " tensors" + outputsDescription() + ". Call applyOutputs(...), which returns them all, "
          + "as Keras' layer(x) returns a list. Received: apply(...), which returns one tensor");
    }
    return applyOutputs(inputs, training).get(0);
  }

  /** Why this layer has several outputs, for error messages: {@code " (returnState: output, h, c)"}. */
  protected String outputsDescription() {
    return "";
  }

  /**
   * Keras' {@code outputs = layer(x)} for a layer of several outputs ({@code output, h, c = lstm(x)} with
   * {@code returnState}, {@code out, scores = mha(q, v)} with {@code returnAttentionScores}): one symbolic tensor per
   * output, in Keras' order; for a layer of one output, a list of one.
   */
  public List<KerasTensor> applyOutputs(KerasTensor... inputs) {
    return applyOutputs(List.of(inputs), null);
  }

  /** {@link #applyOutputs(KerasTensor...)} with Keras' {@code training} call argument (null follows the model). */
  public List<KerasTensor> applyOutputs(List<KerasTensor> inputs, Boolean training) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") needs at least one "
          + "input. Received: none");
    }
    List<long[]> shapes = new ArrayList<>();
    for (KerasTensor t : inputs) {
      if (t == null) {
        throw new IllegalArgumentException("Layer '" + displayName() + "' was called on a null tensor");
      }
      shapes.add(t.shape());
    }
    resolveShapes(shapes);
    List<long[]> outs = computeOutputShapes(shapes.stream().map(long[]::clone).toList());
    return KerasTensor.call(this, calls++, inputs, outs, outputDtype(inputs), training);
  }

  /** The dtype of this layer's output for these inputs: float32, except for layers that pass int ids through. */
  protected Input.DType outputDtype(List<KerasTensor> inputs) {
    return Input.DType.FLOAT32;
  }

  /** The layer's name: the one given, or the automatic one once the layer is in a model. */
  public String name() {
    return name != null ? name : requestedName;
  }

  /** The name, or the class name while the layer has none yet: for error messages. */
  protected final String displayName() {
    return name() != null ? name() : defaultNamePrefix();
  }

  /**
   * Keras' {@code layer.trainable}: false freezes the layer. Its weights are then non-trainable (not updated, no
   * optimizer slots) and a frozen {@link BatchNormalization} runs in inference mode, as in Keras 3. Takes effect at
   * the next {@code compile}.
   */
  public boolean trainable() {
    return trainable;
  }

  /** Sets {@link #trainable()}; returns this layer. Re-compile the model for the change to take effect. */
  public Layer setTrainable(boolean trainable) {
    this.trainable = trainable;
    return this;
  }

  /**
   * Keras' {@code activity_regularizer}: a penalty on this layer's output, divided by the batch size and added to the
   * loss at every call of the layer (Keras 3's {@code Layer.__call__}), or null for none.
   */
  public final Regularizer activityRegularizer() {
    return activityRegularizer;
  }

  /**
   * Sets {@link #activityRegularizer()} (null removes it); returns this layer. Every layer takes one, as in Keras;
   * layers with builders also take it there. Takes effect at the next {@code compile}.
   */
  public Layer setActivityRegularizer(Regularizer regularizer) {
    this.activityRegularizer = regularizer;
    return this;
  }

  /**
   * The regularizer of this layer's weight {@code weightName} ({@code kernel}, {@code bias} ...), whose penalty the
   * model adds to the loss while the weight is trainable; null for none (the default).
   */
  public Regularizer weightRegularizer(String weightName) {
    return null;
  }

  /**
   * The constraint applied to this layer's weight {@code weightName} after each optimizer update; null for none (the
   * default).
   */
  public Constraint weightConstraint(String weightName) {
    return null;
  }

  /** The name given at construction, or null when Keras' automatic name is wanted. */
  public final String requestedName() {
    return requestedName;
  }

  /** The per-sample input shape declared on this layer (Keras {@code input_shape}), or null. */
  public final long[] declaredInputShape() {
    return declaredInputShape == null ? null : declaredInputShape.clone();
  }

  /** Called by the model when the layer joins it. */
  public final void assignName(String assigned) {
    if (this.name != null && !this.name.equals(assigned)) {
      throw new IllegalStateException("Layer '" + this.name + "' already belongs to a model");
    }
    this.name = assigned;
  }

  /** Validates shapes and records them; called by the model before the graph is built. */
  public final long[] resolveShapes(long[] input) {
    return resolveShapes(List.of(input));
  }

  /**
   * Validates the shapes of one call and records them. A layer called again (shared) must receive the shapes of its
   * first call: it has one set of weights, built for those.
   */
  public final long[] resolveShapes(List<long[]> inputs) {
    List<long[]> copies = inputs.stream().map(long[]::clone).toList();
    long[] out = computeOutputShape(inputs.stream().map(long[]::clone).toList());
    if (inputShapes != null && !sameShapes(inputShapes, copies)) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") is shared, and a "
          + "shared layer takes the input shapes of its first call: " + formatShapes(inputShapes) + ". Received: "
          + formatShapes(copies));
    }
    this.inputShapes = copies;
    this.outputShape = out.clone();
    return out;
  }

  private static boolean sameShapes(List<long[]> a, List<long[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static String formatShapes(List<long[]> shapes) {
    return shapes.size() == 1 ? formatShape(shapes.get(0))
        : shapes.stream().map(Layer::formatShape).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  /**
   * The model graph that built this layer's weights (an opaque token), or null. A layer's weights live in one graph;
   * a model that takes in a layer built by another one moves its weights over. Not part of the user API.
   */
  public final Object builtBy() {
    return builtBy;
  }

  /**
   * Forgets the weights built in another graph, so that a new model can build them in its own (it carries their
   * values over). The old model refuses further use. Not part of the user API.
   */
  public void releaseWeights() {
    weights.clear();
    builtBy = null;
  }

  /** Creates the weights; called once by the model, whose graph {@code owner} stands for. */
  public final void buildWeights(LayerContext ctx, Object owner) {
    buildWeights(ctx);
    this.builtBy = owner;
  }

  /** Creates the weights; called once by the model. */
  public final void buildWeights(LayerContext ctx) {
    if (inputShapes == null) {
      throw new IllegalStateException("Layer '" + name() + "' has no input shape yet");
    }
    if (!weights.isEmpty()) {
      throw new IllegalStateException("Layer '" + name() + "' is already built; a layer belongs to one model");
    }
    LayerContext tracking = new LayerContext() {
      @Override
      public org.tensorflow.op.Ops tf() {
        return ctx.tf();
      }

      @Override
      public Weight addWeight(
          String weightName, long[] shape, dev.kerasj.initializers.Initializer init, boolean trainable) {
        Weight w = ctx.addWeight(weightName, shape, init, trainable);
        weights.add(w);
        return w;
      }

      @Override
      public void addUpdate(org.tensorflow.op.Op update) {
        ctx.addUpdate(update);
      }

      @Override
      public long seed() {
        return ctx.seed();
      }

      @Override
      public LayerContext sublayer(Layer inner) {
        return ctx.sublayer(inner);
      }
    };
    build(tracking, inputShapes.stream().map(long[]::clone).toList());
  }

  /**
   * A weight {@link #build} would create: its Keras name, shape and whether the optimizer updates it.
   *
   * @param name {@code kernel}, {@code bias}, {@code gamma} ...
   */
  public record WeightShape(String name, long[] shape, boolean trainable) {
    public WeightShape {
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  /**
   * The weights this layer creates for a per-sample {@code inputShape}, found without creating any: no graph, no
   * initial values. A model checks a config's size with it before it builds anything. For a built layer, its weights.
   *
   * @throws IllegalArgumentException when the layer cannot take {@code inputShape}
   * @throws UnsupportedOperationException for a layer whose {@link #build} uses TensorFlow ops (no built-in one does)
   */
  public final List<WeightShape> weightShapes(long[] inputShape) {
    return weightShapes(List.of(inputShape));
  }

  /** {@link #weightShapes(long[])} for the shapes of every input. */
  public final List<WeightShape> weightShapes(List<long[]> inputShapes) {
    if (!weights.isEmpty()) {
      return weights.stream().map(w -> new WeightShape(w.name(), w.shape(), w.trainable())).toList();
    }
    List<WeightShape> shapes = new ArrayList<>();
    // Built-in layers keep the Weight they get in a field; the real build replaces it, so nothing of this run remains
    // in use.
    build(new LayerContext() {
      @Override
      public org.tensorflow.op.Ops tf() {
        throw new UnsupportedOperationException("Layer '" + name() + "' (" + className() + ") uses TensorFlow ops "
            + "while creating its weights, so its size cannot be known before it is built");
      }

      @Override
      public Weight addWeight(
          String weightName, long[] shape, dev.kerasj.initializers.Initializer init, boolean trainable) {
        shapes.add(new WeightShape(weightName, shape, trainable));
        return new Weight(name(), weightName, shape, trainable, init, null);
      }

      @Override
      public void addUpdate(org.tensorflow.op.Op update) {}

      @Override
      public long seed() {
        return 0;
      }
    }, inputShapes.stream().map(long[]::clone).toList());
    return List.copyOf(shapes);
  }

  /** Input shape without the batch dimension, once known (the first input's, for a layer of several). */
  public long[] inputShape() {
    return inputShapes == null ? null : inputShapes.get(0).clone();
  }

  /** The shape of every input of the first call, once known. */
  public final List<long[]> inputShapes() {
    return inputShapes == null ? null : inputShapes.stream().map(long[]::clone).toList();
  }

  /** Output shape without the batch dimension, once known. */
  public long[] outputShape() {
    return outputShape == null ? null : outputShape.clone();
  }

  /**
   * The layers inside this one, in Keras' order: empty for a plain layer, the layers of a model used as a layer
   * (Input layers excluded). A layer with sublayers has no weights of its own; its {@link #weights()} are theirs.
   */
  public List<Layer> sublayers() {
    return List.of();
  }

  /** The weights in Keras order (kernel before bias; gamma, beta, moving_mean, moving_variance). */
  public List<Weight> weights() {
    return List.copyOf(weights);
  }

  /** Number of scalar parameters, trainable or not. */
  public long countParams() {
    return weights().stream().mapToLong(Weight::size).sum();
  }

  /** Formats a shape the way Keras prints it, with the batch dimension as None: {@code (None, 8, 8, 1)}. */
  public static String formatShape(long[] shape) {
    StringBuilder sb = new StringBuilder("(None");
    for (long d : shape) {
      sb.append(", ").append(d);
    }
    return sb.append(")").toString();
  }

  /** {@code a * b} for sizes, or the shape error of {@code layer} when the product overflows a 64-bit count. */
  static long multiplySize(long a, long b, Layer layer, long[] inputShape) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw layer.shapeError("has more values per sample than a 64-bit count holds", inputShape);
    }
  }

  /** Builds the standard shape error, in Keras' "Received: ..." style. */
  protected final IllegalArgumentException shapeError(String expected, long[] received) {
    return new IllegalArgumentException(
        "Layer '" + name() + "' (" + className() + ") " + expected + ". Received: input shape "
            + formatShape(received));
  }
}
