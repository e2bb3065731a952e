package dev.kerasj.layers;

import dev.kerasj.initializers.Initializer;
import dev.kerasj.initializers.RandomUniform;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Keras {@code Embedding(inputDim, outputDim)}: maps int token ids {@code [batch, ...]} to vectors
 * {@code [batch, ..., outputDim]}. Weight {@code embeddings} ({@code [inputDim, outputDim]}, Keras' default
 * {@code uniform} initializer, {@code [-0.05, 0.05)}). Use an {@code Input.of(Input.DType.INT32, length)} before it.
 *
 * <p>Ids outside {@code [0, inputDim)} are rejected by {@code fit}/{@code predict} before any native call.
 */
public final class Embedding extends Layer {
  private final int inputDim;
  private final int outputDim;
  private final Initializer initializer;
  private Weight embeddings;

  public Embedding(int inputDim, int outputDim) {
    this(inputDim, outputDim, new RandomUniform(), null);
  }

  public Embedding(int inputDim, int outputDim, Initializer initializer, String name) {
    super(name, null);
    if (inputDim <= 0 || outputDim <= 0) {
      throw new IllegalArgumentException(
          "Embedding expects positive inputDim and outputDim. Received: inputDim=" + inputDim + ", outputDim="
              + outputDim);
    }
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.initializer = initializer;
  }

  public int inputDim() {
    return inputDim;
  }

  public int outputDim() {
    return outputDim;
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
}
