package dev.kerasj.saving;

/**
 * Root of kerasj's runtime failures that are not caller misuse: an unreadable or corrupt checkpoint, a file from an
 * incompatible model, a save that could not be completed. Misuse stays {@link IllegalArgumentException} /
 * {@link IllegalStateException}; file APIs may also throw {@link java.io.IOException}.
 */
public class KerasjException extends RuntimeException {
  public KerasjException(String message) {
    super(message);
  }

  public KerasjException(String message, Throwable cause) {
    super(message, cause);
  }
}
