package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.activations.Activations;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Initializer;
import dev.kerasj.layers.Activation;
import dev.kerasj.layers.Add;
import dev.kerasj.layers.Average;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Maximum;
import dev.kerasj.layers.Merge;
import dev.kerasj.layers.Minimum;
import dev.kerasj.layers.Multiply;
import dev.kerasj.layers.Subtract;
import dev.kerasj.layers.AveragePooling2D;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.AveragePooling1D;
import dev.kerasj.layers.Conv1D;
import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.GlobalMaxPooling1D;
import dev.kerasj.layers.GlobalMaxPooling2D;
import dev.kerasj.layers.LayerNormalization;
import dev.kerasj.layers.MaxPooling1D;
import dev.kerasj.layers.Masking;
import dev.kerasj.layers.MultiHeadAttention;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.GlobalAveragePooling2D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.MaxPooling2D;
import dev.kerasj.layers.Reshape;
import dev.kerasj.layers.Weight;
import dev.kerasj.regularizers.Regularizer;
import java.util.List;

/**
 * One layer's Keras 3.15 config, written argument for argument as {@code layer.get_config()} gives it (measured
 * against Keras, see {@code python-interop/make_config_fixtures.py}), and read back into a kerasj layer.
 *
 * <p>Reading rejects every Keras argument kerasj does not implement when it holds a non-default value
 * ({@code dilation_rate}, {@code lora_rank} ...), so a Keras config never loads as a different model. Regularizers and
 * constraints are read and written by {@link PenaltyConfigs}.
 */
final class LayerConfigs {
  private static final String MODULE = "keras.layers";
  /** Layer classes this reader rebuilds. */
  static final List<String> SUPPORTED = List.of("InputLayer", "Dense", "Conv2D", "BatchNormalization",
      "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "Dropout", "Flatten", "Reshape", "Activation",
      "Embedding", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Conv1D",
      "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
      "LayerNormalization", "Masking", "MultiHeadAttention", "SimpleRNN", "LSTM", "GRU", "Bidirectional",
      "Attention", "AdditiveAttention");

  private LayerConfigs() {}

  /** The InputLayer entry Keras puts first in a Sequential's {@code layers}. */
  static ObjectNode inputLayer(String name, long[] shape, boolean int32) {
    ObjectNode c = KerasJson.NODES.objectNode();
    c.set("batch_shape", KerasJson.batchShape(shape));
    c.put("dtype", int32 ? "int32" : "float32");
    c.put("sparse", false);
    c.put("ragged", false);
    c.put("name", name);
    c.put("optional", false);
    return KerasJson.serialized(MODULE, "InputLayer", c);
  }

  /** Keras' serialized form of a built layer, with {@code build_config} where Keras writes one. */
  static ObjectNode toConfig(Layer layer) {
    ObjectNode c = KerasJson.NODES.objectNode();
    c.put("name", layer.name());
    c.put("trainable", layer.trainable());
    c.set("dtype", KerasJson.float32Policy());
    if (layer.activityRegularizer() != null) {
      // Keras' base Layer.get_config puts a set activity_regularizer here; a layer that lists the key itself keeps
      // this position.
      c.set("activity_regularizer", PenaltyConfigs.toConfig(layer.activityRegularizer()));
    }
    boolean buildConfig = true;
    if (layer instanceof Merge) {
      if (layer instanceof Concatenate cat) {
        c.put("axis", cat.axis()); // Keras' Concatenate.get_config; the other merge layers add nothing
      }
    } else if (layer instanceof Dense d) {
      c.put("units", d.units());
      c.put("activation", activationName(d.activation()));
      c.put("use_bias", d.useBias());
      putKernelAndBias(c, layer);
      PenaltyConfigs.putRegularizers(c, layer, "kernel", "bias");
      PenaltyConfigs.putConstraints(c, layer, "kernel", "bias");
      c.putNull("quantization_config");
    } else if (layer instanceof Conv2D conv) {
      c.put("filters", conv.filters());
      c.set("kernel_size", KerasJson.ints(conv.kernelSize()));
      c.set("strides", KerasJson.ints(conv.strides()));
      c.put("padding", conv.padding().kerasName());
      c.put("data_format", "channels_last");
      c.set("dilation_rate", KerasJson.ints(1, 1));
      c.put("groups", 1);
      c.put("activation", activationName(conv.activation()));
      c.put("use_bias", conv.useBias());
      putKernelAndBias(c, layer);
      PenaltyConfigs.putRegularizers(c, layer, "kernel", "bias");
      c.set("activity_regularizer", PenaltyConfigs.toConfig(layer.activityRegularizer()));
      PenaltyConfigs.putConstraints(c, layer, "kernel", "bias");
    } else if (layer instanceof dev.kerasj.layers.Recurrent r) {
      RecurrentConfigs.put(c, r);
    } else if (layer instanceof dev.kerasj.layers.Bidirectional b) {
      RecurrentConfigs.putBidirectional(c, b);
    } else if (layer instanceof Conv1D conv) {
      c.put("filters", conv.filters());
      c.set("kernel_size", KerasJson.ints(conv.kernelSize()));
      c.set("strides", KerasJson.ints(conv.strides()));
      c.put("padding", conv.padding());
      c.put("data_format", "channels_last");
      c.set("dilation_rate", KerasJson.ints(conv.dilationRate()));
      c.put("groups", 1);
      c.put("activation", activationName(conv.activation()));
      c.put("use_bias", conv.useBias());
      putKernelAndBias(c, layer);
      PenaltyConfigs.putRegularizers(c, layer, "kernel", "bias");
      c.set("activity_regularizer", PenaltyConfigs.toConfig(layer.activityRegularizer()));
      PenaltyConfigs.putConstraints(c, layer, "kernel", "bias");
    } else if (layer instanceof MaxPooling1D p) {
      putPooling(c, new int[] {p.poolSize()}, new int[] {p.strides()}, p.padding().kerasName());
      buildConfig = false;
    } else if (layer instanceof AveragePooling1D p) {
      putPooling(c, new int[] {p.poolSize()}, new int[] {p.strides()}, p.padding().kerasName());
      buildConfig = false;
    } else if (layer instanceof GlobalAveragePooling1D || layer instanceof GlobalMaxPooling1D
        || layer instanceof GlobalMaxPooling2D) {
      c.put("data_format", "channels_last");
      c.put("keepdims", false);
      buildConfig = false;
    } else if (layer instanceof LayerNormalization ln) {
      putLayerNormalization(c, ln);
    } else if (layer instanceof Masking m) {
      c.put("mask_value", m.maskValue());
      buildConfig = false;
    } else if (layer instanceof MultiHeadAttention mha) {
      AttentionConfigs.put(c, mha);
      buildConfig = false; // its build_config is a shapes_dict, set below
    } else if (AttentionConfigs.isScoreAttention(layer)) {
      AttentionConfigs.putScoreAttention(c, layer);
    } else if (layer instanceof BatchNormalization bn) {
      putBatchNormalization(c, bn);
    } else if (layer instanceof MaxPooling2D p) {
      putPooling(c, p.poolSize(), p.strides(), p.padding().kerasName());
      buildConfig = false;
    } else if (layer instanceof AveragePooling2D p) {
      putPooling(c, p.poolSize(), p.strides(), p.padding().kerasName());
      buildConfig = false;
    } else if (layer instanceof GlobalAveragePooling2D) {
      c.put("data_format", "channels_last");
      c.put("keepdims", false);
      buildConfig = false;
    } else if (layer instanceof Dropout d) {
      c.put("rate", d.rate());
      c.putNull("seed");
      c.putNull("noise_shape");
      buildConfig = false;
    } else if (layer instanceof Activation a) {
      c.put("activation", activationName(a.activation()));
      buildConfig = false;
    } else if (layer instanceof Flatten) {
      c.put("data_format", "channels_last");
    } else if (layer instanceof Reshape r) {
      c.set("target_shape", KerasJson.longs(r.targetShape()));
      buildConfig = false;
    } else if (layer instanceof Embedding e) {
      c.put("input_dim", e.inputDim());
      c.put("output_dim", e.outputDim());
      c.set("embeddings_initializer", InitializerConfigs.toConfig(weight(layer, "embeddings").initializer(),
          "layer '" + layer.name() + "' embeddings_initializer"));
      PenaltyConfigs.putRegularizers(c, layer, "embeddings");
      c.set("activity_regularizer", PenaltyConfigs.toConfig(layer.activityRegularizer()));
      PenaltyConfigs.putConstraints(c, layer, "embeddings");
      c.put("mask_zero", e.maskZero());
      c.putNull("quantization_config");
    } else {
      return CustomObjectConfigs.layer(layer, c, SUPPORTED); // a registered custom layer, or an error saying how
    }
    ObjectNode out = KerasJson.serialized(MODULE, layer.className(), c);
    if (buildConfig) {
      ObjectNode build = KerasJson.NODES.objectNode();
      if (layer instanceof Merge || AttentionConfigs.isScoreAttention(layer)) {
        // Built on the list of its inputs' shapes: [[null, 16], [null, 16]].
        com.fasterxml.jackson.databind.node.ArrayNode shapes = build.putArray("input_shape");
        layer.inputShapes().forEach(s -> shapes.add(KerasJson.batchShape(s)));
      } else {
        build.set("input_shape", KerasJson.batchShape(layer.inputShape()));
      }
      out.set("build_config", build);
    }
    if (layer instanceof MultiHeadAttention mha) {
      out.set("build_config", AttentionConfigs.buildConfig(mha));
    }
    if ((layer instanceof dev.kerasj.layers.Recurrent || layer instanceof dev.kerasj.layers.Bidirectional)
        && layer.inputShapes() != null
        && layer.inputShapes().size() > 1) {
      // Built with layer(x, initial_state=[...]): Keras' build(sequences_shape, initial_state_shape).
      ObjectNode shapes = KerasJson.NODES.objectNode();
      shapes.set("sequences_shape", KerasJson.batchShape(layer.inputShapes().get(0)));
      com.fasterxml.jackson.databind.node.ArrayNode states = shapes.putArray("initial_state_shape");
      layer.inputShapes().subList(1, layer.inputShapes().size())
          .forEach(shape -> states.add(KerasJson.batchShape(shape)));
      ObjectNode build = KerasJson.NODES.objectNode();
      build.set("shapes_dict", shapes);
      out.set("build_config", build);
    }
    return out;
  }

  private static void putKernelAndBias(ObjectNode c, Layer layer) {
    c.set("kernel_initializer", InitializerConfigs.toConfig(weight(layer, "kernel").initializer(),
        "layer '" + layer.name() + "' kernel_initializer"));
    Weight bias = layer.weights().stream().filter(w -> w.name().equals("bias")).findFirst().orElse(null);
    // Without a bias the initializer is never used; Keras still writes its default.
    Initializer biasInit = bias == null ? Constant.zeros() : bias.initializer();
    c.set("bias_initializer", InitializerConfigs.toConfig(biasInit, "layer '" + layer.name() + "' bias_initializer"));
  }

  private static void putBatchNormalization(ObjectNode c, BatchNormalization bn) {
    c.put("axis", -1);
    c.put("momentum", bn.momentum());
    c.put("epsilon", bn.epsilon());
    c.put("center", true);
    c.put("scale", true);
    c.set("beta_initializer", InitializerConfigs.toConfig(Constant.zeros(), "beta_initializer"));
    c.set("gamma_initializer", InitializerConfigs.toConfig(Constant.ones(), "gamma_initializer"));
    c.set("moving_mean_initializer", InitializerConfigs.toConfig(Constant.zeros(), "moving_mean_initializer"));
    c.set("moving_variance_initializer", InitializerConfigs.toConfig(Constant.ones(), "moving_variance_initializer"));
    PenaltyConfigs.putRegularizers(c, bn, "beta", "gamma");
    PenaltyConfigs.putConstraints(c, bn, "beta", "gamma");
    c.put("synchronized", false);
    c.put("renorm", false);
    c.putNull("renorm_clipping");
    c.put("renorm_momentum", 0.99);
  }

  private static void putLayerNormalization(ObjectNode c, LayerNormalization ln) {
    c.set("axis", KerasJson.ints(-1)); // Keras' build() turns axis=-1 into [-1]; a saved layer is built
    c.put("epsilon", ln.epsilon());
    c.put("center", ln.center());
    c.put("scale", ln.scale());
    c.put("rms_scaling", false);
    c.set("beta_initializer", InitializerConfigs.toConfig(ln.betaInitializer(), "layer '" + ln.name()
        + "' beta_initializer"));
    c.set("gamma_initializer", InitializerConfigs.toConfig(ln.gammaInitializer(), "layer '" + ln.name()
        + "' gamma_initializer"));
    c.putNull("beta_regularizer");
    c.putNull("gamma_regularizer");
    c.putNull("beta_constraint");
    c.putNull("gamma_constraint");
  }

  private static void putPooling(ObjectNode c, int[] poolSize, int[] strides, String padding) {
    c.set("pool_size", KerasJson.ints(poolSize));
    c.put("padding", padding);
    c.set("strides", KerasJson.ints(strides));
    c.put("data_format", "channels_last");
  }

  private static Weight weight(Layer layer, String name) {
    return layer.weights().stream().filter(w -> w.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("Layer '" + layer.name() + "' has no weight '" + name + "'"));
  }

  /** Keras' serialized activation name ({@code swish} is written {@code silu}, as Keras 3 does). */
  static String activationName(Activations a) {
    return a == Activations.SWISH ? "silu" : a.kerasName();
  }

  /** Rebuilds one non-input layer; the layer keeps its saved name. */
  static Layer fromConfig(String className, ConfigFields c) {
    String name = c.string("name");
    boolean trainable = c.bool("trainable", true);
    requireFloat32(c);
    c.requireDefault("data_format", "channels_last");
    Layer layer = build(className, c, name);
    // Keras' base Layer takes activity_regularizer for every layer class.
    Regularizer activity = PenaltyConfigs.regularizer(c, "activity_regularizer");
    if (activity != null) {
      layer.setActivityRegularizer(activity);
    }
    if (!trainable) {
      layer.setTrainable(false);
    }
    return layer;
  }

  private static Layer build(String className, ConfigFields c, String name) {
    try {
      return switch (className) {
        case "Dense" -> dense(c, name);
        case "Conv2D" -> conv2d(c, name);
        case "BatchNormalization" -> batchNormalization(c, name);
        case "MaxPooling2D" -> new MaxPooling2D(c.pair("pool_size"), strides(c), c.string("padding", "valid"), name);
        case "AveragePooling2D" ->
            new AveragePooling2D(c.pair("pool_size"), strides(c), c.string("padding", "valid"), name);
        case "GlobalAveragePooling2D" -> {
          c.requireDefault("keepdims", false);
          yield new GlobalAveragePooling2D(name);
        }
        case "Dropout" -> {
          c.requireDefault("noise_shape", null);
          yield new Dropout(c.number("rate"), name);
        }
        case "Flatten" -> new Flatten(name);
        case "Reshape" -> new Reshape(c.longs("target_shape"));
        case "Activation" -> new Activation(c.string("activation"), name);
        case "Embedding" -> embedding(c, name);
        case "Conv1D" -> conv1d(c, name);
        case "SimpleRNN", "LSTM", "GRU" -> RecurrentConfigs.fromConfig(className, c, name);
        case "Bidirectional" -> RecurrentConfigs.bidirectional(c, name);
        case "MaxPooling1D" -> new MaxPooling1D(single(c, "pool_size"), c.has("strides") ? single(c, "strides")
            : null, c.string("padding", "valid"), name);
        case "AveragePooling1D" -> new AveragePooling1D(single(c, "pool_size"), c.has("strides")
            ? single(c, "strides") : null, c.string("padding", "valid"), name);
        case "GlobalAveragePooling1D" -> {
          c.requireDefault("keepdims", false);
          yield new GlobalAveragePooling1D(name);
        }
        case "GlobalMaxPooling1D" -> {
          c.requireDefault("keepdims", false);
          yield new GlobalMaxPooling1D(name);
        }
        case "GlobalMaxPooling2D" -> {
          c.requireDefault("keepdims", false);
          yield new GlobalMaxPooling2D(name);
        }
        case "LayerNormalization" -> layerNormalization(c, name);
        case "Masking" -> new Masking(c.number("mask_value", Masking.DEFAULT_MASK_VALUE), name);
        case "MultiHeadAttention" -> AttentionConfigs.build(c, name, false);
        case "Attention", "AdditiveAttention" -> AttentionConfigs.scoreAttention(className, c, null);
        case "Add" -> new Add(name);
        case "Subtract" -> new Subtract(name);
        case "Multiply" -> new Multiply(name);
        case "Average" -> new Average(name);
        case "Maximum" -> new Maximum(name);
        case "Minimum" -> new Minimum(name);
        case "Concatenate" -> new Concatenate(c.has("axis") ? c.integer("axis") : Concatenate.DEFAULT_AXIS, name);
        default -> CustomObjectConfigs.layer(className, c, SUPPORTED); // "package>name", or an error saying how
      };
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  /**
   * Rejects a {@code dtype} other than float32, the only one kerasj computes in (Keras' default policy): a name
   * ({@code "float32"}) or a {@code DTypePolicy} object ({@code {"class_name": "DTypePolicy", "config": {"name":
   * "float32"}}}). Absent or null means Keras' default, float32.
   */
  static void requireFloat32(ConfigFields c) {
    JsonNode v = c.raw("dtype");
    if (v == null || v.isNull()) {
      return;
    }
    String policy = null;
    if (v.isTextual()) {
      policy = v.asText();
    } else if (v.isObject()) {
      String cls = v.path("class_name").asText("");
      JsonNode name = v.path("config").path("name");
      if ((cls.equals("DTypePolicy") || cls.equals("FloatDTypePolicy")) && name.isTextual()) {
        policy = name.asText();
      }
    }
    if (!"float32".equals(policy)) {
      throw c.fail("'dtype'=" + (policy != null ? "'" + policy + "'" : v.toString()) + " is not supported: kerasj "
          + "computes in float32 only (Keras' default dtype policy); float64, float16, bfloat16, mixed precision "
          + "and quantized policies are not implemented. Save the model with dtype float32");
    }
  }

  private static int[] strides(ConfigFields c) {
    return c.has("strides") ? c.pair("strides") : null;
  }

  /**
   * Refuses weight regularizers and constraints on a layer whose weights kerasj does not regularize yet (an
   * activity regularizer is read for every layer, in {@link #fromConfig}).
   */
  private static void requireNoRegularizers(ConfigFields c, String... prefixes) {
    for (String p : prefixes) {
      c.requireDefault(p + "_regularizer", null);
      c.requireDefault(p + "_constraint", null);
    }
  }

  private static Dense dense(ConfigFields c, String name) {
    c.requireDefault("quantization_config", null);
    c.requireDefault("lora_rank", null);
    Dense.Builder b = Dense.builder(c.integer("units")).name(name)
        .activation(Activations.get(c.string("activation", "linear")))
        .useBias(c.bool("use_bias", true))
        .kernelRegularizer(PenaltyConfigs.regularizer(c, "kernel_regularizer"))
        .biasRegularizer(PenaltyConfigs.regularizer(c, "bias_regularizer"))
        .kernelConstraint(PenaltyConfigs.constraint(c, "kernel_constraint"))
        .biasConstraint(PenaltyConfigs.constraint(c, "bias_constraint"));
    if (c.has("kernel_initializer")) {
      b.kernelInitializer(InitializerConfigs.fromConfig(c.raw("kernel_initializer"), c, "kernel_initializer"));
    }
    if (c.has("bias_initializer")) {
      b.biasInitializer(InitializerConfigs.fromConfig(c.raw("bias_initializer"), c, "bias_initializer"));
    }
    return b.build();
  }

  private static Conv2D conv2d(ConfigFields c, String name) {
    c.requireDefault("dilation_rate", new int[] {1, 1});
    c.requireDefault("groups", 1);
    int[] kernel = c.pair("kernel_size");
    Conv2D.Builder b = Conv2D.builder(c.integer("filters"), kernel[0], kernel[1]).name(name)
        .padding(c.string("padding", "valid"))
        .activation(c.string("activation", "linear"))
        .useBias(c.bool("use_bias", true))
        .kernelRegularizer(PenaltyConfigs.regularizer(c, "kernel_regularizer"))
        .biasRegularizer(PenaltyConfigs.regularizer(c, "bias_regularizer"))
        .kernelConstraint(PenaltyConfigs.constraint(c, "kernel_constraint"))
        .biasConstraint(PenaltyConfigs.constraint(c, "bias_constraint"));
    if (c.has("strides")) {
      int[] s = c.pair("strides");
      b.strides(s[0], s[1]);
    }
    if (c.has("kernel_initializer")) {
      b.kernelInitializer(InitializerConfigs.fromConfig(c.raw("kernel_initializer"), c, "kernel_initializer"));
    }
    if (c.has("bias_initializer")) {
      b.biasInitializer(InitializerConfigs.fromConfig(c.raw("bias_initializer"), c, "bias_initializer"));
    }
    return b.build();
  }

  /**
   * A 1-D size argument: Keras writes {@code [n]} (a one-element tuple) and accepts a bare {@code n}; a null
   * {@code strides} means the pool size.
   */
  private static Integer single(ConfigFields c, String key) {
    JsonNode v = c.raw(key);
    if (v == null || v.isNull()) {
      if (key.equals("strides")) {
        return null;
      }
      throw c.fail("expected '" + key + "' to be an integer or a list of one integer. Found: " + v);
    }
    if (v.isIntegralNumber()) {
      return v.asInt();
    }
    if (v.isArray() && v.size() == 1 && v.get(0).isIntegralNumber()) {
      return v.get(0).asInt();
    }
    throw c.fail("expected '" + key + "' to be an integer or a list of one integer. Found: " + v);
  }

  private static Conv1D conv1d(ConfigFields c, String name) {
    requireNoRegularizers(c, "kernel", "bias");
    c.requireDefault("groups", 1);
    Conv1D.Builder b = Conv1D.builder(c.integer("filters"), single(c, "kernel_size")).name(name)
        .padding(c.string("padding", "valid"))
        .activation(c.string("activation", "linear"))
        .useBias(c.bool("use_bias", true));
    if (c.has("strides")) {
      b.strides(single(c, "strides"));
    }
    if (c.has("dilation_rate")) {
      b.dilationRate(single(c, "dilation_rate"));
    }
    if (c.has("kernel_initializer")) {
      b.kernelInitializer(InitializerConfigs.fromConfig(c.raw("kernel_initializer"), c, "kernel_initializer"));
    }
    if (c.has("bias_initializer")) {
      b.biasInitializer(InitializerConfigs.fromConfig(c.raw("bias_initializer"), c, "bias_initializer"));
    }
    return b.build();
  }

  private static LayerNormalization layerNormalization(ConfigFields c, String name) {
    requireNoRegularizers(c, "beta", "gamma");
    c.requireDefault("rms_scaling", false);
    JsonNode axis = c.raw("axis");
    boolean last = axis == null || axis.isNull() || (axis.isIntegralNumber() && axis.asInt() == -1)
        || (axis.isArray() && axis.size() == 1 && axis.get(0).isIntegralNumber() && axis.get(0).asInt() == -1);
    if (!last) {
      throw c.fail("'axis'=" + axis + " is not supported: kerasj's LayerNormalization normalizes the last axis "
          + "only. Expected: -1 or [-1]");
    }
    LayerNormalization.Builder b = LayerNormalization.builder().name(name)
        .epsilon(c.number("epsilon", LayerNormalization.DEFAULT_EPSILON))
        .center(c.bool("center", true))
        .scale(c.bool("scale", true));
    if (c.has("beta_initializer")) {
      b.betaInitializer(InitializerConfigs.fromConfig(c.raw("beta_initializer"), c, "beta_initializer"));
    }
    if (c.has("gamma_initializer")) {
      b.gammaInitializer(InitializerConfigs.fromConfig(c.raw("gamma_initializer"), c, "gamma_initializer"));
    }
    return b.build();
  }

  private static BatchNormalization batchNormalization(ConfigFields c, String name) {
    c.requireDefault("axis", -1);
    c.requireDefault("center", true);
    c.requireDefault("scale", true);
    c.requireDefault("synchronized", false);
    c.requireDefault("renorm", false);
    requireInitializer(c, "beta_initializer", "Zeros", "zeros");
    requireInitializer(c, "moving_mean_initializer", "Zeros", "zeros");
    requireInitializer(c, "gamma_initializer", "Ones", "ones");
    requireInitializer(c, "moving_variance_initializer", "Ones", "ones");
    return BatchNormalization.builder().name(name)
        .momentum(c.number("momentum", BatchNormalization.DEFAULT_MOMENTUM))
        .epsilon(c.number("epsilon", BatchNormalization.DEFAULT_EPSILON))
        .betaRegularizer(PenaltyConfigs.regularizer(c, "beta_regularizer"))
        .gammaRegularizer(PenaltyConfigs.regularizer(c, "gamma_regularizer"))
        .betaConstraint(PenaltyConfigs.constraint(c, "beta_constraint"))
        .gammaConstraint(PenaltyConfigs.constraint(c, "gamma_constraint")).build();
  }

  private static void requireInitializer(ConfigFields c, String key, String className, String identifier) {
    JsonNode v = c.raw(key);
    if (v == null || v.isNull()) {
      return;
    }
    String found = v.isTextual() ? v.asText() : v.path("class_name").asText();
    if (!found.equals(className) && !found.equals(identifier)) {
      throw c.fail("'" + key + "'=" + v + " is not supported by kerasj (only Keras' default " + className + " is)");
    }
  }

  private static Embedding embedding(ConfigFields c, String name) {
    c.requireDefault("quantization_config", null);
    c.requireDefault("lora_rank", null);
    Initializer init = c.has("embeddings_initializer")
        ? InitializerConfigs.fromConfig(c.raw("embeddings_initializer"), c, "embeddings_initializer")
        : new dev.kerasj.initializers.RandomUniform();
    return Embedding.builder(c.integer("input_dim"), c.integer("output_dim")).embeddingsInitializer(init).name(name)
        .embeddingsRegularizer(PenaltyConfigs.regularizer(c, "embeddings_regularizer"))
        .embeddingsConstraint(PenaltyConfigs.constraint(c, "embeddings_constraint"))
        .maskZero(c.bool("mask_zero", Embedding.DEFAULT_MASK_ZERO)).build();
  }

  /** Rebuilds a named model input (a Functional model's InputLayer, keyed by its name). */
  static Input input(ConfigFields c, String name) {
    Input unnamed = input(c);
    return Input.of(name, unnamed.dtype(), unnamed.declaredInputShape());
  }

  /** Rebuilds the model input from an InputLayer config. */
  static Input input(ConfigFields c) {
    c.requireDefault("sparse", false);
    c.requireDefault("ragged", false);
    c.requireDefault("optional", false);
    JsonNode shape = c.raw("batch_shape");
    if (shape == null || !shape.isArray() || shape.size() < 2 || !(shape.get(0).isNull()
        || shape.get(0).isIntegralNumber())) {
      throw c.fail("expected 'batch_shape' to be [null, d1, ...] with at least one dimension after the batch. Found: "
          + shape);
    }
    long[] perSample = new long[shape.size() - 1];
    for (int i = 0; i < perSample.length; i++) {
      JsonNode d = shape.get(i + 1);
      if (!d.isIntegralNumber()) {
        throw c.fail("every dimension of 'batch_shape' after the batch must be a known integer. Found: " + shape);
      }
      perSample[i] = d.asLong();
    }
    String dtype = c.string("dtype", "float32");
    Input.DType type = switch (dtype) {
      case "float32" -> Input.DType.FLOAT32;
      case "int32" -> Input.DType.INT32;
      default -> throw c.fail("input dtype '" + dtype + "' is not supported. Supported: float32, int32");
    };
    try {
      return Input.of(type, perSample);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }
}
