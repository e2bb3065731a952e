package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.BinaryFocalCrossentropy;
import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.losses.CategoricalFocalCrossentropy;
import dev.kerasj.losses.CosineSimilarity;
import dev.kerasj.losses.Hinge;
import dev.kerasj.losses.Huber;
import dev.kerasj.losses.KLDivergence;
import dev.kerasj.losses.LogCosh;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.Losses;
import dev.kerasj.losses.MeanAbsoluteError;
import dev.kerasj.losses.MeanAbsolutePercentageError;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.losses.MeanSquaredLogarithmicError;
import dev.kerasj.losses.Poisson;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.losses.SquaredHinge;
import dev.kerasj.optimizers.Adadelta;
import dev.kerasj.optimizers.Adagrad;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.AdamW;
import dev.kerasj.optimizers.Adamax;
import dev.kerasj.optimizers.Ftrl;
import dev.kerasj.optimizers.Lion;
import dev.kerasj.optimizers.Nadam;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.RMSprop;
import dev.kerasj.optimizers.SGD;
import java.util.List;

/**
 * The optimizer and loss parts of Keras 3's {@code compile_config}: {@code optimizer.get_config()} with Keras'
 * default optimizer names ({@code adam}, {@code rm_sprop}, {@code adam_w} ...), and the loss as an identifier
 * string when it has Keras' default arguments or as a serialized loss object otherwise. An optimizer's
 * {@code learning_rate} is a number or a serialized learning-rate schedule ({@link ScheduleConfigs}).
 */
final class CompileConfigs {
  static final List<String> SUPPORTED_OPTIMIZERS = List.of("SGD", "Adam", "AdamW", "RMSprop", "Adagrad",
      "Nadam", "Adamax", "Adadelta", "Ftrl", "Lion");
  static final List<String> SUPPORTED_LOSSES = List.of("MeanSquaredError", "MeanAbsoluteError",
      "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "Huber", "LogCosh", "CosineSimilarity", "Hinge",
      "SquaredHinge", "KLDivergence", "Poisson", "BinaryCrossentropy", "BinaryFocalCrossentropy",
      "CategoricalCrossentropy", "CategoricalFocalCrossentropy", "SparseCategoricalCrossentropy");

  private CompileConfigs() {}

  /**
   * Keras' serialized optimizer.
   *
   * @param learningRate the live learning rate (Keras writes the variable's float32 value, not the initial one)
   */
  static ObjectNode optimizer(Optimizer o, double learningRate) {
    ObjectNode c = KerasJson.NODES.objectNode();
    c.put("name", kerasOptimizerName(o));
    if (o.learningRateSchedule() != null) {
      c.set("learning_rate", ScheduleConfigs.write(o.learningRateSchedule()));
    } else {
      c.put("learning_rate", learningRate);
    }
    if (o.weightDecay() == null) {
      c.putNull("weight_decay");
    } else {
      c.put("weight_decay", o.weightDecay());
    }
    putNullable(c, "clipnorm", o.clipnorm());
    putNullable(c, "global_clipnorm", o.globalClipnorm());
    putNullable(c, "clipvalue", o.clipvalue());
    c.put("use_ema", o.useEma());
    c.put("ema_momentum", o.emaMomentum());
    if (o.emaOverwriteFrequency() == null) {
      c.putNull("ema_overwrite_frequency");
    } else {
      c.put("ema_overwrite_frequency", o.emaOverwriteFrequency());
    }
    c.putNull("loss_scale_factor");
    if (o.gradientAccumulationSteps() == null) {
      c.putNull("gradient_accumulation_steps");
    } else {
      c.put("gradient_accumulation_steps", o.gradientAccumulationSteps());
    }
    if (o instanceof SGD s) {
      c.put("momentum", s.momentum());
      c.put("nesterov", s.nesterov());
    } else if (o instanceof Adam a) { // AdamW too
      c.put("beta_1", a.beta1());
      c.put("beta_2", a.beta2());
      c.put("epsilon", a.epsilon());
      c.put("amsgrad", a.amsgrad());
    } else if (o instanceof RMSprop r) {
      c.put("rho", r.rho());
      c.put("momentum", r.momentum());
      c.put("epsilon", r.epsilon());
      c.put("centered", r.centered());
    } else if (o instanceof Adagrad a) {
      c.put("initial_accumulator_value", a.initialAccumulatorValue());
      c.put("epsilon", a.epsilon());
    } else if (o instanceof Nadam n) {
      c.put("beta_1", n.beta1());
      c.put("beta_2", n.beta2());
      c.put("epsilon", n.epsilon());
    } else if (o instanceof Adamax a) {
      c.put("beta_1", a.beta1());
      c.put("beta_2", a.beta2());
      c.put("epsilon", a.epsilon());
    } else if (o instanceof Adadelta a) {
      c.put("rho", a.rho());
      c.put("epsilon", a.epsilon());
    } else if (o instanceof Ftrl f) {
      c.put("learning_rate_power", f.learningRatePower());
      c.put("initial_accumulator_value", f.initialAccumulatorValue());
      c.put("l1_regularization_strength", f.l1RegularizationStrength());
      c.put("l2_regularization_strength", f.l2RegularizationStrength());
      c.put("l2_shrinkage_regularization_strength", f.l2ShrinkageRegularizationStrength());
      c.put("beta", f.beta());
    } else if (o instanceof Lion l) {
      c.put("beta_1", l.beta1());
      c.put("beta_2", l.beta2());
    } else {
      throw new IllegalArgumentException("Cannot write optimizer " + o.getClass().getName()
          + " to a Keras config. Supported: " + SUPPORTED_OPTIMIZERS);
    }
    return KerasJson.serialized("keras.optimizers", o.className(), c);
  }

  /** A number that Keras writes as null when not set. */
  private static Double nullableNumber(ConfigFields c, String key) {
    JsonNode v = c.raw(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw c.fail("'" + key + "' must be a number or null. Found: " + v);
    }
    return v.asDouble();
  }

  private static void putNullable(ObjectNode c, String key, Double value) {
    if (value == null) {
      c.putNull(key);
    } else {
      c.put(key, value);
    }
  }

  /** Keras' default optimizer name: the snake case of the class name. */
  private static String kerasOptimizerName(Optimizer o) {
    return switch (o.className()) {
      case "SGD" -> "sgd";
      case "RMSprop" -> "rm_sprop";
      case "AdamW" -> "adam_w";
      default -> o.className().toLowerCase(java.util.Locale.ROOT);
    };
  }

  static Optimizer optimizer(JsonNode node, ConfigFields compile) {
    if (node != null && node.isTextual()) {
      try {
        return dev.kerasj.optimizers.Optimizers.get(node.asText());
      } catch (IllegalArgumentException e) {
        throw compile.fail(e.getMessage());
      }
    }
    ConfigFields env = new ConfigFields(node, compile.where() + ".optimizer", compile.source());
    String cls = env.string("class_name");
    ConfigFields c = env.object("config");
    JsonNode lr = c.raw("learning_rate");
    dev.kerasj.optimizers.schedules.LearningRateSchedule schedule = null;
    if (lr != null && lr.isObject()) {
      // A schedule drives the rate; the optimizer's own learning rate (Keras' default here) is then unused.
      schedule = ScheduleConfigs.read(lr, c);
      ObjectNode rest = ((ObjectNode) env.raw("config")).deepCopy();
      rest.remove("learning_rate");
      c = new ConfigFields(rest, c.where(), c.source());
    } else if (lr != null && !lr.isNumber()) {
      throw c.fail("'learning_rate' must be a number or a serialized learning-rate schedule of "
          + ScheduleConfigs.MODULE + ". Found: " + lr);
    }
    c.requireDefault("loss_scale_factor", null);
    if (!cls.equals("Adam") && !cls.equals("AdamW")) {
      c.requireDefault("amsgrad", false);
    }
    if (!cls.equals("AdamW")) {
      c.requireDefault("weight_decay", null);
    }
    Optimizer optimizer;
    try {
      optimizer = switch (cls) {
        case "SGD" -> new SGD(c.number("learning_rate", SGD.DEFAULT_LEARNING_RATE), c.number("momentum", 0.0),
            c.bool("nesterov", false));
        case "Adam" -> new Adam(c.number("learning_rate", Adam.DEFAULT_LEARNING_RATE),
            c.number("beta_1", Adam.DEFAULT_BETA_1), c.number("beta_2", Adam.DEFAULT_BETA_2),
            c.number("epsilon", Adam.DEFAULT_EPSILON), c.bool("amsgrad", false));
        case "AdamW" -> new AdamW(c.number("learning_rate", Adam.DEFAULT_LEARNING_RATE),
            c.number("weight_decay", AdamW.DEFAULT_WEIGHT_DECAY), c.number("beta_1", Adam.DEFAULT_BETA_1),
            c.number("beta_2", Adam.DEFAULT_BETA_2), c.number("epsilon", Adam.DEFAULT_EPSILON),
            c.bool("amsgrad", false));
        case "RMSprop" -> new RMSprop(c.number("learning_rate", RMSprop.DEFAULT_LEARNING_RATE),
            c.number("rho", RMSprop.DEFAULT_RHO), c.number("momentum", 0.0),
            c.number("epsilon", RMSprop.DEFAULT_EPSILON), c.bool("centered", false));
        case "Adagrad" -> new Adagrad(c.number("learning_rate", Adagrad.DEFAULT_LEARNING_RATE),
            c.number("initial_accumulator_value", Adagrad.DEFAULT_INITIAL_ACCUMULATOR_VALUE),
            c.number("epsilon", Adagrad.DEFAULT_EPSILON));
        case "Nadam" -> new Nadam(c.number("learning_rate", Nadam.DEFAULT_LEARNING_RATE),
            c.number("beta_1", Nadam.DEFAULT_BETA_1), c.number("beta_2", Nadam.DEFAULT_BETA_2),
            c.number("epsilon", Nadam.DEFAULT_EPSILON));
        case "Adamax" -> new Adamax(c.number("learning_rate", Adamax.DEFAULT_LEARNING_RATE),
            c.number("beta_1", Adamax.DEFAULT_BETA_1), c.number("beta_2", Adamax.DEFAULT_BETA_2),
            c.number("epsilon", Adamax.DEFAULT_EPSILON));
        case "Adadelta" -> new Adadelta(c.number("learning_rate", Adadelta.DEFAULT_LEARNING_RATE),
            c.number("rho", Adadelta.DEFAULT_RHO), c.number("epsilon", Adadelta.DEFAULT_EPSILON));
        case "Ftrl" -> Ftrl.builder().learningRate(c.number("learning_rate", Ftrl.DEFAULT_LEARNING_RATE))
            .learningRatePower(c.number("learning_rate_power", Ftrl.DEFAULT_LEARNING_RATE_POWER))
            .initialAccumulatorValue(c.number("initial_accumulator_value", Ftrl.DEFAULT_INITIAL_ACCUMULATOR_VALUE))
            .l1RegularizationStrength(c.number("l1_regularization_strength", 0.0))
            .l2RegularizationStrength(c.number("l2_regularization_strength", 0.0))
            .l2ShrinkageRegularizationStrength(c.number("l2_shrinkage_regularization_strength", 0.0))
            .beta(c.number("beta", 0.0)).build();
        case "Lion" -> new Lion(c.number("learning_rate", Lion.DEFAULT_LEARNING_RATE),
            c.number("beta_1", Lion.DEFAULT_BETA_1), c.number("beta_2", Lion.DEFAULT_BETA_2));
        default -> throw env.fail("optimizer class '" + cls + "' is not supported. Supported: "
            + SUPPORTED_OPTIMIZERS);
      };
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    try {
      optimizer.setGradientClipping(nullableNumber(c, "clipnorm"), nullableNumber(c, "clipvalue"),
          nullableNumber(c, "global_clipnorm"));
      JsonNode frequency = c.raw("ema_overwrite_frequency");
      if (frequency != null && !frequency.isNull() && !(frequency.isIntegralNumber() && frequency.canConvertToInt())) {
        throw c.fail("'ema_overwrite_frequency' must be an integer or null. Found: " + frequency);
      }
      optimizer.setEma(c.bool("use_ema", false), c.number("ema_momentum", Optimizer.DEFAULT_EMA_MOMENTUM),
          frequency == null || frequency.isNull() ? null : frequency.intValue());
      Long steps = c.optionalLong("gradient_accumulation_steps");
      optimizer.setGradientAccumulationSteps(
          steps == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(steps, Integer.MAX_VALUE)));
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
    if (schedule != null) {
      optimizer.setLearningRateSchedule(schedule);
    }
    return optimizer;
  }

  /**
   * The loss: {@code "sparse_categorical_crossentropy"} for a loss with Keras' default arguments (what
   * {@code compile(loss="...")} stores), else the serialized loss object Keras stores for {@code compile(loss=obj)}.
   * Huber's {@code delta} and CosineSimilarity's {@code axis} are written when they are not Keras' defaults: Keras
   * 3.15's {@code get_config()} drops both (a Keras bug that would silently restore the default), and
   * {@code from_config} accepts them.
   */
  static JsonNode loss(Loss loss) {
    ObjectNode c = KerasJson.NODES.objectNode();
    String cls;
    if (loss instanceof SparseCategoricalCrossentropy l) {
      if (!l.fromLogits()) {
        return KerasJson.NODES.textNode(l.name());
      }
      cls = "SparseCategoricalCrossentropy";
      putNameAndReduction(c, l.name());
      c.put("from_logits", true);
      c.putNull("ignore_class");
    } else if (loss instanceof CategoricalCrossentropy l) {
      if (!l.fromLogits() && l.labelSmoothing() == 0) {
        return KerasJson.NODES.textNode(l.name());
      }
      cls = "CategoricalCrossentropy";
      putCrossentropy(c, l.name(), l.fromLogits(), l.labelSmoothing());
    } else if (loss instanceof BinaryCrossentropy l) {
      if (!l.fromLogits() && l.labelSmoothing() == 0) {
        return KerasJson.NODES.textNode(l.name());
      }
      cls = "BinaryCrossentropy";
      putCrossentropy(c, l.name(), l.fromLogits(), l.labelSmoothing());
    } else if (loss instanceof BinaryFocalCrossentropy l) {
      if (l.hasDefaultArguments()) {
        return KerasJson.NODES.textNode(l.name());
      }
      cls = "BinaryFocalCrossentropy";
      putCrossentropy(c, l.name(), l.fromLogits(), l.labelSmoothing());
      c.put("apply_class_balancing", l.applyClassBalancing());
      c.put("alpha", l.alpha());
      c.put("gamma", l.gamma());
    } else if (loss instanceof CategoricalFocalCrossentropy l) {
      if (l.hasDefaultArguments()) {
        return KerasJson.NODES.textNode(l.name());
      }
      cls = "CategoricalFocalCrossentropy";
      putCrossentropy(c, l.name(), l.fromLogits(), l.labelSmoothing());
      c.put("alpha", l.alpha());
      c.put("gamma", l.gamma());
    } else if (loss instanceof Huber h) {
      if (h.delta() == Huber.DEFAULT_DELTA) {
        return KerasJson.NODES.textNode(h.name());
      }
      cls = "Huber";
      putNameAndReduction(c, "huber_loss");
      c.put("delta", h.delta());
    } else if (loss instanceof CosineSimilarity l) {
      if (l.axis() == CosineSimilarity.DEFAULT_AXIS) {
        return KerasJson.NODES.textNode(l.name());
      }
      cls = "CosineSimilarity";
      putNameAndReduction(c, l.name());
      c.put("axis", l.axis());
    } else if (loss instanceof MeanSquaredError || loss instanceof MeanAbsoluteError
        || loss instanceof MeanAbsolutePercentageError || loss instanceof MeanSquaredLogarithmicError
        || loss instanceof LogCosh || loss instanceof Hinge || loss instanceof SquaredHinge
        || loss instanceof KLDivergence || loss instanceof Poisson) {
      return KerasJson.NODES.textNode(loss.name());
    } else {
      return CustomObjectConfigs.loss(loss, SUPPORTED_LOSSES); // a registered custom loss, or an error saying how
    }
    return KerasJson.serialized("keras.losses", cls, c);
  }

  private static void putNameAndReduction(ObjectNode c, String name) {
    c.put("name", name);
    c.put("reduction", "sum_over_batch_size");
  }

  /** Keras' {@code get_config()} of the crossentropy losses: the shared keys, in Keras' order. */
  private static void putCrossentropy(ObjectNode c, String name, boolean fromLogits, double labelSmoothing) {
    putNameAndReduction(c, name);
    c.put("from_logits", fromLogits);
    c.put("label_smoothing", labelSmoothing);
    c.put("axis", -1);
  }

  static Loss loss(JsonNode node, ConfigFields compile) {
    if (node != null && node.isTextual()) {
      try {
        return Losses.get(node.asText());
      } catch (IllegalArgumentException e) {
        throw compile.fail(e.getMessage());
      }
    }
    ConfigFields env = new ConfigFields(node, compile.where() + ".loss", compile.source());
    if (CustomObjectConfigs.isRegisteredName(node)) {
      return CustomObjectConfigs.loss(env);
    }
    String cls = env.string("class_name");
    ConfigFields c = env.has("config") ? env.object("config")
        : new ConfigFields(KerasJson.NODES.objectNode(), env.where(), env.source());
    c.requireDefault("reduction", "sum_over_batch_size");
    if (!cls.equals("CosineSimilarity")) {
      c.requireDefault("axis", -1);
    }
    c.requireDefault("ignore_class", null);
    if (cls.equals("SparseCategoricalCrossentropy")) {
      c.requireDefault("label_smoothing", 0.0); // Keras' has none; a config carrying one was edited by hand
    }
    try {
      return switch (cls) {
        case "MeanSquaredError" -> new MeanSquaredError();
        case "MeanAbsoluteError" -> new MeanAbsoluteError();
        case "MeanAbsolutePercentageError" -> new MeanAbsolutePercentageError();
        case "MeanSquaredLogarithmicError" -> new MeanSquaredLogarithmicError();
        case "Huber" -> new Huber(c.number("delta", Huber.DEFAULT_DELTA));
        case "LogCosh" -> new LogCosh();
        case "CosineSimilarity" -> new CosineSimilarity(c.has("axis") ? c.integer("axis")
            : CosineSimilarity.DEFAULT_AXIS);
        case "Hinge" -> new Hinge();
        case "SquaredHinge" -> new SquaredHinge();
        case "KLDivergence" -> new KLDivergence();
        case "Poisson" -> new Poisson();
        case "BinaryCrossentropy" -> new BinaryCrossentropy(c.bool("from_logits", false),
            c.number("label_smoothing", BinaryCrossentropy.DEFAULT_LABEL_SMOOTHING));
        case "CategoricalCrossentropy" -> new CategoricalCrossentropy(c.bool("from_logits", false),
            c.number("label_smoothing", CategoricalCrossentropy.DEFAULT_LABEL_SMOOTHING));
        case "BinaryFocalCrossentropy" -> BinaryFocalCrossentropy.builder()
            .applyClassBalancing(c.bool("apply_class_balancing", false))
            .alpha(c.number("alpha", BinaryFocalCrossentropy.DEFAULT_ALPHA))
            .gamma(c.number("gamma", BinaryFocalCrossentropy.DEFAULT_GAMMA))
            .fromLogits(c.bool("from_logits", false))
            .labelSmoothing(c.number("label_smoothing", BinaryCrossentropy.DEFAULT_LABEL_SMOOTHING)).build();
        case "CategoricalFocalCrossentropy" -> CategoricalFocalCrossentropy.builder()
            .alpha(c.number("alpha", CategoricalFocalCrossentropy.DEFAULT_ALPHA))
            .gamma(c.number("gamma", CategoricalFocalCrossentropy.DEFAULT_GAMMA))
            .fromLogits(c.bool("from_logits", false))
            .labelSmoothing(c.number("label_smoothing", CategoricalCrossentropy.DEFAULT_LABEL_SMOOTHING)).build();
        case "SparseCategoricalCrossentropy" -> new SparseCategoricalCrossentropy(c.bool("from_logits", false));
        default -> throw env.fail("loss class '" + cls + "' is not supported. Supported: " + SUPPORTED_LOSSES
            + " or their identifiers");
      };
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }
}
