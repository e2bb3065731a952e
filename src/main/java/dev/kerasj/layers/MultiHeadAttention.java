package dev.kerasj.layers;

import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Initializer;
import dev.kerasj.initializers.VarianceScaling;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code MultiHeadAttention} over sequences: {@code query [batch, T, dq]} attends to {@code value
 * [batch, S, dv]} (and {@code key [batch, S, dk]}, the value when left out) with {@code numHeads} heads of size
 * {@code keyDim}; the output has the query's shape ({@code [batch, T, dq]}, or {@code [batch, T, outputShape]}).
 *
 * <pre>{@code
 * MultiHeadAttention mha = MultiHeadAttention.builder(4, 16).useCausalMask(true).build();
 * KerasTensor y = mha.apply(x, x);              // self-attention: query = value = key
 * KerasTensor z = mha2.apply(query, value);     // cross-attention
 * KerasTensor w = mha3.apply(query, value, key);
 * KerasTensor m = mha4.apply(query, value, null, allowed);  // attention_mask=allowed [batch, T, S]
 * List<KerasTensor> both = mha5.applyOutputs(x, x);         // with returnAttentionScores: output, scores
 * }</pre>
 *
 * <p>Weights, in Keras' order, each named {@code <sublayer>/<kernel|bias>} after the {@code EinsumDense} sublayer
 * Keras keeps it in ({@code multi_head_attention/query/kernel} is Keras' {@code variable.path} too):
 * {@code query/kernel [dq, numHeads, keyDim]}, {@code query/bias [numHeads, keyDim]}, {@code key/kernel
 * [dk, numHeads, keyDim]}, {@code key/bias}, {@code value/kernel [dv, numHeads, valueDim]}, {@code value/bias
 * [numHeads, valueDim]}, {@code attention_output/kernel [numHeads, valueDim, dOut]}, {@code attention_output/bias
 * [dOut]} (no biases with {@code useBias(false)}).
 *
 * <p>Computed as Keras 3.15's TensorFlow backend does for rank-3 inputs without dropout
 * ({@code ops.dot_product_attention}): {@code logits = (q . k) / sqrt(keyDim)}, masked positions set to
 * {@code -0.7 * 3.38953e38}, softmax over the keys, weighted sum of the values. With {@code dropout > 0}, as Keras'
 * other path: {@code (q / sqrt(keyDim)) . k}, masked logits set to {@code -1e9}, softmax, masked probabilities set
 * to 0 (so a query step with every key masked attends to nothing there), dropout in training. The einsum
 * projections are written as reshape + MatMul and the attention as transpose + BatchMatMulV3, ops whose gradients
 * TF Java's C++ registry has (it has none for Einsum).
 *
 * <p>Masks, as Keras combines them ({@code _compute_attention_mask}): the query's mask {@code [B, T, 1]}, the
 * value's {@code [B, 1, S]}, the key's (when a key is given) {@code [B, 1, S]}, the causal mask {@code [1, T, S]}
 * ({@code i >= j}) and an explicit {@code attention_mask} {@code [B, T, S]} (any dtype, nonzero = attend; an input of
 * the model, the call's 4th tensor) are ANDed; the output carries the query's mask.
 *
 * <p>With {@code returnAttentionScores} a call returns the output and the attention weights {@code [B, numHeads, T,
 * S]} (after masking and softmax, before dropout), through {@link #applyOutputs}; the weights are then computed on
 * Keras' path that materialises them (the one it takes with dropout). Without dropout a query row with no key left attends uniformly to all keys (Keras' fast
 * path does).
 *
 * <p>Differences from Keras: {@code use_causal_mask} is a call argument in Keras and a layer option here (every call
 * of the layer uses it; configs write it into each call's {@code kwargs}); dropout draws kerasj's random stream, not
 * Keras'. {@code return_attention_scores} is also a layer option ({@link Builder#returnAttentionScores}). Refused
 * with an error rather than computed differently: inputs of rank other than 3 or other
 * {@code attention_axes} than Keras' default ({@code [1]}), an {@code output_shape} of several dimensions, gate,
 * sliding window, regularizers and constraints.
 */
public final class MultiHeadAttention extends Layer {
  /** Keras' {@code _get_large_negative(float32)}: {@code 3.38953e38 * -0.7}, the logit of a masked position. */
  static final float LARGE_NEGATIVE = (float) (3.38953e38 * -0.7);

  /** Keras' {@code Softmax} layer's masked logit ({@code _large_negative_number(float32)}), on the dropout path. */
  static final float SOFTMAX_MASKED = -1e9f;

  /** Sublayer names, in Keras' creation order; weight names are {@code <sublayer>/kernel}, {@code <sublayer>/bias}. */
  public static final List<String> SUBLAYERS = List.of("query", "key", "value", "attention_output");

  private final int numHeads;
  private final int keyDim;
  private final int valueDim;
  private final double dropout;
  private final boolean useBias;
  private final Integer outputShape;
  private final boolean useCausalMask;
  private final boolean returnAttentionScores;
  private final Initializer kernelInitializer;
  private final Initializer biasInitializer;
  private final List<Weight> kernels = new ArrayList<>();
  private final List<Weight> biases = new ArrayList<>();

  private MultiHeadAttention(Builder b) {
    super(b.name, null);
    if (b.numHeads <= 0) {
      throw new IllegalArgumentException("Received an invalid value for argument `num_heads`, expected a positive "
          + "integer. Received: num_heads=" + b.numHeads);
    }
    if (b.keyDim <= 0) {
      throw new IllegalArgumentException("Received an invalid value for argument `key_dim`, expected a positive "
          + "integer. Received: key_dim=" + b.keyDim);
    }
    if (b.valueDim != null && b.valueDim <= 0) {
      throw new IllegalArgumentException("Received an invalid value for argument `value_dim`, expected a positive "
          + "integer or `None`. Received: value_dim=" + b.valueDim);
    }
    if (b.outputShape != null && b.outputShape <= 0) {
      throw new IllegalArgumentException("MultiHeadAttention expects a positive `output_shape` or none. Received: "
          + "output_shape=" + b.outputShape);
    }
    if (!(b.dropout >= 0.0 && b.dropout < 1.0)) {
      throw new IllegalArgumentException("Invalid value received for argument `dropout`. Expected a float value "
          + "between 0 and 1. Received: dropout=" + b.dropout);
    }
    this.numHeads = b.numHeads;
    this.keyDim = b.keyDim;
    this.valueDim = b.valueDim != null ? b.valueDim : b.keyDim;
    this.dropout = b.dropout;
    this.useBias = b.useBias;
    this.outputShape = b.outputShape;
    this.useCausalMask = b.useCausalMask;
    this.returnAttentionScores = b.returnAttentionScores;
    this.kernelInitializer = b.kernelInitializer;
    this.biasInitializer = b.biasInitializer;
  }

  /** Starts a builder; {@code numHeads} and {@code keyDim} (the size of each head of query and key) are required. */
  public static Builder builder(int numHeads, int keyDim) {
    return new Builder(numHeads, keyDim);
  }

  public int numHeads() {
    return numHeads;
  }

  public int keyDim() {
    return keyDim;
  }

  /** The size of each head of the value: {@link #keyDim()} unless set (Keras' {@code value_dim=None}). */
  public int valueDim() {
    return valueDim;
  }

  public double dropout() {
    return dropout;
  }

  public boolean useBias() {
    return useBias;
  }

  /** The last dimension of the output, or null for the query's (Keras' {@code output_shape=None}). */
  public Integer outputShapeOption() {
    return outputShape;
  }

  /** Keras' call argument {@code use_causal_mask}, fixed for every call of this layer. */
  public boolean useCausalMask() {
    return useCausalMask;
  }

  /** Keras' call argument {@code return_attention_scores}, fixed for every call of this layer. */
  public boolean returnAttentionScores() {
    return returnAttentionScores;
  }

  /** 2 with {@link #returnAttentionScores()} (the output, the attention weights), else 1. */
  @Override
  public int outputCount() {
    return returnAttentionScores ? 2 : 1;
  }

  @Override
  protected String outputsDescription() {
    return " (returnAttentionScores: output, scores)";
  }

  /**
   * Keras' {@code mha(query, value, key=key, attention_mask=attentionMask)}: {@code key} may be null (the value is
   * the key), {@code attentionMask} is a {@code [batch, T, S]} tensor (int32 or float32, nonzero = may attend), usually
   * a model input. For a layer of one output; one with {@link #returnAttentionScores()} takes
   * {@link #applyOutputs(KerasTensor, KerasTensor, KerasTensor, KerasTensor)}.
   */
  public KerasTensor apply(KerasTensor query, KerasTensor value, KerasTensor key, KerasTensor attentionMask) {
    return apply(withMask(query, value, key, attentionMask), null);
  }

  /** {@link #apply(KerasTensor, KerasTensor, KerasTensor, KerasTensor)} returning every output. */
  public List<KerasTensor> applyOutputs(KerasTensor query, KerasTensor value, KerasTensor key,
      KerasTensor attentionMask) {
    return applyOutputs(withMask(query, value, key, attentionMask), null);
  }

  /** The call's tensors: query, value, key (the value when none), and the attention mask when there is one. */
  private static List<KerasTensor> withMask(KerasTensor query, KerasTensor value, KerasTensor key,
      KerasTensor attentionMask) {
    List<KerasTensor> all = new ArrayList<>(Arrays.asList(query, value));
    if (key != null || attentionMask != null) {
      all.add(key != null ? key : value);
    }
    if (attentionMask != null) {
      all.add(attentionMask);
    }
    return all;
  }

  public Initializer kernelInitializer() {
    return kernelInitializer;
  }

  public Initializer biasInitializer() {
    return biasInitializer;
  }

  /** Keras' {@code supports_masking = True}: the output carries the query's mask. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public String className() {
    return "MultiHeadAttention";
  }

  @Override
  public String defaultNamePrefix() {
    return "multi_head_attention";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    throw new IllegalArgumentException("Layer '" + displayName() + "' (MultiHeadAttention) is called on query and "
        + "value: apply(query, value) or apply(query, value, key). Received: one input of shape "
        + formatShape(inputShape));
  }

  @Override
  public long[] computeOutputShape(List<long[]> shapes) {
    if (shapes.size() == 1) {
      return computeOutputShape(shapes.get(0));
    }
    if (shapes.size() > 4) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (MultiHeadAttention) is called on query, "
          + "value and optionally key and attention_mask. Expected: 2 to 4 inputs. Received: " + shapes.size()
          + " inputs");
    }
    long[] query = shapes.get(0);
    long[] value = shapes.get(1);
    long[] key = shapes.size() >= 3 ? shapes.get(2) : value;
    if (shapes.size() == 4) {
      long[] mask = shapes.get(3);
      if (mask.length != 2 || mask[0] != query[0] || mask[1] != value[0]) {
        throw new IllegalArgumentException("Layer '" + displayName() + "' (MultiHeadAttention) takes an "
            + "attention_mask of shape (batch, T, S) = " + formatShape(new long[] {query[0], value[0]})
            + ". Received: attention_mask shape " + formatShape(mask));
      }
    }
    for (int i = 0; i < Math.min(3, shapes.size()); i++) {
      if (shapes.get(i).length != 2) {
        throw new IllegalArgumentException("Layer '" + displayName() + "' (MultiHeadAttention) in kerasj takes "
            + "query, value and key of rank 3 (batch, steps, features), with Keras' default attention_axes. "
            + "Received: " + List.of("query", "value", "key").get(i) + " shape " + formatShape(shapes.get(i)));
      }
    }
    if (value[0] != key[0]) {
      throw new IllegalArgumentException("All dimensions of `value` and `key`, except the last one, must be equal. "
          + "Received: value_shape=" + formatShape(value) + " and key_shape=" + formatShape(key));
    }
    return new long[] {query[0], outputShape != null ? outputShape : query[1]};
  }

  /** The output's shape, then with {@link #returnAttentionScores()} the weights' {@code [numHeads, T, S]}. */
  @Override
  public List<long[]> computeOutputShapes(List<long[]> shapes) {
    long[] out = computeOutputShape(shapes);
    return returnAttentionScores ? List.of(out, new long[] {numHeads, shapes.get(0)[0], shapes.get(1)[0]})
        : List.of(out);
  }

  @Override
  protected void build(LayerContext ctx, List<long[]> shapes) {
    long[] query = shapes.get(0);
    long[] value = shapes.get(1);
    long[] key = shapes.size() >= 3 ? shapes.get(2) : value;
    long out = outputShape != null ? outputShape : query[1];
    kernels.clear();
    biases.clear();
    add(ctx, "query", new long[] {query[1], numHeads, keyDim}, new long[] {numHeads, keyDim});
    add(ctx, "key", new long[] {key[1], numHeads, keyDim}, new long[] {numHeads, keyDim});
    add(ctx, "value", new long[] {value[1], numHeads, valueDim}, new long[] {numHeads, valueDim});
    add(ctx, "attention_output", new long[] {numHeads, valueDim, out}, new long[] {out});
  }

  private void add(LayerContext ctx, String sublayer, long[] kernelShape, long[] biasShape) {
    kernels.add(ctx.addWeight(sublayer + "/kernel", kernelShape, kernelInitializer, true));
    biases.add(useBias ? ctx.addWeight(sublayer + "/bias", biasShape, biasInitializer, true) : null);
  }

  @Override
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    throw new IllegalStateException("MultiHeadAttention is called on a list of inputs (query, value[, key])");
  }

  @Override
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, boolean training) {
    List<Operand<TBool>> none = new ArrayList<>();
    inputs.forEach(i -> none.add(null));
    return call(ctx, inputs, none, training);
  }

  @Override
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks, boolean training) {
    return callOutputs(ctx, inputs, masks, training).get(0);
  }

  /** The output, then with {@link #returnAttentionScores()} the attention weights {@code [B, N, T, S]}. */
  @Override
  @SuppressWarnings("unchecked")
  public List<Operand<?>> callOutputs(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    Ops tf = ctx.tf();
    List<long[]> shapes = inputShapes();
    long t = shapes.get(0)[0];
    long s = shapes.get(1)[0];
    Operand<TFloat32> query = (Operand<TFloat32>) inputs.get(0);
    Operand<TFloat32> value = (Operand<TFloat32>) inputs.get(1);
    Operand<TFloat32> key = inputs.size() >= 3 ? (Operand<TFloat32>) inputs.get(2) : value;
    // [B, N, T, H] and [B, N, S, H]: Keras' einsum "abc,cde->abde", then heads before steps.
    Operand<TFloat32> q = heads(tf, project(tf, query, 0, t));
    Operand<TFloat32> k = heads(tf, project(tf, key, 1, s));
    Operand<TFloat32> v = heads(tf, project(tf, value, 2, s));
    Operand<TBool> mask = attentionMask(tf, masks.get(0), masks.get(1), masks.size() >= 3 ? masks.get(2) : null,
        t, s);
    if (inputs.size() == 4) { // Keras: attention_mask (cast to bool) & the masks above
      Operand<TBool> given = tf.dtypes.cast(inputs.get(3), TBool.class);
      mask = mask == null ? given : tf.math.logicalAnd(given, mask);
    }
    Operand<TFloat32> keep = mask == null ? null
        : tf.expandDims(tf.dtypes.cast(mask, TFloat32.class), tf.constant(1)); // [B, 1, T, S]
    Operand<TFloat32> scale = tf.constant((float) (1.0 / Math.sqrt(keyDim)));
    Operand<TFloat32> probs;
    Operand<TFloat32> scores = null;
    if (dropout == 0.0 && !returnAttentionScores) {
      // Keras' fast path (ops.dot_product_attention): scale the logits, masked ones to LARGE_NEGATIVE.
      Operand<TFloat32> logits = tf.math.mul(tf.train.batchMatMul(q, k, TFloat32.class, BatchMatMul.adjY(true)), scale);
      probs = tf.nn.softmax(keep == null ? logits : where(tf, keep, logits, LARGE_NEGATIVE));
    } else {
      // Keras' path with dropout: scale the query, masked logits to -1e9 (its Softmax layer), masked probabilities to
      // 0 (a query step with every key masked attends to nothing), then Dropout on the probabilities.
      Operand<TFloat32> logits = tf.train.batchMatMul(tf.math.mul(q, scale), k, TFloat32.class,
          BatchMatMul.adjY(true));
      probs = tf.nn.softmax(keep == null ? logits : where(tf, keep, logits, SOFTMAX_MASKED));
      if (keep != null) {
        probs = tf.math.mul(probs, keep);
      }
      scores = probs; // Keras returns the weights before dropout
      if (training && dropout > 0.0) {
        probs = Dropout.drop(ctx, probs, dropout);
      }
    }
    Operand<TFloat32> context = tf.train.batchMatMul(probs, v, TFloat32.class); // [B, N, T, Hv]
    Operand<TFloat32> merged = tf.reshape(tf.linalg.transpose(context, tf.constant(new int[] {0, 2, 1, 3})),
        tf.constant(new long[] {-1, (long) numHeads * valueDim}));
    long out = kernels.get(3).shape()[2];
    Operand<TFloat32> y = tf.linalg.matMul(merged,
        tf.reshape(kernels.get(3).value(), tf.constant(new long[] {(long) numHeads * valueDim, out})));
    y = tf.reshape(y, tf.constant(new long[] {-1, t, out}));
    Operand<TFloat32> output = useBias ? tf.math.add(y, biases.get(3).value()) : y;
    return returnAttentionScores ? List.of(output, scores) : List.of(output);
  }

  /** {@code where(keep, x, masked)} as products, which give the same values bit for bit (x finite). */
  private static Operand<TFloat32> where(Ops tf, Operand<TFloat32> keep, Operand<TFloat32> x, float masked) {
    Operand<TFloat32> drop = tf.math.sub(tf.constant(1f), keep);
    return tf.math.add(tf.math.mul(x, keep), tf.math.mul(drop, tf.constant(masked)));
  }

  /** EinsumDense {@code abc,cde->abde} of sublayer {@code i}: {@code [B, steps, d] -> [B, steps, N, H]}. */
  private Operand<TFloat32> project(Ops tf, Operand<TFloat32> x, int i, long steps) {
    long[] shape = kernels.get(i).shape();
    Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1, shape[0]}));
    Operand<TFloat32> y = tf.linalg.matMul(flat,
        tf.reshape(kernels.get(i).value(), tf.constant(new long[] {shape[0], shape[1] * shape[2]})));
    y = tf.reshape(y, tf.constant(new long[] {-1, steps, shape[1], shape[2]}));
    return useBias ? tf.math.add(y, biases.get(i).value()) : y;
  }

  private static Operand<TFloat32> heads(Ops tf, Operand<TFloat32> x) {
    return tf.linalg.transpose(x, tf.constant(new int[] {0, 2, 1, 3}));
  }

  /**
   * Keras' {@code _compute_attention_mask}: the AND of the query mask {@code [B, T, 1]}, the value and key masks
   * {@code [B, 1, S]} and the causal mask {@code [1, T, S]}; null when there is none.
   */
  private Operand<TBool> attentionMask(Ops tf, Operand<TBool> queryMask, Operand<TBool> valueMask,
      Operand<TBool> keyMask, long t, long s) {
    Operand<TBool> mask = null;
    if (queryMask != null) {
      mask = tf.expandDims(queryMask, tf.constant(-1));
    }
    for (Operand<TBool> m : Arrays.asList(valueMask, keyMask)) {
      if (m != null) {
        Operand<TBool> e = tf.expandDims(m, tf.constant(-2));
        mask = mask == null ? e : tf.math.logicalAnd(mask, e);
      }
    }
    if (useCausalMask) {
      boolean[][][] causal = new boolean[1][(int) t][(int) s];
      for (int i = 0; i < t; i++) {
        for (int j = 0; j < s; j++) {
          causal[0][i][j] = i >= j;
        }
      }
      Operand<TBool> c = tf.constant(StdArrays.ndCopyOf(causal));
      mask = mask == null ? c : tf.math.logicalAnd(mask, c);
    }
    return mask;
  }

  /** Options of {@link MultiHeadAttention}; every field but the two required ones defaults to Keras' value. */
  public static final class Builder {
    private final int numHeads;
    private final int keyDim;
    private Integer valueDim;
    private double dropout;
    private boolean useBias = true;
    private Integer outputShape;
    private boolean useCausalMask;
    private boolean returnAttentionScores;
    private Initializer kernelInitializer = VarianceScaling.glorotUniform();
    private Initializer biasInitializer = Constant.zeros();
    private String name;

    private Builder(int numHeads, int keyDim) {
      this.numHeads = numHeads;
      this.keyDim = keyDim;
    }

    /** Keras' {@code value_dim}; null (the default) uses {@code keyDim}. */
    public Builder valueDim(Integer valueDim) {
      this.valueDim = valueDim;
      return this;
    }

    /**
     * Keras' {@code dropout} on the attention probabilities, in [0, 1); active in training only. Its random stream is
     * kerasj's (see {@link Dropout}), not Keras'.
     */
    public Builder dropout(double dropout) {
      this.dropout = dropout;
      return this;
    }

    public Builder useBias(boolean useBias) {
      this.useBias = useBias;
      return this;
    }

    /** Keras' {@code output_shape} as one integer: the output's last dimension; null (default) keeps the query's. */
    public Builder outputShape(Integer outputShape) {
      this.outputShape = outputShape;
      return this;
    }

    /** Keras' call argument {@code use_causal_mask}: step i of the query sees steps 0..i of the value only. */
    public Builder useCausalMask(boolean useCausalMask) {
      this.useCausalMask = useCausalMask;
      return this;
    }

    /**
     * Keras' call argument {@code return_attention_scores}: calls return the output and the attention weights
     * {@code [batch, numHeads, T, S]} ({@link MultiHeadAttention#applyOutputs}).
     */
    public Builder returnAttentionScores(boolean returnAttentionScores) {
      this.returnAttentionScores = returnAttentionScores;
      return this;
    }

    public Builder kernelInitializer(Initializer init) {
      this.kernelInitializer = init;
      return this;
    }

    public Builder biasInitializer(Initializer init) {
      this.biasInitializer = init;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public MultiHeadAttention build() {
      return new MultiHeadAttention(this);
    }
  }
}
