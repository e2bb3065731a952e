package dev.kerasj.metrics;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** The built-in metrics: a Keras name, a direction and a per-sample formula. */
public final class MeanMetric implements Metric {
  /** Per-sample formula of a metric. */
  @FunctionalInterface
  interface Formula {
    Operand<TFloat32> apply(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred);
  }

  private final String name;
  private final Direction direction;
  private final Formula formula;

  MeanMetric(String name, Direction direction, Formula formula) {
    this.name = Objects.requireNonNull(name);
    this.direction = direction;
    this.formula = formula;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Direction direction() {
    return direction;
  }

  @Override
  public Operand<TFloat32> values(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    return formula.apply(tf, yTrue, yPred);
  }

  /** Keras {@code sparse_categorical_accuracy}: {@code argmax(yPred) == yTrue}. */
  public static Metric sparseCategoricalAccuracy(String name) {
    return new MeanMetric(name, Direction.MAX, (tf, yTrue, yPred) -> {
      Operand<TInt64> predicted = tf.math.argMax(yPred, tf.constant(-1));
      Operand<TInt64> labels = tf.dtypes.cast(yTrue, TInt64.class);
      return tf.dtypes.cast(tf.math.equal(labels, predicted), TFloat32.class);
    });
  }

  /** Keras {@code categorical_accuracy}: {@code argmax(yPred) == argmax(yTrue)}. */
  @SuppressWarnings("unchecked")
  public static Metric categoricalAccuracy(String name) {
    return new MeanMetric(name, Direction.MAX, (tf, yTrue, yPred) -> tf.dtypes.cast(
        tf.math.equal(tf.math.argMax((Operand<TFloat32>) yTrue, tf.constant(-1)),
            tf.math.argMax(yPred, tf.constant(-1))), TFloat32.class));
  }

  /** Keras {@code binary_accuracy}: {@code mean(yTrue == (yPred > threshold), axis=-1)}. */
  @SuppressWarnings("unchecked")
  public static Metric binaryAccuracy(String name, double threshold) {
    return new MeanMetric(name, Direction.MAX, (tf, yTrue, yPred) -> {
      Operand<TFloat32> predicted = tf.dtypes.cast(tf.math.greater(yPred, tf.constant((float) threshold)),
          TFloat32.class);
      Operand<TFloat32> match = tf.dtypes.cast(tf.math.equal((Operand<TFloat32>) yTrue, predicted),
          TFloat32.class);
      return tf.math.mean(match, tf.constant(-1));
    });
  }

  /** Keras {@code mean_squared_error} metric. */
  @SuppressWarnings("unchecked")
  public static Metric meanSquaredError(String name) {
    return new MeanMetric(name, Direction.MIN, (tf, yTrue, yPred) -> tf.math.mean(
        tf.math.square(tf.math.sub((Operand<TFloat32>) yTrue, yPred)), tf.constant(-1)));
  }

  /** Keras {@code mean_absolute_error} metric. */
  @SuppressWarnings("unchecked")
  public static Metric meanAbsoluteError(String name) {
    return new MeanMetric(name, Direction.MIN, (tf, yTrue, yPred) -> tf.math.mean(
        tf.math.abs(tf.math.sub((Operand<TFloat32>) yTrue, yPred)), tf.constant(-1)));
  }
}
