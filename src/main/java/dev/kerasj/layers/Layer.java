package dev.kerasj.layers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;

/**
 * A Keras layer: it knows its output shape, how to create its weights and how to build its forward graph. It does
 * not know about sessions, training loops or files.
 *
 * <p>Lifecycle: the model names the layer ({@code dense}, {@code dense_1} ... unless a name was given), calls
 * {@link #computeOutputShape} to validate shapes, then {@link #build} once and {@link #call} once per graph that
 * needs the forward pass (training and inference share the weights).
 *
 * <p>Shapes here never include the batch dimension.
 */
public abstract class Layer {
  private final String requestedName;
  private final long[] declaredInputShape;
  private String name;
  private long[] inputShape;
  private long[] outputShape;
  private final List<Weight> weights = new ArrayList<>();

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

  /** Creates this layer's weights through {@code ctx}; weightless layers keep the default no-op. */
  protected void build(LayerContext ctx, long[] inputShape) {}

  /**
   * Builds the forward graph for {@code inputs} ({@code [batch, ...inputShape]}).
   *
   * @param training true in the training graph (Dropout active, BatchNormalization on batch statistics)
   */
  public abstract Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training);

  /** The layer's name: the one given, or the automatic one once the layer is in a model. */
  public final String name() {
    return name != null ? name : requestedName;
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
    long[] out = computeOutputShape(input.clone());
    this.inputShape = input.clone();
    this.outputShape = out.clone();
    return out;
  }

  /** Creates the weights; called once by the model. */
  public final void buildWeights(LayerContext ctx) {
    if (inputShape == null) {
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
    };
    build(tracking, inputShape.clone());
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
    }, inputShape.clone());
    return List.copyOf(shapes);
  }

  /** Input shape without the batch dimension, once known. */
  public final long[] inputShape() {
    return inputShape == null ? null : inputShape.clone();
  }

  /** Output shape without the batch dimension, once known. */
  public final long[] outputShape() {
    return outputShape == null ? null : outputShape.clone();
  }

  /** The weights in Keras order (kernel before bias; gamma, beta, moving_mean, moving_variance). */
  public final List<Weight> weights() {
    return List.copyOf(weights);
  }

  /** Number of scalar parameters, trainable or not. */
  public final long countParams() {
    return weights.stream().mapToLong(Weight::size).sum();
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
