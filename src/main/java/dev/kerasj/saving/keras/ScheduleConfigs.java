package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.optimizers.schedules.CosineDecay;
import dev.kerasj.optimizers.schedules.CosineDecayRestarts;
import dev.kerasj.optimizers.schedules.ExponentialDecay;
import dev.kerasj.optimizers.schedules.InverseTimeDecay;
import dev.kerasj.optimizers.schedules.LearningRateSchedule;
import dev.kerasj.optimizers.schedules.PiecewiseConstantDecay;
import dev.kerasj.optimizers.schedules.PolynomialDecay;
import java.util.List;

/**
 * An optimizer's {@code learning_rate} when it is a schedule: Keras 3.15 stores
 * {@code serialize_keras_object(schedule)}, {@code {"module": "keras.optimizers.schedules", "class_name":
 * "CosineDecay", "config": {...}, "registered_name": null}}, with {@code get_config()}'s keys in its order.
 */
final class ScheduleConfigs {
  static final String MODULE = "keras.optimizers.schedules";
  static final List<String> SUPPORTED = List.of("ExponentialDecay", "PiecewiseConstantDecay", "PolynomialDecay",
      "InverseTimeDecay", "CosineDecay", "CosineDecayRestarts");

  private ScheduleConfigs() {}

  static ObjectNode write(LearningRateSchedule schedule) {
    ObjectNode c = KerasJson.NODES.objectNode();
    String cls;
    if (schedule instanceof ExponentialDecay s) {
      cls = "ExponentialDecay";
      c.put("initial_learning_rate", s.initialLearningRate());
      c.put("decay_steps", s.decaySteps());
      c.put("decay_rate", s.decayRate());
      c.put("staircase", s.staircase());
    } else if (schedule instanceof PiecewiseConstantDecay s) {
      cls = "PiecewiseConstantDecay";
      ArrayNode b = c.putArray("boundaries");
      for (long x : s.boundaries()) {
        b.add(x);
      }
      ArrayNode v = c.putArray("values");
      for (double x : s.values()) {
        v.add(x);
      }
    } else if (schedule instanceof PolynomialDecay s) {
      cls = "PolynomialDecay";
      c.put("initial_learning_rate", s.initialLearningRate());
      c.put("decay_steps", s.decaySteps());
      c.put("end_learning_rate", s.endLearningRate());
      c.put("power", s.power());
      c.put("cycle", s.cycle());
    } else if (schedule instanceof InverseTimeDecay s) {
      cls = "InverseTimeDecay";
      c.put("initial_learning_rate", s.initialLearningRate());
      c.put("decay_steps", s.decaySteps());
      c.put("decay_rate", s.decayRate());
      c.put("staircase", s.staircase());
    } else if (schedule instanceof CosineDecay s) {
      cls = "CosineDecay";
      c.put("initial_learning_rate", s.initialLearningRate());
      c.put("decay_steps", s.decaySteps());
      c.put("alpha", s.alpha());
      c.put("name", s.name());
      if (s.warmupTarget() == null) {
        c.putNull("warmup_target");
      } else {
        c.put("warmup_target", s.warmupTarget());
      }
      c.put("warmup_steps", s.warmupSteps());
      return KerasJson.serialized(MODULE, cls, c);
    } else if (schedule instanceof CosineDecayRestarts s) {
      cls = "CosineDecayRestarts";
      c.put("initial_learning_rate", s.initialLearningRate());
      c.put("first_decay_steps", s.firstDecaySteps());
      c.put("t_mul", s.tMul());
      c.put("m_mul", s.mMul());
      c.put("alpha", s.alpha());
    } else {
      throw new IllegalArgumentException("Cannot write learning-rate schedule " + schedule.getClass().getName()
          + " to a Keras config. Supported: " + SUPPORTED);
    }
    c.put("name", schedule.name());
    return KerasJson.serialized(MODULE, cls, c);
  }

  /** Reads Keras' serialized schedule; {@code optimizer} is the optimizer's {@code config}, for messages. */
  static LearningRateSchedule read(JsonNode node, ConfigFields optimizer) {
    ConfigFields env = new ConfigFields(node, optimizer.where() + ".learning_rate", optimizer.source());
    String cls = env.string("class_name");
    String module = env.string("module", MODULE);
    if (!module.equals(MODULE) || env.has("registered_name") && !env.string("registered_name").equals(cls)) {
      throw env.fail("learning-rate schedule '" + env.string("registered_name", cls) + "' of module '" + module
          + "' is not supported (a custom schedule?). Supported: " + SUPPORTED + " of " + MODULE);
    }
    ConfigFields c = env.object("config");
    try {
      return switch (cls) {
        case "ExponentialDecay" -> new ExponentialDecay(c.number("initial_learning_rate"), steps(c, "decay_steps"),
            c.number("decay_rate"), c.bool("staircase", false), c.string("name", "ExponentialDecay"));
        case "PiecewiseConstantDecay" -> new PiecewiseConstantDecay(c.longs("boundaries"), numbers(c, "values"),
            c.string("name", "PiecewiseConstant"));
        case "PolynomialDecay" -> PolynomialDecay.builder(c.number("initial_learning_rate"), steps(c, "decay_steps"))
            .endLearningRate(c.number("end_learning_rate", PolynomialDecay.DEFAULT_END_LEARNING_RATE))
            .power(c.number("power", PolynomialDecay.DEFAULT_POWER)).cycle(c.bool("cycle", false))
            .name(c.string("name", PolynomialDecay.DEFAULT_NAME)).build();
        case "InverseTimeDecay" -> new InverseTimeDecay(c.number("initial_learning_rate"), steps(c, "decay_steps"),
            c.number("decay_rate"), c.bool("staircase", false), c.string("name", InverseTimeDecay.DEFAULT_NAME));
        case "CosineDecay" -> {
          CosineDecay.Builder b = CosineDecay.builder(c.number("initial_learning_rate"), steps(c, "decay_steps"))
              .alpha(c.number("alpha", CosineDecay.DEFAULT_ALPHA)).name(c.string("name", CosineDecay.DEFAULT_NAME));
          if (c.has("warmup_target")) {
            b.warmupTarget(c.number("warmup_target"));
          }
          yield b.warmupSteps(c.has("warmup_steps") ? steps(c, "warmup_steps") : 0).build();
        }
        case "CosineDecayRestarts" -> CosineDecayRestarts.builder(c.number("initial_learning_rate"),
                steps(c, "first_decay_steps"))
            .tMul(c.number("t_mul", CosineDecayRestarts.DEFAULT_T_MUL))
            .mMul(c.number("m_mul", CosineDecayRestarts.DEFAULT_M_MUL))
            .alpha(c.number("alpha", CosineDecayRestarts.DEFAULT_ALPHA))
            .name(c.string("name", CosineDecayRestarts.DEFAULT_NAME)).build();
        default -> throw env.fail("learning-rate schedule class '" + cls + "' is not supported. Supported: "
            + SUPPORTED);
      };
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  /** A step count: Keras takes any number; kerasj counts whole steps, so 20 and 20.0 are read, 20.5 is not. */
  private static long steps(ConfigFields c, String key) {
    double v = c.number(key);
    if (v != Math.rint(v) || Math.abs(v) > 1L << 53) {
      throw c.fail("expected '" + key + "' to be a whole number of steps. Found: " + c.raw(key));
    }
    return (long) v;
  }

  private static double[] numbers(ConfigFields c, String key) {
    JsonNode v = c.raw(key);
    if (v == null || !v.isArray()) {
      throw c.fail("expected '" + key + "' to be a list of numbers. Found: " + v);
    }
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      if (!v.get(i).isNumber()) {
        throw c.fail("expected '" + key + "' to be a list of numbers. Found: " + v);
      }
      out[i] = v.get(i).asDouble();
    }
    return out;
  }
}
