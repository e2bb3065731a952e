package dev.kerasj.optimizers;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The gradient of one variable as Keras 3's TensorFlow backend hands it to {@code update_step}.
 *
 * <p>For most variables it is a dense tensor and {@link #squared()} is {@code square(value)}. For a table read
 * through a lookup (Embedding), Keras receives a {@code tf.IndexedSlices} with one row per lookup, and its sparse
 * {@code ops.square} squares those rows <em>before</em> duplicates are summed. {@link #squared()} reproduces that
 * (the sum of squared per-lookup rows), which is what Adam's, RMSprop's and Adagrad's second-moment updates see in
 * Keras; {@link #value()} is always the summed (dense) gradient.
 *
 * @param value the dense gradient, shaped like the variable
 * @param squared what Keras' {@code ops.square(gradient)} yields, densified
 */
public record Gradient(Operand<TFloat32> value, Operand<TFloat32> squared) {}
