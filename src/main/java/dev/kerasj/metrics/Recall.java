package dev.kerasj.metrics;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code keras.metrics.Recall}: the recall: {@code tp / (tp + fn)}, with true positives and {@code false_negatives} counted per
 * threshold over every batch since the last reset, so exact over an epoch.
 *
 * <pre>{@code
 * Recall.builder().thresholds(0.3).name("recall_at_03").build();
 * }</pre>
 */
public final class Recall extends ConfusionMetric {
  /** Keras' default name. */
  public static final String DEFAULT_NAME = "recall";

  private Recall(Builder b) {
    super(b.name, b.thresholds, b.topK, b.classId);
  }

  /** A Recall with Keras' defaults (threshold 0.5). */
  public static Recall create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {true_positives, false_negatives}, one per threshold. */
  @Override
  public List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    List<Operand<TFloat32>> c = counts(tf, yTrue, yPred);
    return List.of(c.get(0), c.get(3));
  }

  /** The same counts, each sample counting its weight (Keras' {@code update_state(..., sample_weight)}). */
  @Override
  public List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred,
      Operand<TFloat32> sampleWeight) {
    List<Operand<TFloat32>> c = counts(tf, yTrue, yPred, sampleWeight);
    return List.of(c.get(0), c.get(3));
  }

  @Override
  public double[] result(List<double[]> state) {
    double[] tp = state.get(0);
    double[] other = state.get(1);
    double[] out = new double[tp.length];
    for (int i = 0; i < tp.length; i++) {
      out[i] = Thresholds.divideNoNan(tp[i], tp[i] + other[i]);
    }
    return out;
  }

  /** Options of {@link Recall}; every default is Keras'. */
  public static final class Builder extends ConfusionMetric.Builder<Builder> {
    private Builder() {
      super(DEFAULT_NAME);
    }

    /** @throws IllegalArgumentException for a threshold outside [0, 1] or {@code topK < 1} */
    public Recall build() {
      return new Recall(this);
    }
  }
}
