/**
 * Weights-only TF object-based checkpoints ({@code prefix.index} + {@code prefix.data-00000-of-00001}) in Keras 3's
 * layout, readable by Python's {@code tf.train.Checkpoint}, and the {@code checkpoint} state file that
 * {@code tf.train.latest_checkpoint} reads. Entry point: {@link dev.kerasj.saving.tfcheckpoint.TfCheckpoint}.
 *
 * <p>Every bundle index, kerasj's or another's, is read and checked in Java before TensorFlow opens the bundle
 * ({@link dev.kerasj.saving.tfcheckpoint.CheckpointContents#readIndex}): TensorFlow's native reader aborts the whole
 * process on some malformed entries (a negative dimension, a rank over 254, an entry that does not parse) instead of
 * returning an error.
 */
package dev.kerasj.saving.tfcheckpoint;
