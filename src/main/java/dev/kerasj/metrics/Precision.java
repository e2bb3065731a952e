package dev.kerasj.metrics;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code keras.metrics.Precision}: the precision: {@code tp / (tp + fp)}, with true positives and {@code false_positives} counted per
 * threshold over every batch since the last reset, so exact over an epoch.
 *
 * <pre>{@code
 * Precision.builder().thresholds(0.3).name("precision_at_03").build();
 * }</pre>
 */
public final class Precision extends ConfusionMetric {
  /** Keras' default name. */
  public static final String DEFAULT_NAME = "precision";

  private Precision(Builder b) {
    super(b.name, b.thresholds, b.topK, b.classId);
  }

  /** A Precision with Keras' defaults (threshold 0.5). */
  public static Precision create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {true_positives, false_positives}, one per threshold. */
  @Override
  public List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    List<Operand<TFloat32>> c = counts(tf, yTrue, yPred);
    return List.of(c.get(0), c.get(1));
  }

  /** The same counts, each sample counting its weight (Keras' {@code update_state(..., sample_weight)}). */
  @Override
  public List<Operand<TFloat32>> update(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred,
      Operand<TFloat32> sampleWeight) {
    List<Operand<TFloat32>> c = counts(tf, yTrue, yPred, sampleWeight);
    return List.of(c.get(0), c.get(1));
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

  /** Options of {@link Precision}; every default is Keras'. */
  public static final class Builder extends ConfusionMetric.Builder<Builder> {
    private Builder() {
      super(DEFAULT_NAME);
    }

    /** @throws IllegalArgumentException for a threshold outside [0, 1] or {@code topK < 1} */
    public Precision build() {
      return new Precision(this);
    }
  }
}
