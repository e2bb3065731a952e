/**
 * Keras callbacks: {@link dev.kerasj.callbacks.Callback} (Keras' hooks) and the built-ins {@code History},
 * {@code ProgbarLogger}, {@code EarlyStopping}, {@code TerminateOnNaN}, {@code CSVLogger}, {@code LambdaCallback}.
 */
package dev.kerasj.callbacks;
