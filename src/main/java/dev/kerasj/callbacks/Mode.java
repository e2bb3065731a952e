package dev.kerasj.callbacks;

import java.util.Locale;

/**
 * Keras' {@code mode} of the callbacks that watch a metric ({@code ModelCheckpoint}, {@code EarlyStopping},
 * {@code ReduceLROnPlateau}): whether a better value is lower ({@link #MIN}), higher ({@link #MAX}), or as the
 * monitored loss or metric declares ({@link #AUTO}, Keras' default).
 */
public enum Mode {
  AUTO,
  MIN,
  MAX;

  /** Keras' spelling, {@code "auto"}, {@code "min"} or {@code "max"}. */
  public String kerasName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses Keras' spelling.
   *
   * @param owner the callback, for the error message
   * @throws IllegalArgumentException naming the value received and the three expected
   */
  public static Mode of(String mode, String owner) {
    if (mode != null) {
      for (Mode m : values()) {
        if (m.kerasName().equals(mode)) {
          return m;
        }
      }
    }
    throw new IllegalArgumentException(owner + " mode must be one of auto, min, max. Received: mode="
        + (mode == null ? "null" : "'" + mode + "'"));
  }

  @Override
  public String toString() {
    return kerasName();
  }
}
