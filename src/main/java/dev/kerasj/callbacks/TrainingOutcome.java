package dev.kerasj.callbacks;

/**
 * How a {@code fit} call ended: passed to {@link Callback#onTrainEnd(java.util.Map, TrainingOutcome)} and kept on
 * the returned {@link History#outcome()}. Keras has no such value; {@code BackupAndRestore} needs it to decide
 * whether a backup may be deleted (only after {@link #COMPLETED} or {@link #STOPPED_EARLY}; keras-team/keras#21771).
 */
public enum TrainingOutcome {
  /** Every requested epoch ran. */
  COMPLETED,
  /** A callback asked to stop ({@code model.setStopTraining(true)}, such as {@link EarlyStopping}). */
  STOPPED_EARLY,
  /**
   * A callback stopped training while the logged {@code loss} was NaN or infinite ({@link TerminateOnNaN}); no backup
   * is written over the last good one.
   */
  STOPPED_ON_NAN,
  /**
   * {@link BackupAndRestore#requestInterrupt()} or SIGTERM (with {@code handleSigterm}) interrupted training: the
   * current step finished and a backup was written; rerun the same {@code fit} to continue.
   */
  INTERRUPTED,
  /** An exception is propagating out of {@code fit} (a failed save, a callback's error, bad data). */
  FAILED
}
