package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.layers.Bidirectional;
import dev.kerasj.layers.GRU;
import dev.kerasj.layers.LSTM;
import dev.kerasj.layers.Recurrent;
import dev.kerasj.layers.SimpleRNN;
import java.util.List;

/**
 * Keras 3.15's configs of {@code SimpleRNN}, {@code LSTM} and {@code GRU} ({@code get_config()}, argument for
 * argument), and the layers rebuilt from them. Reading rejects what kerasj does not implement when it is not Keras'
 * default: {@code stateful}, regularizers, constraints, and GRU's {@code reset_after=False}. {@code unroll} is accepted
 * either way: kerasj always unrolls, with the same maths.
 */
final class RecurrentConfigs {
  static final List<String> CLASSES = List.of("SimpleRNN", "LSTM", "GRU");

  private RecurrentConfigs() {}

  /** Adds the recurrent arguments, in Keras' order, after {@code name}, {@code trainable} and {@code dtype}. */
  static void put(ObjectNode c, Recurrent r) {
    c.put("return_sequences", r.returnSequences());
    c.put("return_state", r.returnState());
    c.put("go_backwards", r.goBackwards());
    c.put("stateful", false);
    c.put("unroll", false);
    c.put("zero_output_for_mask", r.zeroOutputForMask());
    c.put("units", r.units());
    c.put("activation", LayerConfigs.activationName(r.activation()));
    if (r instanceof LSTM l) {
      c.put("recurrent_activation", LayerConfigs.activationName(l.recurrentActivation()));
    } else if (r instanceof GRU g) {
      c.put("recurrent_activation", LayerConfigs.activationName(g.recurrentActivation()));
    }
    c.put("use_bias", r.useBias());
    String owner = "layer '" + r.name() + "' ";
    c.set("kernel_initializer", InitializerConfigs.toConfig(r.kernelInitializer(), owner + "kernel_initializer"));
    c.set("recurrent_initializer",
        InitializerConfigs.toConfig(r.recurrentInitializer(), owner + "recurrent_initializer"));
    c.set("bias_initializer", InitializerConfigs.toConfig(r.biasInitializer(), owner + "bias_initializer"));
    if (r instanceof LSTM l) {
      c.put("unit_forget_bias", l.unitForgetBias());
    }
    for (String p : List.of("kernel", "recurrent", "bias")) {
      c.putNull(p + "_regularizer");
    }
    c.set("activity_regularizer", PenaltyConfigs.toConfig(r.activityRegularizer()));
    for (String p : List.of("kernel", "recurrent", "bias")) {
      c.putNull(p + "_constraint");
    }
    c.put("dropout", r.dropout());
    c.put("recurrent_dropout", r.recurrentDropout());
    if (r instanceof GRU) {
      c.put("reset_after", true);
    }
    if (!(r instanceof SimpleRNN)) {
      c.putNull("seed");
    }
  }

  /** Keras' {@code Bidirectional.get_config()}: merge mode, then both inner layers serialized with build configs. */
  static void putBidirectional(ObjectNode c, Bidirectional b) {
    c.put("merge_mode", b.mergeMode());
    c.set("layer", LayerConfigs.toConfig(b.forwardLayer()));
    c.set("backward_layer", LayerConfigs.toConfig(b.backwardLayer()));
  }

  /** Rebuilds a {@code Bidirectional} from its {@code layer} and {@code backward_layer}, as Keras' from_config. */
  static Bidirectional bidirectional(ConfigFields c, String name) {
    Recurrent forward = inner(c, "layer");
    Recurrent backward = c.has("backward_layer") ? inner(c, "backward_layer") : null;
    try {
      return new Bidirectional(forward, c.string("merge_mode", Bidirectional.DEFAULT_MERGE_MODE), name, backward);
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  private static Recurrent inner(ConfigFields c, String key) {
    ConfigFields layer = c.object(key);
    String cls = layer.string("class_name");
    if (!CLASSES.contains(cls)) {
      throw c.fail("Bidirectional wraps a recurrent layer " + CLASSES + " in kerasj. Received: " + key
          + " of class '" + cls + "'");
    }
    ConfigFields config = layer.object("config");
    return fromConfig(cls, config, config.string("name"));
  }

  /** Rebuilds a recurrent layer of Keras class {@code className} from its config. */
  static Recurrent fromConfig(String className, ConfigFields c, String name) {
    for (String p : List.of("kernel", "recurrent", "bias")) {
      c.requireDefault(p + "_regularizer", null);
      c.requireDefault(p + "_constraint", null);
    }
    c.requireDefault("stateful", false);
    Recurrent.Builder<?> b = switch (className) {
      case "SimpleRNN" -> SimpleRNN.builder(c.integer("units"));
      case "LSTM" -> LSTM.builder(c.integer("units"))
          .recurrentActivation(c.string("recurrent_activation", Recurrent.DEFAULT_RECURRENT_ACTIVATION))
          .unitForgetBias(c.bool("unit_forget_bias", true));
      case "GRU" -> {
        c.requireDefault("reset_after", true);
        yield GRU.builder(c.integer("units"))
            .recurrentActivation(c.string("recurrent_activation", Recurrent.DEFAULT_RECURRENT_ACTIVATION));
      }
      default -> throw new IllegalArgumentException("Not a recurrent layer class: " + className);
    };
    b.name(name).activation(c.string("activation", Recurrent.DEFAULT_ACTIVATION))
        .useBias(c.bool("use_bias", true))
        .returnSequences(c.bool("return_sequences", false))
        .returnState(c.bool("return_state", false))
        .goBackwards(c.bool("go_backwards", false))
        .zeroOutputForMask(c.bool("zero_output_for_mask", false))
        .dropout(c.number("dropout", 0.0))
        .recurrentDropout(c.number("recurrent_dropout", 0.0));
    if (c.has("kernel_initializer")) {
      b.kernelInitializer(InitializerConfigs.fromConfig(c.raw("kernel_initializer"), c, "kernel_initializer"));
    }
    if (c.has("recurrent_initializer")) {
      b.recurrentInitializer(
          InitializerConfigs.fromConfig(c.raw("recurrent_initializer"), c, "recurrent_initializer"));
    }
    if (c.has("bias_initializer")) {
      b.biasInitializer(InitializerConfigs.fromConfig(c.raw("bias_initializer"), c, "bias_initializer"));
    }
    if (b instanceof LSTM.Builder l) {
      return l.build();
    }
    return b instanceof GRU.Builder g ? g.build() : ((SimpleRNN.Builder) b).build();
  }
}
