/**
 * Full models as TensorFlow SavedModel directories: {@link dev.kerasj.saving.savedmodel.SavedModelWriter} writes one
 * that Python TensorFlow serves ({@code tf.saved_model.load}, {@code keras.layers.TFSMLayer}, TF Serving) and that
 * {@link dev.kerasj.saving.savedmodel.SavedModelLoader} turns back into a trainable kerasj model, optimizer state
 * included, so that training resumes exactly.
 */
package dev.kerasj.saving.savedmodel;
