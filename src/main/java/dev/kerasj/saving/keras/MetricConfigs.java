package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.metrics.AUC;
import dev.kerasj.metrics.ConfusionMetric;
import dev.kerasj.metrics.F1Score;
import dev.kerasj.metrics.Metric;
import dev.kerasj.metrics.Metrics;
import dev.kerasj.metrics.Precision;
import dev.kerasj.metrics.Recall;
import dev.kerasj.metrics.SparseTopKCategoricalAccuracy;
import dev.kerasj.metrics.TopKCategoricalAccuracy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of a {@code compile_config}, both ways: mean metrics as Keras identifiers, the stateful ones (AUC,
 * Precision, Recall, F1Score) and the top-k accuracies as serialized metric objects, exactly as Keras 3 writes
 * {@code keras.saving.serialize_keras_object(metric)}, so their arguments (thresholds, curve, k ...) survive.
 */
final class MetricConfigs {
  static final List<String> SUPPORTED_CLASSES = List.of("AUC", "Precision", "Recall", "F1Score",
      "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy");

  private MetricConfigs() {}

  /** A metric as Keras stores it in {@code compile_config.metrics}. */
  static JsonNode metric(Metric m) {
    ObjectNode c = KerasJson.NODES.objectNode();
    c.put("name", m.name());
    c.put("dtype", "float32");
    String cls;
    if (m instanceof AUC a) {
      cls = "AUC";
      c.put("num_thresholds", a.numThresholds());
      c.put("curve", a.curve().name());
      c.put("summation_method", a.summationMethod().key());
      c.put("multi_label", false);
      c.putNull("num_labels");
      c.putNull("label_weights");
      c.put("from_logits", a.fromLogits());
      double[] t = a.initThresholds();
      if (t != null) {
        ArrayNode arr = c.putArray("thresholds");
        for (double v : t) {
          arr.add(v);
        }
      }
    } else if (m instanceof ConfusionMetric p) {
      cls = m instanceof Precision ? "Precision" : "Recall";
      double[] t = p.initThresholds();
      if (t == null) {
        c.putNull("thresholds");
      } else if (t.length == 1) {
        c.put("thresholds", t[0]);
      } else {
        ArrayNode arr = c.putArray("thresholds");
        for (double v : t) {
          arr.add(v);
        }
      }
      putOptional(c, "top_k", p.topK());
      putOptional(c, "class_id", p.classId());
    } else if (m instanceof F1Score f) {
      cls = "F1Score";
      if (f.average().key() == null) {
        c.putNull("average");
      } else {
        c.put("average", f.average().key());
      }
      if (f.threshold() == null) {
        c.putNull("threshold");
      } else {
        c.put("threshold", f.threshold());
      }
    } else if (m instanceof TopKCategoricalAccuracy t) {
      cls = "TopKCategoricalAccuracy";
      c.put("k", t.k());
    } else if (m instanceof SparseTopKCategoricalAccuracy t) {
      cls = "SparseTopKCategoricalAccuracy";
      c.put("k", t.k());
    } else {
      return CustomObjectConfigs.metric(m); // a registered custom metric, else the metric's identifier
    }
    ObjectNode root = KerasJson.NODES.objectNode();
    root.put("module", "keras.metrics");
    root.put("class_name", cls);
    root.set("config", c);
    root.putNull("registered_name");
    return root;
  }

  private static void putOptional(ObjectNode c, String key, Integer v) {
    if (v == null) {
      c.putNull(key);
    } else {
      c.put(key, v);
    }
  }

  /**
   * {@code compile_config.metrics} as {@code compile} takes it: identifiers stay strings, serialized metrics become
   * {@link Metric} objects, lists and per-output dicts keep their shape.
   */
  static Object compileArgument(JsonNode node, ConfigFields compile) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isArray()) {
      List<Object> out = new ArrayList<>();
      node.forEach(n -> out.add(compileArgument(n, compile)));
      return out;
    }
    if (node.isObject() && node.has("class_name")) {
      return metric(node, compile);
    }
    if (node.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      node.fields().forEachRemaining(e -> out.put(e.getKey(), compileArgument(e.getValue(), compile)));
      return out;
    }
    throw compile.fail("metric " + node + " is not supported: expected a metric identifier ("
        + String.join(", ", Metrics.IDENTIFIERS) + ") or a serialized metric of class " + SUPPORTED_CLASSES);
  }

  /** A serialized Keras metric object. */
  static Metric metric(JsonNode node, ConfigFields compile) {
    if (CustomObjectConfigs.isRegisteredName(node)) {
      return CustomObjectConfigs.metric(node, compile);
    }
    ConfigFields env = new ConfigFields(node, compile.where() + ".metrics", compile.source());
    String cls = env.string("class_name");
    ConfigFields c = env.has("config") ? env.object("config")
        : new ConfigFields(KerasJson.NODES.objectNode(), env.where(), env.source());
    c.requireDefault("dtype", "float32");
    try {
      return switch (cls) {
        case "AUC" -> {
          c.requireDefault("multi_label", false);
          c.requireDefault("num_labels", null);
          c.requireDefault("label_weights", null);
          AUC.Builder b = AUC.builder().name(c.string("name", AUC.DEFAULT_NAME))
              .numThresholds(c.has("num_thresholds") ? c.integer("num_thresholds") : AUC.DEFAULT_NUM_THRESHOLDS)
              .curve(AUC.Curve.of(c.string("curve", "ROC")))
              .summationMethod(AUC.SummationMethod.of(c.string("summation_method", "interpolation")))
              .fromLogits(c.bool("from_logits", false));
          double[] t = thresholds(c);
          if (t != null) {
            b.thresholds(t);
          }
          yield b.build();
        }
        case "Precision", "Recall" -> {
          ConfusionMetricOptions o = new ConfusionMetricOptions(c);
          if (cls.equals("Precision")) {
            Precision.Builder b = Precision.builder().name(c.string("name", Precision.DEFAULT_NAME));
            o.apply(b);
            yield b.build();
          }
          Recall.Builder b = Recall.builder().name(c.string("name", Recall.DEFAULT_NAME));
          o.apply(b);
          yield b.build();
        }
        case "F1Score" -> {
          JsonNode avg = c.raw("average");
          JsonNode thr = c.raw("threshold");
          yield F1Score.builder().name(c.string("name", F1Score.DEFAULT_NAME))
              .average(F1Score.Average.of(avg == null || avg.isNull() ? null : avg.asText()))
              .threshold(thr == null || thr.isNull() ? null : thr.asDouble()).build();
        }
        case "TopKCategoricalAccuracy" -> new TopKCategoricalAccuracy(
            c.has("k") ? c.integer("k") : TopKCategoricalAccuracy.DEFAULT_K,
            c.string("name", TopKCategoricalAccuracy.DEFAULT_NAME));
        case "SparseTopKCategoricalAccuracy" -> {
          c.requireDefault("from_sorted_ids", false);
          yield new SparseTopKCategoricalAccuracy(
              c.has("k") ? c.integer("k") : SparseTopKCategoricalAccuracy.DEFAULT_K,
              c.string("name", SparseTopKCategoricalAccuracy.DEFAULT_NAME));
        }
        default -> throw env.fail("metric class '" + cls + "' is not supported. Supported: " + SUPPORTED_CLASSES
            + " or the identifiers " + Metrics.IDENTIFIERS);
      };
    } catch (IllegalArgumentException e) {
      throw c.fail(e.getMessage());
    }
  }

  /** {@code thresholds}: absent or null, one number, or a list. */
  private static double[] thresholds(ConfigFields c) {
    JsonNode t = c.raw("thresholds");
    if (t == null || t.isNull()) {
      return null;
    }
    if (t.isNumber()) {
      return new double[] {t.asDouble()};
    }
    if (!t.isArray()) {
      throw c.fail("expected 'thresholds' to be a number or a list of numbers. Found: " + t);
    }
    double[] out = new double[t.size()];
    for (int i = 0; i < out.length; i++) {
      if (!t.get(i).isNumber()) {
        throw c.fail("expected 'thresholds' to be a number or a list of numbers. Found: " + t);
      }
      out[i] = t.get(i).asDouble();
    }
    return out;
  }

  /** thresholds, top_k and class_id of a Precision or Recall config. */
  private record ConfusionMetricOptions(double[] thresholds, Long topK, Long classId) {
    ConfusionMetricOptions(ConfigFields c) {
      this(MetricConfigs.thresholds(c), c.optionalLong("top_k"), c.optionalLong("class_id"));
    }

    void apply(Precision.Builder b) {
      if (thresholds != null) {
        b.thresholds(thresholds);
      }
      if (topK != null) {
        b.topK(Math.toIntExact(topK));
      }
      if (classId != null) {
        b.classId(Math.toIntExact(classId));
      }
    }

    void apply(Recall.Builder b) {
      if (thresholds != null) {
        b.thresholds(thresholds);
      }
      if (topK != null) {
        b.topK(Math.toIntExact(topK));
      }
      if (classId != null) {
        b.classId(Math.toIntExact(classId));
      }
    }
  }
}
