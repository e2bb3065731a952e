/**
 * Keras callbacks: {@link dev.kerasj.callbacks.Callback} (Keras' hooks, plus {@code onTrainEnd} with a
 * {@link dev.kerasj.callbacks.TrainingOutcome} and the state a backup keeps) and the built-ins {@code History},
 * {@code ProgbarLogger}, {@code EarlyStopping}, {@code TerminateOnNaN}, {@code CSVLogger}, {@code LambdaCallback},
 * {@code ModelCheckpoint}, {@code BackupAndRestore}, {@code ReduceLROnPlateau}, {@code LearningRateScheduler}.
 */
package dev.kerasj.callbacks;
