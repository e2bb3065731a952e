package dev.kerasj.layers;

import dev.kerasj.initializers.VarianceScaling;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code AdditiveAttention}: Bahdanau-style attention, scores {@code sum(scale * tanh(query_i + key_j))} over
 * the features, with a trainable {@code scale [dim]} (glorot_uniform) when {@code useScale} (Keras' default: true),
 * else {@code sum(tanh(query_i + key_j))}. Everything else (inputs, masks, causal mask, dropout, the scores as a
 * second output) is {@link Attention}'s:
 *
 * <pre>{@code
 * KerasTensor context = new AdditiveAttention().apply(query, value);
 * }</pre>
 */
public final class AdditiveAttention extends ScoreAttention {
  private final boolean useScale;
  private Weight scale;

  private AdditiveAttention(Builder b) {
    super(b.name, b.dropout, b.seed, b.useCausalMask, b.returnAttentionScores);
    this.useScale = b.useScale;
  }

  /** An AdditiveAttention with Keras' defaults: a trainable scale, no dropout. */
  public AdditiveAttention() {
    this(builder());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Keras' {@code use_scale} (default true): a trainable {@code scale [dim]} weighs the tanh features. */
  public boolean useScale() {
    return useScale;
  }

  @Override
  public String className() {
    return "AdditiveAttention";
  }

  @Override
  public String defaultNamePrefix() {
    return "additive_attention";
  }

  @Override
  protected void build(LayerContext ctx, List<long[]> shapes) {
    scale = useScale
        ? ctx.addWeight("scale", new long[] {shapes.get(0)[1]}, VarianceScaling.glorotUniform(), true) : null;
  }

  @Override
  Operand<TFloat32> scores(Ops tf, Operand<TFloat32> query, Operand<TFloat32> key) {
    Operand<TFloat32> t = tf.math.tanh(pairwiseSum(tf, query, key));
    return sumLast(tf, scale == null ? t : tf.math.mul(scale.value(), t));
  }

  /** Options of {@link AdditiveAttention}, each defaulting to Keras'. */
  public static final class Builder {
    private boolean useScale = true;
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

    public AdditiveAttention build() {
      return new AdditiveAttention(this);
    }
  }
}
