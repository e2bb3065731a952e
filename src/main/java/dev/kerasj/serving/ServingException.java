package dev.kerasj.serving;

import dev.kerasj.saving.KerasjException;

/**
 * TensorFlow failed while running a signature of a {@link ServedModel} whose inputs passed every check kerasj can make
 * in Java (for example inputs whose batch sizes differ, or an op that fails on these values). The message names the
 * SavedModel directory, the signature and TensorFlow's own message.
 */
public class ServingException extends KerasjException {
  public ServingException(String message, Throwable cause) {
    super(message, cause);
  }
}
