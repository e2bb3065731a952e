package dev.kerasj.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code CosineSimilarity(axis)} ({@code "cosine_similarity"}): minus the cosine similarity of labels and
 * predictions along {@code axis}, so that -1 means the same direction and minimising it brings the vectors together.
 * Each vector is L2-normalised as Keras does, {@code x * min(rsqrt(sum(x^2)), 1e7)}: a zero vector gives 0.
 *
 * <pre>{@code
 * model.compile(new Adam(1e-3), new CosineSimilarity());      // axis -1, Keras' default
 * model.compile(new Adam(1e-3), new CosineSimilarity(1));     // along axis 1 of [batch, d1, d2] outputs
 * }</pre>
 */
public final class CosineSimilarity extends LossFunction {
  /** Keras' default {@code axis=-1}: the last (features) axis. */
  public static final int DEFAULT_AXIS = -1;
  private final int axis;

  public CosineSimilarity() {
    this(DEFAULT_AXIS);
  }

  /** @param axis the features axis, negative counting from the end; checked against the output's rank when built */
  public CosineSimilarity(int axis) {
    this.axis = axis;
  }

  public int axis() {
    return axis;
  }

  @Override
  public String name() {
    return "cosine_similarity";
  }

  @Override
  protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
    int rank = yPred.shape().numDimensions();
    if (rank >= 0 && (axis >= rank || axis < -rank)) {
      throw new IllegalArgumentException("CosineSimilarity expects axis in [" + -rank + ", " + (rank - 1)
          + "] for predictions of rank " + rank + " (shape " + yPred.shape() + "). Received: axis=" + axis);
    }
    Operand<TFloat32> y = l2Normalize(tf, asFloat(yTrue));
    Operand<TFloat32> p = l2Normalize(tf, yPred);
    return tf.math.neg(tf.sum(tf.math.mul(y, p), tf.constant(axis)));
  }

  /** Keras' {@code ops.normalize(x, axis, order=2)}: {@code x * minimum(rsqrt(sum(square(x))), 1 / 1e-7)}. */
  private Operand<TFloat32> l2Normalize(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> squareSum = tf.sum(tf.math.square(x), tf.constant(axis), Sum.keepDims(true));
    Operand<TFloat32> invNorm = tf.math.minimum(tf.math.rsqrt(squareSum), tf.constant((float) (1.0 / 1e-7)));
    return tf.math.mul(x, invNorm);
  }
}
