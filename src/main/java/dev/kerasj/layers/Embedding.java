package dev.kerasj.layers;

import dev.kerasj.constraints.Constraint;
import dev.kerasj.initializers.Initializer;
import dev.kerasj.initializers.RandomUniform;
import dev.kerasj.regularizers.Regularizer;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import java.util.List;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Keras {@code Embedding(inputDim, outputDim)}: maps int token ids {@code [batch, ...]} to vectors
 * {@code [batch, ..., outputDim]}. Weight {@code embeddings} ({@code [inputDim, outputDim]}, Keras' default
 * {@code uniform} initializer, {@code [-0.05, 0.05)}). Use an {@code Input.of(Input.DType.INT32, length)} before it.
 *
 * <p>Ids outside {@code [0, inputDim)} are rejected by {@code fit}/{@code predict} before any native call.
 *
 * <p>With {@link Builder#maskZero(boolean) maskZero(true)} (Keras' {@code mask_zero=True}) id 0 is padding: the
 * output carries the mask {@code ids != 0} to the layers after it (recurrent layers and {@link Bidirectional} skip
 * masked steps, {@link GlobalAveragePooling1D} leaves them out of its mean). Id 0 is still looked up, so, as in
 * Keras, the vocabulary should count it: {@code inputDim} = number of tokens + 1.
 *
 * <pre>{@code Embedding.builder(1000, 16).embeddingsRegularizer(new L2(1e-4)).embeddingsConstraint(new UnitNorm(1)).build()
 * Embedding.builder(1000, 16).maskZero(true).build()   // then LSTM, GRU, Bidirectional, GlobalAveragePooling1D ...}</pre>
 */
public final class Embedding extends Layer {
  /** Keras' default {@code mask_zero}. */
  public static final boolean DEFAULT_MASK_ZERO = false;

  private final int inputDim;
  private final int outputDim;
  private final Initializer initializer;
  private final Regularizer embeddingsRegularizer;
  private final Constraint embeddingsConstraint;
  private final boolean maskZero;
  private Weight embeddings;

  public Embedding(int inputDim, int outputDim) {
    this(builder(inputDim, outputDim));
  }

  public Embedding(int inputDim, int outputDim, Initializer initializer, String name) {
    this(builder(inputDim, outputDim).embeddingsInitializer(initializer).name(name));
  }

  private Embedding(Builder b) {
    super(b.name, null);
    if (b.inputDim <= 0 || b.outputDim <= 0) {
      throw new IllegalArgumentException(
          "Embedding expects positive inputDim and outputDim. Received: inputDim=" + b.inputDim + ", outputDim="
              + b.outputDim);
    }
    this.inputDim = b.inputDim;
    this.outputDim = b.outputDim;
    this.initializer = b.initializer;
    this.embeddingsRegularizer = b.embeddingsRegularizer;
    this.embeddingsConstraint = b.embeddingsConstraint;
    this.maskZero = b.maskZero;
    setActivityRegularizer(b.activityRegularizer);
  }

  /** Starts a builder; {@code inputDim} (vocabulary size) and {@code outputDim} are required. */
  public static Builder builder(int inputDim, int outputDim) {
    return new Builder(inputDim, outputDim);
  }

  @Override
  public Regularizer weightRegularizer(String weightName) {
    return weightName.equals("embeddings") ? embeddingsRegularizer : null;
  }

  @Override
  public Constraint weightConstraint(String weightName) {
    return weightName.equals("embeddings") ? embeddingsConstraint : null;
  }

  public int inputDim() {
    return inputDim;
  }

  public int outputDim() {
    return outputDim;
  }

  /** Keras' {@code mask_zero}: whether id 0 is padding, masked for the layers downstream. */
  public boolean maskZero() {
    return maskZero;
  }

  /** Keras sets {@code supports_masking = mask_zero}: without it the output carries no mask. */
  @Override
  public boolean supportsMasking() {
    return maskZero;
  }

  /** Keras' {@code compute_mask}: {@code not_equal(inputs, 0)} on the ids as given, or none without maskZero. */
  @Override
  @SuppressWarnings("unchecked")
  public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    if (!maskZero) {
      return null;
    }
    Operand<TNumber> ids = (Operand<TNumber>) inputs.get(0);
    return ctx.tf().math.notEqual(ids, ctx.tf().zerosLike(ids));
  }

  @Override
  public String className() {
    return "Embedding";
  }

  @Override
  public String defaultNamePrefix() {
    return "embedding";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    long[] out = java.util.Arrays.copyOf(inputShape, inputShape.length + 1);
    out[inputShape.length] = outputDim;
    return out;
  }

  @Override
  protected void build(LayerContext ctx, long[] inputShape) {
    embeddings = ctx.addWeight("embeddings", new long[] {inputDim, outputDim}, initializer, true);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    Operand<? extends TNumber> ids = (Operand<? extends TNumber>) inputs;
    if (!(inputs.asOutput().type() == TInt32.class)) {
      ids = tf.dtypes.cast(ids, TInt32.class);
    }
    Operand<org.tensorflow.types.TFloat32> rows = tf.gather(embeddings.value(), ids, tf.constant(0));
    if (training) {
      ctx.recordLookup(embeddings, ids, rows);
    }
    return rows;
  }

  /** Options of {@link Embedding}; every field but the two sizes defaults to Keras' value. */
  public static final class Builder {
    private final int inputDim;
    private final int outputDim;
    private Initializer initializer = new RandomUniform();
    private Regularizer embeddingsRegularizer;
    private Regularizer activityRegularizer;
    private Constraint embeddingsConstraint;
    private boolean maskZero = DEFAULT_MASK_ZERO;
    private String name;

    private Builder(int inputDim, int outputDim) {
      this.inputDim = inputDim;
      this.outputDim = outputDim;
    }

    public Builder embeddingsInitializer(Initializer init) {
      this.initializer = init;
      return this;
    }

    /** Keras' {@code embeddings_regularizer}: a penalty on the whole table (default none). */
    public Builder embeddingsRegularizer(Regularizer regularizer) {
      this.embeddingsRegularizer = regularizer;
      return this;
    }

    /** Keras' {@code activity_regularizer} (default none). */
    public Builder activityRegularizer(Regularizer regularizer) {
      this.activityRegularizer = regularizer;
      return this;
    }

    /** Keras' {@code embeddings_constraint}: applied to the table after each optimizer update (default none). */
    public Builder embeddingsConstraint(Constraint constraint) {
      this.embeddingsConstraint = constraint;
      return this;
    }

    /**
     * Keras' {@code mask_zero} (default {@value Embedding#DEFAULT_MASK_ZERO}): treat id 0 as padding and pass the
     * mask {@code ids != 0} to the next layers.
     */
    public Builder maskZero(boolean maskZero) {
      this.maskZero = maskZero;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Embedding build() {
      return new Embedding(this);
    }
  }
}
