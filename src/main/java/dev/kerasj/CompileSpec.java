package dev.kerasj;

import dev.kerasj.losses.Loss;
import dev.kerasj.losses.Losses;
import dev.kerasj.metrics.Metric;
import dev.kerasj.metrics.Metrics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link CompileOptions} resolved against a model's outputs: one loss, loss weight and metric list per output.
 *
 * @param lossWeights null when compile gave none
 */
record CompileSpec(List<Loss> losses, List<Double> lossWeights, List<List<Metric>> metrics,
    List<List<Metric>> weightedMetrics) {

  static CompileSpec resolve(CompileOptions o, List<String> outputs, List<long[]> shapes) {
    List<Loss> losses = new ArrayList<>();
    List<Object> lossIds = perOutput(o.loss(), outputs, "loss", false);
    for (int i = 0; i < outputs.size(); i++) {
      losses.add(toLoss(lossIds.get(i), outputs.get(i)));
    }
    List<Double> weights = null;
    if (o.lossWeights() != null) {
      weights = new ArrayList<>();
      for (Object w : perOutput(o.lossWeights(), outputs, "lossWeights", true)) {
        if (!(w instanceof Number n) || !Double.isFinite(n.doubleValue())) {
          throw new IllegalArgumentException("Expected each loss weight to be a finite number. Received: " + w);
        }
        weights.add(n.doubleValue());
      }
    }
    List<List<Metric>> metrics = resolveMetrics(o.metrics(), outputs, shapes, losses, "metrics");
    List<List<Metric>> weighted = resolveMetrics(o.weightedMetrics(), outputs, shapes, losses, "weightedMetrics");
    return new CompileSpec(List.copyOf(losses), weights == null ? null : List.copyOf(weights), metrics, weighted);
  }

  private static List<List<Metric>> resolveMetrics(Object given, List<String> outputs, List<long[]> shapes,
      List<Loss> losses, String what) {
    List<List<Metric>> metrics = new ArrayList<>();
    List<Object> metricIds = metricsPerOutput(given, outputs, what);
    for (int i = 0; i < outputs.size(); i++) {
      List<Metric> resolved = new ArrayList<>();
      Set<String> names = new HashSet<>(List.of("loss"));
      Object ids = metricIds.get(i);
      for (Object m : ids == null ? List.of() : (List<?>) ids) {
        Metric metric;
        if (m instanceof String s) {
          metric = Metrics.get(s, losses.get(i), shapes.get(i));
        } else if (m instanceof Metric mm) {
          metric = mm;
        } else {
          throw new IllegalArgumentException("Expected " + what + " to be identifiers or Metric objects. Received: "
              + (m == null ? "null" : m.getClass()));
        }
        if (!names.add(metric.name())) {
          throw new IllegalArgumentException("Duplicate metric name '" + metric.name() + "' in `" + what + "`");
        }
        resolved.add(metric);
      }
      metrics.add(List.copyOf(resolved));
    }
    return List.copyOf(metrics);
  }

  private static Loss toLoss(Object id, String output) {
    if (id instanceof Loss l) {
      return l;
    }
    if (id instanceof String s) {
      return Losses.get(s);
    }
    throw new IllegalArgumentException("Expected the loss of output '" + output + "' to be a Loss or a Keras "
        + "identifier such as \"mse\". Received: " + (id == null ? "null" : id.getClass().getName()));
  }

  /** One value per output from a single value (every output), a List (in order) or a Map (by output name). */
  private static List<Object> perOutput(Object value, List<String> outputs, String what, boolean perOutputOnly) {
    if (value instanceof Map<?, ?> map) {
      return byName(map, outputs, what);
    }
    if (value instanceof List<?> list) {
      if (list.size() != outputs.size()) {
        throw new IllegalArgumentException("Expected `" + what + "` to have one entry per model output " + outputs
            + ". Received: " + list.size() + " entries");
      }
      return new ArrayList<>(list);
    }
    if (perOutputOnly && outputs.size() > 1) {
      throw new IllegalArgumentException("Expected `" + what + "` to be a List or Map with one entry per output "
          + outputs + ". Received: " + value);
    }
    List<Object> same = new ArrayList<>();
    outputs.forEach(o -> same.add(value));
    return same;
  }

  private static List<Object> byName(Map<?, ?> map, List<String> outputs, String what) {
    for (Object k : map.keySet()) {
      if (!outputs.contains(k)) {
        throw new IllegalArgumentException("In `" + what + "`, key '" + k + "' does not correspond to any model "
            + "output. Received: " + what + " keys " + map.keySet() + "; expected some of " + outputs);
      }
    }
    List<Object> out = new ArrayList<>();
    outputs.forEach(o -> out.add(map.get(o)));
    return out;
  }

  /** Metrics: a flat list applies to the only output; several outputs take a List of lists or a Map of lists. */
  private static List<Object> metricsPerOutput(Object metrics, List<String> outputs, String what) {
    if (metrics instanceof Map<?, ?> map) {
      List<Object> out = byName(map, outputs, what);
      for (int i = 0; i < out.size(); i++) {
        Object v = out.get(i);
        out.set(i, v == null || v instanceof List<?> ? v : List.of(v));
      }
      return out;
    }
    if (metrics instanceof String || metrics instanceof Metric) {
      // Builder.metrics("accuracy") binds to metrics(Object), not to the varargs form: one metric, not a structure.
      metrics = List.of(metrics);
    }
    if (!(metrics instanceof List<?> list)) {
      throw new IllegalArgumentException("Expected `" + what + "` to be a List or a Map. Received: "
          + metrics.getClass().getName());
    }
    if (outputs.size() == 1) {
      return java.util.Collections.singletonList(list);
    }
    if (list.isEmpty()) {
      List<Object> none = new ArrayList<>();
      outputs.forEach(o -> none.add(List.of()));
      return none;
    }
    if (list.size() != outputs.size() || !list.stream().allMatch(m -> m == null || m instanceof List<?>)) {
      throw new IllegalArgumentException("For a model of several outputs " + outputs + ", expected `" + what + "` to be "
          + "a Map of lists by output name or a List of one list per output. Received: " + list);
    }
    return new ArrayList<>(list);
  }
}
