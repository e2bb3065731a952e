package dev.kerasj.layers;

/** Keras {@code padding} of convolutions and poolings: {@code "valid"} or {@code "same"}. */
public enum Padding {
  VALID,
  SAME;

  /** Parses Keras' lower-case identifier. */
  public static Padding get(String identifier) {
    return switch (identifier) {
      case "valid" -> VALID;
      case "same" -> SAME;
      default -> throw new IllegalArgumentException(
          "Invalid padding. Expected \"valid\" or \"same\". Received: padding=" + identifier);
    };
  }

  /** TensorFlow's attribute value. */
  String tfName() {
    return name();
  }

  /** Output length of one spatial dimension, as TensorFlow computes it. */
  long outputLength(long input, long window, long stride) {
    return this == VALID ? Math.floorDiv(input - window, stride) + 1 : Math.floorDiv(input + stride - 1, stride);
  }

  /** Keras' identifier. */
  public String kerasName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
