package dev.kerasj.optimizers;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The gradient of one variable as Keras 3's TensorFlow backend hands it to {@code update_step}.
 *
 * <p>For most variables it is a dense tensor, {@link #squared()} is {@code square(value)} and {@link #absolute()}
 * {@code abs(value)}. For a table read through a lookup (Embedding), Keras receives a {@code tf.IndexedSlices} with
 * one row per lookup, and its sparse element-wise ops ({@code ops.square}, {@code ops.abs}, a product with a dense
 * tensor) work on those rows <em>before</em> duplicates are summed. {@link #squared()} and {@link #absolute()}
 * reproduce that (the sum of squared, or absolute, per-lookup rows), which is what Adam's, RMSprop's, Adagrad's,
 * Nadam's, Adadelta's and Ftrl's second moments and Adamax's norm see in Keras; {@link #value()} is always the summed
 * (dense) gradient.
 *
 * @param value the dense gradient, shaped like the variable
 * @param squared what Keras' {@code ops.square(gradient)} yields, densified
 * @param absolute what Keras' {@code ops.abs(gradient)} yields, densified
 * @param fromLookups whether Keras would see this gradient as {@code IndexedSlices} (per-lookup rows)
 */
public record Gradient(Operand<TFloat32> value, Operand<TFloat32> squared, Operand<TFloat32> absolute,
    boolean fromLookups) {}
