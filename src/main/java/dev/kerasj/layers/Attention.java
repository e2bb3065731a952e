package dev.kerasj.layers;

import dev.kerasj.initializers.Constant;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Attention}: dot-product (Luong-style) attention of a query over a value (and key). Called on a list:
 *
 * <pre>{@code
 * KerasTensor context = Attention.builder().useScale(true).build().apply(query, value);      // [B, Tq, dv]
 * List<KerasTensor> both = Attention.builder().returnAttentionScores(true).build()
 *     .applyOutputs(query, value, key);                                                     // output, scores
 * }</pre>
 *
 * <p>Scores, as Keras 3.15: {@code "dot"} (default) {@code query . key^T}, times the scalar weight {@code scale}
 * with {@code useScale}; {@code "concat"} {@code concat_score_weight * sum(tanh(query_i + key_j))} (the sum scaled by
 * {@code scale} inside the tanh with {@code useScale}). Weights, in Keras' order: {@code scale} (a scalar, ones) with
 * {@code useScale}, {@code concat_score_weight} (a scalar, ones) with {@code "concat"}. Masks, softmax, dropout and
 * the causal mask as described in {@code ScoreAttention}: a masked value step gets {@code score - 1e9}, a masked query
 * step outputs zeros, and the output carries the query's mask.
 */
public final class Attention extends ScoreAttention {
  /** Keras' default {@code score_mode}. */
  public static final String DEFAULT_SCORE_MODE = "dot";

  private final boolean useScale;
  private final String scoreMode;
  private Weight scale;
  private Weight concatScoreWeight;

  private Attention(Builder b) {
    super(b.name, b.dropout, b.seed, b.useCausalMask, b.returnAttentionScores);
    if (!List.of("dot", "concat").contains(b.scoreMode)) {
      throw new IllegalArgumentException("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
          + "Received: score_mode=" + b.scoreMode);
    }
    this.useScale = b.useScale;
    this.scoreMode = b.scoreMode;
  }

  /** An Attention with Keras' defaults: dot scores, no scale, no dropout. */
  public Attention() {
    this(builder());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Keras' {@code use_scale} (default false): a trainable scalar {@code scale} multiplies the scores. */
  public boolean useScale() {
    return useScale;
  }

  /** Keras' {@code score_mode}: {@code "dot"} (default) or {@code "concat"}. */
  public String scoreMode() {
    return scoreMode;
  }

  @Override
  public String className() {
    return "Attention";
  }

  @Override
  public String defaultNamePrefix() {
    return "attention";
  }

  @Override
  protected void build(LayerContext ctx, List<long[]> shapes) {
    scale = useScale ? ctx.addWeight("scale", new long[0], Constant.ones(), true) : null;
    concatScoreWeight = scoreMode.equals("concat")
        ? ctx.addWeight("concat_score_weight", new long[0], Constant.ones(), true) : null;
  }

  @Override
  Operand<TFloat32> scores(Ops tf, Operand<TFloat32> query, Operand<TFloat32> key) {
    if (scoreMode.equals("dot")) {
      Operand<TFloat32> s = tf.train.batchMatMul(query, key, TFloat32.class, BatchMatMul.adjY(true));
      return scale == null ? s : tf.math.mul(s, scale.value());
    }
    Operand<TFloat32> sum = pairwiseSum(tf, query, key);
    if (scale != null) {
      sum = tf.math.mul(scale.value(), sum);
    }
    return tf.math.mul(concatScoreWeight.value(), sumLast(tf, tf.math.tanh(sum)));
  }

  /** Options of {@link Attention}, each defaulting to Keras'. */
  public static final class Builder {
    private boolean useScale;
    private String scoreMode = DEFAULT_SCORE_MODE;
    private double dropout;
    private Integer seed;
    private boolean useCausalMask;
    private boolean returnAttentionScores;
    private String name;

    private Builder() {}

    public Builder useScale(boolean useScale) {
      this.useScale = useScale;
      return this;
    }

    /** {@code "dot"} or {@code "concat"}; anything else is refused at {@link #build()}. */
    public Builder scoreMode(String scoreMode) {
      this.scoreMode = scoreMode;
      return this;
    }

    /** Keras' {@code dropout} on the attention weights, in [0, 1); active in training only. */
    public Builder dropout(double dropout) {
      this.dropout = dropout;
      return this;
    }

    /** Keras' {@code seed}, kept in the config; kerasj's dropout stream comes from the model seed. */
    public Builder seed(Integer seed) {
      this.seed = seed;
      return this;
    }

    /** Keras' call argument {@code use_causal_mask}: query step i sees value steps 0..i only. */
    public Builder useCausalMask(boolean useCausalMask) {
      this.useCausalMask = useCausalMask;
      return this;
    }

    /** Keras' call argument {@code return_attention_scores}: calls return output and scores (applyOutputs). */
    public Builder returnAttentionScores(boolean returnAttentionScores) {
      this.returnAttentionScores = returnAttentionScores;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Attention build() {
      return new Attention(this);
    }
  }
}
