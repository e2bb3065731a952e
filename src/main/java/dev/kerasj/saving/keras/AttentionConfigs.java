package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.layers.AdditiveAttention;
import dev.kerasj.layers.Attention;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.MultiHeadAttention;
import java.util.List;

/**
 * Keras 3.15's config of {@code MultiHeadAttention} (its {@code get_config()} and {@code build_config}, measured in
 * {@code testdata/attention/*.json}) and of {@code Attention} and {@code AdditiveAttention}, written and read back.
 * {@code use_causal_mask} (and {@code return_attention_scores}) is not in it: Keras records it in each call's
 * {@code kwargs}, which {@link FunctionalConfig} writes and reads.
 */
final class AttentionConfigs {
  private AttentionConfigs() {}

  /** Adds the layer's arguments after name, trainable and dtype, in Keras' order. */
  static void put(ObjectNode c, MultiHeadAttention mha) {
    c.put("num_heads", mha.numHeads());
    c.put("key_dim", mha.keyDim());
    c.put("value_dim", mha.valueDim());
    c.put("dropout", mha.dropout());
    c.put("use_bias", mha.useBias());
    c.put("use_gate", false);
    if (mha.outputShapeOption() == null) {
      c.putNull("output_shape");
    } else {
      c.set("output_shape", KerasJson.ints(mha.outputShapeOption()));
    }
    c.set("attention_axes", KerasJson.ints(1)); // Keras' build() turns None into (1,) for rank-3 inputs
    c.putNull("sliding_window");
    String owner = "layer '" + mha.name() + "' ";
    c.set("kernel_initializer", InitializerConfigs.toConfig(mha.kernelInitializer(), owner + "kernel_initializer"));
    c.set("bias_initializer", InitializerConfigs.toConfig(mha.biasInitializer(), owner + "bias_initializer"));
    for (String k : List.of("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
        "bias_constraint", "seed")) {
      c.putNull(k);
    }
  }

  /** Keras' {@code build_config}: {@code {"shapes_dict": {"query_shape", "value_shape"[, "key_shape"]}}}. */
  static ObjectNode buildConfig(MultiHeadAttention mha) {
    ObjectNode build = KerasJson.NODES.objectNode();
    ObjectNode shapes = build.putObject("shapes_dict");
    List<long[]> in = mha.inputShapes();
    List<String> names = List.of("query_shape", "value_shape", "key_shape");
    for (int i = 0; i < Math.min(3, in.size()); i++) { // a 4th input is the attention_mask, not built on
      shapes.set(names.get(i), KerasJson.batchShape(in.get(i)));
    }
    return build;
  }

  /**
   * Rebuilds the layer of a Functional config entry, {@code use_causal_mask} taken from its calls' {@code kwargs}
   * (the same in every call: kerasj fixes it per layer).
   */
  static MultiHeadAttention fromConfig(ConfigFields c, JsonNode inboundNodes) {
    Boolean causal = null;
    if (inboundNodes != null && inboundNodes.isArray()) {
      for (JsonNode node : inboundNodes) {
        JsonNode v = node.path("kwargs").path("use_causal_mask");
        boolean b = v.isBoolean() && v.booleanValue();
        if (!v.isMissingNode() && !v.isBoolean() && !v.isNull()) {
          throw c.fail("call argument use_causal_mask=" + v + " is not a boolean");
        }
        if (causal != null && causal != b) {
          throw c.fail("the calls of this shared layer differ in use_causal_mask; kerasj's MultiHeadAttention "
              + "takes one value for every call");
        }
        causal = b;
      }
    }
    MultiHeadAttention built = build(c, c.string("name"), causal != null && causal);
    if (!callFlag(c, inboundNodes, "return_attention_scores")) {
      return built;
    }
    return AttentionConfigs.withScores(c, built);
  }

  /** {@code mha} rebuilt from its config with {@code returnAttentionScores}. */
  private static MultiHeadAttention withScores(ConfigFields c, MultiHeadAttention mha) {
    MultiHeadAttention.Builder b = MultiHeadAttention.builder(mha.numHeads(), mha.keyDim()).name(mha.name())
        .valueDim(mha.valueDim()).dropout(mha.dropout()).useBias(mha.useBias()).outputShape(mha.outputShapeOption())
        .useCausalMask(mha.useCausalMask()).kernelInitializer(mha.kernelInitializer())
        .biasInitializer(mha.biasInitializer()).returnAttentionScores(true);
    return b.build();
  }

  /** Rebuilds the layer from its config alone (no calls: {@code use_causal_mask=False}). */
  static MultiHeadAttention build(ConfigFields c, String name, boolean useCausalMask) {
    c.requireDefault("use_gate", false);
    c.requireDefault("sliding_window", null);
    c.requireDefault("seed", null);
    for (String k : List.of("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
        "bias_constraint")) {
      c.requireDefault(k, null);
    }
    JsonNode axes = c.raw("attention_axes");
    boolean defaultAxes = axes == null || axes.isNull() || (axes.isIntegralNumber() && axes.asInt() == 1)
        || (axes.isArray() && axes.size() == 1 && axes.get(0).isIntegralNumber() && axes.get(0).asInt() == 1);
    if (!defaultAxes) {
      throw c.fail("'attention_axes'=" + axes + " is not supported: kerasj's MultiHeadAttention attends over the "
          + "steps of rank-3 inputs. Expected: null or [1]");
    }
    MultiHeadAttention.Builder b = MultiHeadAttention.builder(c.integer("num_heads"), c.integer("key_dim"))
        .name(name).useCausalMask(useCausalMask).useBias(c.bool("use_bias", true))
        .dropout(c.number("dropout", 0.0));
    JsonNode valueDim = c.raw("value_dim");
    if (valueDim != null && !valueDim.isNull()) {
      b.valueDim(c.integer("value_dim"));
    }
    JsonNode out = c.raw("output_shape");
    if (out != null && !out.isNull()) {
      if (out.isIntegralNumber()) {
        b.outputShape(out.asInt());
      } else if (out.isArray() && out.size() == 1 && out.get(0).isIntegralNumber()) {
        b.outputShape(out.get(0).asInt());
      } else {
        throw c.fail("'output_shape'=" + out + " is not supported: kerasj takes one integer (the output's last "
            + "dimension) or null");
      }
    }
    if (c.has("kernel_initializer")) {
      b.kernelInitializer(InitializerConfigs.fromConfig(c.raw("kernel_initializer"), c, "kernel_initializer"));
    }
    if (c.has("bias_initializer")) {
      b.biasInitializer(InitializerConfigs.fromConfig(c.raw("bias_initializer"), c, "bias_initializer"));
    }
    return b.build();
  }

  /** The Keras classes of {@link Attention} and {@link AdditiveAttention}. */
  static final List<String> SCORE_CLASSES = List.of("Attention", "AdditiveAttention");

  /** Adds an Attention's or AdditiveAttention's arguments after name, trainable and dtype, in Keras' order. */
  static void putScoreAttention(ObjectNode c, Layer layer) {
    if (layer instanceof Attention a) {
      c.put("use_scale", a.useScale());
      c.put("score_mode", a.scoreMode());
      c.put("dropout", a.dropout());
      putSeed(c, a.seed());
    } else if (layer instanceof AdditiveAttention a) {
      c.put("use_scale", a.useScale());
      c.put("dropout", a.dropout());
      putSeed(c, a.seed());
    }
  }

  private static void putSeed(ObjectNode c, Integer seed) {
    if (seed == null) {
      c.putNull("seed");
    } else {
      c.put("seed", seed);
    }
  }

  /** Whether {@code layer} is an Attention or AdditiveAttention whose calls Keras records with these kwargs. */
  static boolean isScoreAttention(Layer layer) {
    return layer instanceof Attention || layer instanceof AdditiveAttention;
  }

  /** The call kwargs Keras records for these options: {@code use_causal_mask}, {@code return_attention_scores}. */
  static void putCallKwargs(ObjectNode kwargs, Layer layer) {
    boolean causal = layer instanceof Attention a ? a.useCausalMask() : ((AdditiveAttention) layer).useCausalMask();
    boolean scores = layer instanceof Attention a ? a.returnAttentionScores()
        : ((AdditiveAttention) layer).returnAttentionScores();
    if (causal) {
      kwargs.put("use_causal_mask", true);
    }
    if (scores) {
      kwargs.put("return_attention_scores", true);
    }
  }

  /**
   * Rebuilds an Attention or AdditiveAttention from its config, {@code use_causal_mask} and
   * {@code return_attention_scores} from its calls' kwargs (one value for every call: kerasj fixes them per layer).
   */
  static Layer scoreAttention(String className, ConfigFields c, JsonNode inboundNodes) {
    boolean causal = callFlag(c, inboundNodes, "use_causal_mask");
    boolean scores = callFlag(c, inboundNodes, "return_attention_scores");
    String name = c.string("name");
    double dropout = c.number("dropout", 0.0);
    Integer seed = c.has("seed") && !c.raw("seed").isNull() ? c.integer("seed") : null;
    try {
      if (className.equals("Attention")) {
        return Attention.builder().name(name).useScale(c.bool("use_scale", false))
            .scoreMode(c.string("score_mode", Attention.DEFAULT_SCORE_MODE)).dropout(dropout).seed(seed)
            .useCausalMask(causal).returnAttentionScores(scores).build();
      }
      return AdditiveAttention.builder().name(name).useScale(c.bool("use_scale", true)).dropout(dropout).seed(seed)
          .useCausalMask(causal).returnAttentionScores(scores).build();
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  /** A boolean call argument, the same in every call (false when no call gives it). */
  private static boolean callFlag(ConfigFields c, JsonNode inboundNodes, String key) {
    Boolean value = null;
    if (inboundNodes != null && inboundNodes.isArray()) {
      for (JsonNode node : inboundNodes) {
        JsonNode v = node.path("kwargs").path(key);
        if (!v.isMissingNode() && !v.isBoolean() && !v.isNull()) {
          throw c.fail("call argument " + key + "=" + v + " is not a boolean");
        }
        boolean b = v.isBoolean() && v.booleanValue();
        if (value != null && value != b) {
          throw c.fail("the calls of this shared layer differ in " + key + "; kerasj takes one value for every call");
        }
        value = b;
      }
    }
    return value != null && value;
  }
}
