/**
 * Weights-only TF object-based checkpoints ({@code prefix.index} + {@code prefix.data-00000-of-00001}) in Keras 3's
 * layout, readable by Python's {@code tf.train.Checkpoint}, and the {@code checkpoint} state file that
 * {@code tf.train.latest_checkpoint} reads. Entry point: {@link dev.kerasj.saving.tfcheckpoint.TfCheckpoint}.
 */
package dev.kerasj.saving.tfcheckpoint;
