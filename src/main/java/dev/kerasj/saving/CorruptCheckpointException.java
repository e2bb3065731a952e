package dev.kerasj.saving;

import java.nio.file.Path;

/**
 * A checkpoint file exists but cannot be trusted: truncated, bit-flipped (TensorFlow's crc32c caught it), half of an
 * {@code .index}/{@code .data} pair missing, or not a checkpoint at all. Nothing was written into the model.
 */
public class CorruptCheckpointException extends KerasjException {
  private final Path file;

  public CorruptCheckpointException(Path file, String message) {
    super(message);
    this.file = file;
  }

  public CorruptCheckpointException(Path file, String message, Throwable cause) {
    super(message, cause);
    this.file = file;
  }

  /** The file found corrupt (an {@code .index} or {@code .data-*} file, or a state file). */
  public Path file() {
    return file;
  }
}
