package dev.kerasj.callbacks;

import dev.kerasj.models.KerasModel;
import java.util.Map;

/**
 * Keras' callback hooks, all no-ops by default. Epoch and batch indices are 0-based as in Keras (file templates
 * print epochs 1-based). {@code logs} are read-only snapshots with Keras' keys ({@code loss}, {@code accuracy},
 * {@code val_loss} ...); batch logs hold running averages over the epoch so far.
 *
 * <p>A callback stops training with {@code model().setStopTraining(true)}; the loop ends after the current batch.
 * Exceptions thrown by a hook propagate out of {@code fit}: a failing callback (a save that cannot be written) is
 * never swallowed.
 */
public interface Callback {
  /**
   * Called by {@code fit} before {@link #onTrainBegin} with the model being trained: a {@link dev.kerasj.Model} (or
   * {@link dev.kerasj.Sequential}) seen through the model contract, which has everything a callback uses (weights,
   * {@code save}, {@code setStopTraining}, the learning rate ...).
   */
  default void setModel(KerasModel model) {}

  /**
   * Called by {@code fit} with the training parameters ({@code epochs}, {@code steps}, {@code verbose},
   * {@code do_validation}, {@code initial_epoch}).
   */
  default void setParams(Map<String, Object> params) {}

  default void onTrainBegin(Map<String, Double> logs) {}

  default void onTrainEnd(Map<String, Double> logs) {}

  /**
   * Called once when {@code fit} ends, however it ends; by default calls {@link #onTrainEnd(Map)}. Override this
   * one to act on how training ended (a callback holding files releases them for every outcome).
   *
   * @param logs the last epoch's logs (empty when no epoch ended)
   * @param outcome completed, stopped early, stopped on NaN, interrupted or failed
   */
  default void onTrainEnd(Map<String, Double> logs, TrainingOutcome outcome) {
    onTrainEnd(logs);
  }

  /**
   * This callback's state for a {@link BackupAndRestore} backup, as JSON-compatible values (strings, numbers,
   * booleans, null, lists and maps of those), or null (the default) when nothing needs to survive a resume. Called
   * on the training thread between steps; the backup stores it atomically with the weights.
   */
  default Map<String, Object> backupState() {
    return null;
  }

  /**
   * Restores what {@link #backupState()} returned, when {@code fit} resumes from a backup. Called after
   * {@link #onTrainBegin} and before the first resumed batch.
   */
  default void restoreBackupState(Map<String, Object> state) {}

  default void onEpochBegin(int epoch, Map<String, Double> logs) {}

  /** Logs hold the epoch's training results and, when validating, the {@code val_} results. */
  default void onEpochEnd(int epoch, Map<String, Double> logs) {}

  default void onTrainBatchBegin(int batch, Map<String, Double> logs) {}

  default void onTrainBatchEnd(int batch, Map<String, Double> logs) {}

  default void onTestBegin(Map<String, Double> logs) {}

  default void onTestEnd(Map<String, Double> logs) {}

  default void onTestBatchBegin(int batch, Map<String, Double> logs) {}

  default void onTestBatchEnd(int batch, Map<String, Double> logs) {}

  default void onPredictBegin(Map<String, Double> logs) {}

  default void onPredictEnd(Map<String, Double> logs) {}

  default void onPredictBatchBegin(int batch, Map<String, Double> logs) {}

  default void onPredictBatchEnd(int batch, Map<String, Double> logs) {}
}
