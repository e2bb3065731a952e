package dev.kerasj.data;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;

/**
 * A map over one feature, built from TF ops: it receives a whole batch ({@code [batch, ...per-example shape]}) and
 * returns the new batch. {@link Transforms} has the common ones (cast, reshape, normalization, raw bytes).
 *
 * <pre>{@code
 * FeatureFn scale = (tf, x) -> tf.math.div(tf.dtypes.cast(x, TFloat32.class), tf.constant(16f));
 * }</pre>
 *
 * <p>It runs on batches, so it must treat examples independently (element-wise ops, per-example reshapes).
 */
@FunctionalInterface
public interface FeatureFn {
  /** Returns the mapped batch; {@code tf} places ops in the model's graph, {@code batch} is the current value. */
  Operand<?> apply(Ops tf, Operand<?> batch);
}
