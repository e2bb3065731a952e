package dev.kerasj.saving;

import java.nio.file.Path;

/**
 * A saved model that kerasj cannot rebuild: a directory that is not a TensorFlow SavedModel, a SavedModel that kerasj
 * did not write (no {@code assets/config.json}), or a Keras config with a layer, optimizer, loss or argument kerasj
 * does not implement. The message names the path, what was expected and what was found; no model was created.
 */
public class IncompatibleModelException extends KerasjException {
  private final Path path;

  public IncompatibleModelException(Path path, String message) {
    super(message);
    this.path = path;
  }

  public IncompatibleModelException(Path path, String message, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /** The directory or file that could not be used. */
  public Path path() {
    return path;
  }
}
