package dev.kerasj;

import dev.kerasj.losses.Loss;
import dev.kerasj.optimizers.Optimizer;
import java.util.List;
import java.util.Map;

/**
 * Everything Keras' {@code compile} takes: the optimizer and loss (required), metrics and loss weights. Each may be
 * a Keras identifier or an object; for a model of several outputs, losses, metrics and loss weights may be given per
 * output as a {@code List} in output order or a {@code Map} keyed by output name (Keras 3's list and dict forms).
 *
 * <pre>{@code
 * model.compile(CompileOptions.builder(new SGD(0.05), Map.of("digit", "sparse_categorical_crossentropy", "value", "mse"))
 *     .lossWeights(Map.of("digit", 1.0, "value", 0.5))
 *     .metrics(Map.of("digit", List.of("accuracy"), "value", List.of("mae")))
 *     .build());
 * }</pre>
 *
 * @param optimizer an {@link Optimizer} or identifier ({@code "adam"})
 * @param loss a {@link Loss} or identifier for every output, or a per-output {@code List} or {@code Map} of them
 * @param metrics a {@code List} of metrics (for a single output), or per output a {@code List} of lists or a
 *     {@code Map} of lists
 * @param lossWeights null (Keras' {@code None}: no weighting), or a per-output {@code List} or {@code Map} of numbers
 * @param weightedMetrics Keras' {@code weighted_metrics}: metrics that {@code fit} and {@code evaluate} weight by the
 *     sample (or class) weights, in the forms {@code metrics} takes; {@code metrics} stay unweighted, as in Keras 3
 */
public record CompileOptions(Object optimizer, Object loss, Object metrics, Object lossWeights,
    Object weightedMetrics) {
  public CompileOptions {
    if (optimizer == null || loss == null) {
      throw new IllegalArgumentException(
          "compile needs an optimizer and a loss. Received: optimizer=" + optimizer + ", loss=" + loss);
    }
    if (!(optimizer instanceof Optimizer) && !(optimizer instanceof String)) {
      throw new IllegalArgumentException("Expected the optimizer to be an Optimizer or a Keras identifier such as "
          + "\"adam\". Received: " + optimizer.getClass().getName());
    }
    metrics = metrics == null ? List.of() : metrics;
    weightedMetrics = weightedMetrics == null ? List.of() : weightedMetrics;
  }

  /** Options without weighted metrics. */
  public CompileOptions(Object optimizer, Object loss, Object metrics, Object lossWeights) {
    this(optimizer, loss, metrics, lossWeights, List.of());
  }

  /** Starts options with the two values compile requires. */
  public static Builder builder(Object optimizer, Object loss) {
    return new Builder(optimizer, loss);
  }

  /** Builds {@link CompileOptions}; {@link #build()} checks the optimizer and loss. */
  public static final class Builder {
    private final Object optimizer;
    private final Object loss;
    private Object metrics = List.of();
    private Object lossWeights;
    private Object weightedMetrics = List.of();

    private Builder(Object optimizer, Object loss) {
      this.optimizer = optimizer;
      this.loss = loss;
    }

    /** Metrics: a {@code List} for one output, or per output a {@code List} of lists or {@code Map} of lists. */
    public Builder metrics(Object metrics) {
      this.metrics = metrics;
      return this;
    }

    /** Metrics of a single-output model. */
    public Builder metrics(Object... metrics) {
      this.metrics = List.of(metrics);
      return this;
    }

    /** Loss weights per output: a {@code List} of numbers in output order or a {@code Map} by output name. */
    public Builder lossWeights(Object lossWeights) {
      if (!(lossWeights instanceof List<?>) && !(lossWeights instanceof Map<?, ?>) && lossWeights != null) {
        throw new IllegalArgumentException("Expected lossWeights to be a List or a Map of numbers. Received: "
            + lossWeights.getClass().getName());
      }
      this.lossWeights = lossWeights;
      return this;
    }

    /**
     * Keras' {@code weighted_metrics}: metrics weighted by the sample weights {@code fit} and {@code evaluate} get,
     * in the forms {@link #metrics(Object)} takes. A metric also listed in {@code metrics} for the same output logs
     * as {@code weighted_<name>} (Keras' rule); otherwise under its own name.
     */
    public Builder weightedMetrics(Object weightedMetrics) {
      this.weightedMetrics = weightedMetrics;
      return this;
    }

    /** Weighted metrics of a single-output model. */
    public Builder weightedMetrics(Object... weightedMetrics) {
      this.weightedMetrics = List.of(weightedMetrics);
      return this;
    }

    public CompileOptions build() {
      return new CompileOptions(optimizer, loss, metrics, lossWeights, weightedMetrics);
    }
  }
}
