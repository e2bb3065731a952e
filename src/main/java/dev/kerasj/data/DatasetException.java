package dev.kerasj.data;

import dev.kerasj.saving.KerasjException;

/**
 * A dataset could not be read: a corrupt or truncated TFRecord, a record whose feature has another type or size
 * than its {@link Feature}, a failing source. The message names the dataset's files and TensorFlow's own report
 * (which gives the record offset or the feature key).
 */
public class DatasetException extends KerasjException {
  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
