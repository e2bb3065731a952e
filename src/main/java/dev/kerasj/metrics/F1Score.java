package dev.kerasj.metrics;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code keras.metrics.F1Score}: the F1 score from true positives, false positives, false negatives and
 * label counts per class (or in total, {@code average="micro"}) accumulated over every batch since the last reset,
 * so exact over an epoch. Inputs are {@code (batch, classes)}.
 *
 * <pre>{@code
 * F1Score.builder().average(F1Score.Average.MACRO).threshold(0.5).build();
 * }</pre>
 */
public final class F1Score implements Metric {
  /** Keras' default name. */
  public static final String DEFAULT_NAME = "f1_score";

  /** Keras' {@code average}; {@link #NONE} is Keras' {@code None}: one score per class. */
  public enum Average {
    NONE,
    MICRO,
    MACRO,
    WEIGHTED;

    /** The value Keras writes in a config: null or the lower-case name. */
    public String key() {
      return this == NONE ? null : name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses Keras' {@code average}: null, "micro", "macro" or "weighted". */
    public static Average of(String key) {
      if (key == null) {
        return NONE;
      }
      return switch (key) {
        case "micro" -> MICRO;
        case "macro" -> MACRO;
        case "weighted" -> WEIGHTED;
        default -> throw new IllegalArgumentException("Invalid `average` argument value. Expected one of: "
            + "{None, 'micro', 'macro', 'weighted'}. Received: average=" + key);
      };
    }
  }

  private final String name;
  private final Average average;
  private final Double threshold;

  private F1Score(Builder b) {
    if (b.threshold != null && !(b.threshold > 0.0 && b.threshold <= 1.0)) {
      throw new IllegalArgumentException("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
          + "Received: threshold=" + b.threshold);
    }
    this.name = Objects.requireNonNull(b.name, "name");
    this.average = Objects.requireNonNull(b.average, "average");
    this.threshold = b.threshold;
  }

  /** An F1Score with Keras' defaults: {@code average=None}, {@code threshold=None}. */
  public static F1Score create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Direction direction() {
    return Direction.MAX;
  }

  public Average average() {
    return average;
  }

  /** Keras' {@code threshold}, or null: a prediction counts when it is its sample's largest (and non-zero). */
  public Double threshold() {
    return threshold;
  }

  /** One score per class with {@code average=None}, else one. */
  @Override
  public boolean scalar() {
    return average != Average.NONE;
  }

  /** {true_positives, false_positives, false_negatives, intermediate_weights}, per class or (micro) in total. */
  @Override
  @SuppressWarnings("unchecked")
  public List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return update(tf, yTrue, yPred, null);
  }

  /**
   * The same counts with Keras' sample weights: each row's contributions times its weight
   * ({@code val * expand_dims(sample_weight, 1)}) before the sums; null for none.
   */
  @Override
  @SuppressWarnings("unchecked")
  public List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred,
      Operand<TFloat32> sampleWeight) {
    if (sampleWeight != null && sampleWeight.shape().numDimensions() != 1) {
      throw new IllegalArgumentException("F1Score takes one sample weight per sample (shape (batch,)). Received "
          + "sample weights of shape " + sampleWeight.shape());
    }
    if (yPred.shape().numDimensions() != 2 || yTrue.shape().numDimensions() != 2) {
      throw new IllegalArgumentException("FBetaScore expects 2D inputs with shape (batch_size, output_dim). "
          + "Received input shapes: y_pred.shape=" + yPred.shape() + " and y_true.shape=" + yTrue.shape());
    }
    Operand<TFloat32> truth = tf.dtypes.cast(yTrue, TFloat32.class);
    Operand<TBool> positive;
    if (threshold == null) {
      Operand<TFloat32> max = tf.max(yPred, tf.constant(-1), org.tensorflow.op.core.Max.keepDims(true));
      positive = tf.math.logicalAnd(tf.math.greaterEqual(yPred, max),
          tf.math.greater(tf.math.abs(yPred), tf.constant(1e-9f)));
    } else {
      positive = tf.math.greater(yPred, tf.constant(threshold.floatValue()));
    }
    Operand<TFloat32> pred = tf.dtypes.cast(positive, TFloat32.class);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> w = sampleWeight == null ? null : tf.expandDims(sampleWeight, tf.constant(1));
    return List.of(sum(tf, tf.math.mul(pred, truth), w), sum(tf, tf.math.mul(pred, tf.math.sub(one, truth)), w),
        sum(tf, tf.math.mul(tf.math.sub(one, pred), truth), w), sum(tf, truth, w));
  }

  private Operand<TFloat32> sum(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights) {
    return sum(tf, weights == null ? x : tf.math.mul(x, weights));
  }

  private Operand<TFloat32> sum(Ops tf, Operand<TFloat32> x) {
    return average == Average.MICRO ? tf.sum(x, tf.constant(new int[] {0, 1})) : tf.sum(x, tf.constant(0));
  }

  @Override
  public double[] result(List<double[]> state) {
    double[] tp = state.get(0);
    double[] fp = state.get(1);
    double[] fn = state.get(2);
    double[] weights = state.get(3);
    double eps = Thresholds.EPSILON;
    int n = tp.length;
    double[] f1 = new double[n];
    for (int i = 0; i < n; i++) {
      double precision = tp[i] / (tp[i] + fp[i] + eps);
      double recall = tp[i] / (tp[i] + fn[i] + eps);
      f1[i] = precision * recall / (precision + recall + eps) * 2;
    }
    switch (average) {
      case NONE:
        return f1;
      case WEIGHTED: {
        double total = 0;
        for (double w : weights) {
          total += w;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
          s += f1[i] * (weights[i] / (total + eps));
        }
        return new double[] {s};
      }
      default: {
        double s = 0;
        for (double v : f1) {
          s += v;
        }
        return new double[] {s / n};
      }
    }
  }

  @Override
  public String toString() {
    return "F1Score(average=" + average.key() + ", threshold=" + threshold + ", name=" + name + ")";
  }

  /** Options of {@link F1Score}; every default is Keras'. */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private Average average = Average.NONE;
    private Double threshold;

    private Builder() {}

    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    public Builder average(Average average) {
      this.average = Objects.requireNonNull(average, "average");
      return this;
    }

    /** Keras' {@code threshold}, in (0, 1]; null (the default) takes each sample's largest prediction. */
    public Builder threshold(Double threshold) {
      this.threshold = threshold;
      return this;
    }

    /** @throws IllegalArgumentException for a threshold outside (0, 1] */
    public F1Score build() {
      return new F1Score(this);
    }
  }
}
