package dev.kerasj.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * What Keras' {@code Attention} and its subclass {@code AdditiveAttention} share ({@code keras/src/layers/attention/
 * attention.py}): inputs {@code [query [B, Tq, dim], value [B, Tv, dv]]} or {@code [query, value, key [B, Tv, dim]]};
 * scores {@code [B, Tq, Tv]} from query and key ({@link #scores}, the subclass' own); masked scores lowered by
 * {@code 1e9} where the value's mask (and the causal mask) is false; softmax over the values; dropout on those
 * weights in training; their sum of the values; the output set to zero at masked query steps. The output carries the
 * query's mask. With {@code returnAttentionScores} a call also returns the weights (after masking and softmax).
 *
 * <p>Keras takes {@code use_causal_mask} and {@code return_attention_scores} as call arguments; kerasj fixes them per
 * layer and writes them into each call's {@code kwargs}, as Keras records them.
 */
abstract class ScoreAttention extends Layer {
  /** Keras' {@code max_value} for float32 scores: {@code scores - 1e9} at masked positions. */
  static final float MASKED_SHIFT = 1.0e9f;

  private final double dropout;
  private final Integer seed;
  private final boolean useCausalMask;
  private final boolean returnAttentionScores;

  ScoreAttention(String name, double dropout, Integer seed, boolean useCausalMask, boolean returnAttentionScores) {
    super(name, null);
    if (!(dropout >= 0.0 && dropout < 1.0)) {
      throw new IllegalArgumentException("Invalid value received for argument `dropout`. Expected a float value "
          + "between 0 and 1. Received: dropout=" + dropout);
    }
    this.dropout = dropout;
    this.seed = seed;
    this.useCausalMask = useCausalMask;
    this.returnAttentionScores = returnAttentionScores;
  }

  /** Keras' {@code dropout} on the attention weights, in training only (kerasj's random stream, not Keras'). */
  public final double dropout() {
    return dropout;
  }

  /** Keras' {@code seed} argument as given (null by default); kerasj's dropout draws from the model seed. */
  public final Integer seed() {
    return seed;
  }

  /** Keras' call argument {@code use_causal_mask}, fixed for every call of this layer. */
  public final boolean useCausalMask() {
    return useCausalMask;
  }

  /**
   * Keras' call argument {@code return_attention_scores}, fixed for every call of this layer: a call then returns the
   * output and the attention weights {@code [B, Tq, Tv]}, through {@link #applyOutputs}.
   */
  public final boolean returnAttentionScores() {
    return returnAttentionScores;
  }

  @Override
  public final int outputCount() {
    return returnAttentionScores ? 2 : 1;
  }

  @Override
  protected final String outputsDescription() {
    return " (returnAttentionScores: output, scores)";
  }

  /** Keras' {@code compute_mask}: the query's mask. */
  @Override
  public final boolean supportsMasking() {
    return true;
  }

  @Override
  public final long[] computeOutputShape(long[] inputShape) {
    throw new IllegalArgumentException(className() + " layer must be called on a list of inputs, namely [query, "
        + "value] or [query, value, key]. Received: one input of shape " + formatShape(inputShape));
  }

  @Override
  public final long[] computeOutputShape(List<long[]> shapes) {
    return computeOutputShapes(shapes).get(0);
  }

  @Override
  public final List<long[]> computeOutputShapes(List<long[]> shapes) {
    if (shapes.size() < 2 || shapes.size() > 3) {
      throw new IllegalArgumentException(className() + " layer accepts inputs list of length 2 or 3, namely [query, "
          + "value] or [query, value, key]. Received length: " + shapes.size() + ".");
    }
    List<String> names = List.of("query", "value", "key");
    for (int i = 0; i < shapes.size(); i++) {
      if (shapes.get(i).length != 2) {
        throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") in kerasj takes "
            + "query, value and key of rank 3 (batch, steps, features). Received: " + names.get(i) + " shape "
            + formatShape(shapes.get(i)));
      }
    }
    long[] query = shapes.get(0);
    long[] value = shapes.get(1);
    long[] key = shapes.size() == 3 ? shapes.get(2) : value;
    if (key[0] != value[0]) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + "): key and value must "
          + "have the same number of steps. Received: value shape " + formatShape(value) + ", key shape "
          + formatShape(key));
    }
    if (key[1] != query[1]) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + "): query and key must "
          + "have the same last dimension to be scored. Received: query shape " + formatShape(query) + ", key shape "
          + formatShape(key));
    }
    List<long[]> out = new ArrayList<>();
    out.add(new long[] {query[0], value[1]});
    if (returnAttentionScores) {
      out.add(new long[] {query[0], key[0]});
    }
    return out;
  }

  /** Scores {@code [B, Tq, Tv]} of query {@code [B, Tq, dim]} against key {@code [B, Tv, dim]}. */
  abstract Operand<TFloat32> scores(Ops tf, Operand<TFloat32> query, Operand<TFloat32> key);

  /** Keras' concat/additive scores: {@code query[:, :, None, :] + key[:, None, :, :]}, {@code [B, Tq, Tv, dim]}. */
  static Operand<TFloat32> pairwiseSum(Ops tf, Operand<TFloat32> query, Operand<TFloat32> key) {
    return tf.math.add(tf.expandDims(query, tf.constant(-2)), tf.expandDims(key, tf.constant(-3)));
  }

  static Operand<TFloat32> sumLast(Ops tf, Operand<TFloat32> x) {
    return tf.reduceSum(x, tf.constant(-1));
  }

  @Override
  public final Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    throw new IllegalStateException(className() + " is called on a list of inputs (query, value[, key])");
  }

  @Override
  public final Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, boolean training) {
    List<Operand<TBool>> none = new ArrayList<>();
    inputs.forEach(i -> none.add(null));
    return callOutputs(ctx, inputs, none, training).get(0);
  }

  @Override
  public final Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    return callOutputs(ctx, inputs, masks, training).get(0);
  }

  /** Keras' {@code Attention.call}: the output, then with {@link #returnAttentionScores()} the weights. */
  @Override
  @SuppressWarnings("unchecked")
  public final List<Operand<?>> callOutputs(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    Ops tf = ctx.tf();
    Operand<TFloat32> query = (Operand<TFloat32>) inputs.get(0);
    Operand<TFloat32> value = (Operand<TFloat32>) inputs.get(1);
    Operand<TFloat32> key = inputs.size() == 3 ? (Operand<TFloat32>) inputs.get(2) : value;
    Operand<TBool> queryMask = masks.isEmpty() ? null : masks.get(0);
    Operand<TBool> valueMask = masks.size() > 1 ? masks.get(1) : null; // Keras ignores the key's mask
    Operand<TFloat32> scores = scores(tf, query, key);
    Operand<TBool> scoresMask = scoresMask(tf, valueMask);
    if (scoresMask != null) {
      // Keras: where(not mask, scores - 1e9, scores), as products (exact for a 0/1 mask and finite scores).
      Operand<TFloat32> keep = tf.dtypes.cast(scoresMask, TFloat32.class);
      Operand<TFloat32> drop = tf.math.sub(tf.constant(1f), keep);
      scores = tf.math.add(tf.math.mul(keep, scores),
          tf.math.mul(drop, tf.math.sub(scores, tf.constant(MASKED_SHIFT))));
    }
    Operand<TFloat32> weights = tf.nn.softmax(scores);
    Operand<TFloat32> applied = training && dropout > 0 ? Dropout.drop(ctx, weights, dropout) : weights;
    Operand<TFloat32> output = tf.train.batchMatMul(applied, value, TFloat32.class);
    if (queryMask != null) {
      output = tf.math.mul(output, tf.expandDims(tf.dtypes.cast(queryMask, TFloat32.class), tf.constant(-1)));
    }
    return returnAttentionScores ? List.of(output, weights) : List.of(output);
  }

  /** Keras' {@code _calculate_score_mask}: the value's mask {@code [B, 1, Tv]}, ANDed with the causal mask. */
  private Operand<TBool> scoresMask(Ops tf, Operand<TBool> valueMask) {
    Operand<TBool> v = valueMask == null ? null : tf.expandDims(valueMask, tf.constant(-2));
    if (!useCausalMask) {
      return v;
    }
    List<long[]> shapes = inputShapes();
    int tq = (int) shapes.get(0)[0];
    int tv = (int) shapes.get(1)[0];
    boolean[][][] causal = new boolean[1][tq][tv];
    for (int i = 0; i < tq; i++) {
      for (int j = 0; j < tv; j++) {
        causal[0][i][j] = i >= j;
      }
    }
    Operand<TBool> c = tf.constant(StdArrays.ndCopyOf(causal));
    return v == null ? c : tf.math.logicalAnd(v, c);
  }
}
