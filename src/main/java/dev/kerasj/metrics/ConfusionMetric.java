package dev.kerasj.metrics;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What Keras' {@link Precision} and {@link Recall} share: thresholds (default 0.5, or {@code NEG_INF} under
 * {@code top_k}), {@code top_k}, {@code class_id}, and a pair of confusion counts per threshold.
 */
public abstract sealed class ConfusionMetric implements Metric permits Precision, Recall {
  /** Keras' default threshold without {@code top_k}. */
  public static final double DEFAULT_THRESHOLD = 0.5;

  private final String name;
  private final double[] initThresholds;
  private final double[] thresholds;
  private final boolean evenly;
  private final Integer topK;
  private final Integer classId;

  ConfusionMetric(String name, double[] thresholds, Integer topK, Integer classId) {
    this.name = Objects.requireNonNull(name, "name");
    if (topK != null && topK < 1) {
      throw new IllegalArgumentException("Argument `top_k` must be a positive integer. Received: top_k=" + topK);
    }
    if (classId != null && classId < 0) {
      throw new IllegalArgumentException("Argument `class_id` must be a non-negative integer. Received: class_id="
          + classId);
    }
    this.initThresholds = thresholds == null ? null : Thresholds.checked(thresholds);
    this.thresholds = thresholds != null ? initThresholds.clone()
        : new double[] {topK == null ? DEFAULT_THRESHOLD : Thresholds.NEG_INF};
    this.evenly = Thresholds.evenlyDistributed(this.thresholds);
    this.topK = topK;
    this.classId = classId;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Direction direction() {
    return Direction.MAX;
  }

  /** The thresholds given (null: the default). */
  public final double[] initThresholds() {
    return initThresholds == null ? null : initThresholds.clone();
  }

  /** The thresholds in use: the given ones, 0.5, or {@code -1e10} under {@code top_k}. */
  public final double[] thresholds() {
    return thresholds.clone();
  }

  /** Keras' {@code top_k}, or null. */
  public final Integer topK() {
    return topK;
  }

  /** Keras' {@code class_id}, or null. */
  public final Integer classId() {
    return classId;
  }

  /** One value per threshold; a single threshold gives a scalar, as in Keras. */
  @Override
  public final boolean scalar() {
    return thresholds.length == 1;
  }

  /** {tp, fp, tn, fn} per threshold after {@code top_k} and {@code class_id}, in Keras' order of the two. */
  final List<Operand<TFloat32>> counts(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return counts(tf, yTrue, yPred, null);
  }

  /**
   * {@link #counts(Ops, Operand, Operand)} weighted as Keras' {@code update_confusion_matrix_variables}: one weight
   * per sample ({@code [batch]}) or per step ({@code [batch, steps]}), given a last axis of 1 and broadcast over the
   * (class-sliced) predictions.
   */
  final List<Operand<TFloat32>> counts(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred,
      Operand<TFloat32> sampleWeight) {
    Thresholds.checkSameShape(getClass().getSimpleName(), yTrue, yPred);
    Operand<TFloat32> weights = Thresholds.perSampleWeights(tf, getClass().getSimpleName(), sampleWeight, yPred);
    Operand<TFloat32> truth = tf.dtypes.cast(yTrue, TFloat32.class);
    Operand<TFloat32> pred = yPred;
    if (topK != null) {
      pred = Thresholds.filterTopK(tf, pred, topK, yPred.shape().get(yPred.shape().numDimensions() - 1));
    }
    if (classId != null) {
      if (yPred.shape().numDimensions() < 2) {
        throw new IllegalArgumentException("When class_id is provided, y_pred must be a 2D array with shape "
            + "(num_samples, num_classes), found shape: " + yPred.shape());
      }
      long classes = yPred.shape().get(yPred.shape().numDimensions() - 1);
      if (classes >= 0 && classId >= classes) {
        throw new IllegalArgumentException("Argument `class_id` must be below the number of classes " + classes
            + ". Received: class_id=" + classId);
      }
      truth = Thresholds.classColumn(tf, truth, classId);
      pred = Thresholds.classColumn(tf, pred, classId);
    }
    return Thresholds.confusion(tf, truth, pred, weights, thresholds, evenly);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(name=" + name + ", thresholds="
        + (initThresholds == null ? "None" : Thresholds.format(initThresholds)) + ", top_k=" + topK + ", class_id="
        + classId + ")";
  }

  /** Options shared by {@link Precision} and {@link Recall}. */
  @SuppressWarnings("unchecked")
  abstract static class Builder<B extends Builder<B>> {
    String name;
    double[] thresholds;
    Integer topK;
    Integer classId;

    Builder(String name) {
      this.name = name;
    }

    public B name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return (B) this;
    }

    /** Keras' {@code thresholds}, each in [0, 1]; several give one result per threshold. */
    public B thresholds(double... thresholds) {
      this.thresholds = thresholds == null ? null : thresholds.clone();
      return (B) this;
    }

    /** Keras' {@code top_k}: only the top {@code k} predictions of a sample count as positive. */
    public B topK(int topK) {
      this.topK = topK;
      return (B) this;
    }

    /** Keras' {@code class_id}: only this class (last axis) counts. */
    public B classId(int classId) {
      this.classId = classId;
      return (B) this;
    }
  }
}
