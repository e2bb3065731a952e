/**
 * Serving SavedModels that Python exported: {@link dev.kerasj.serving.ServedModel} opens a SavedModel directory
 * (Keras 3 {@code model.export()}, {@code tf.saved_model.save} of a {@code tf.Module}, and — by restoring its
 * variables through the object graph — {@code tf.saved_model.save} of a Keras 3 model), lists its signatures and
 * calls them from many threads with Java arrays or {@code NdArray}s.
 */
package dev.kerasj.serving;
