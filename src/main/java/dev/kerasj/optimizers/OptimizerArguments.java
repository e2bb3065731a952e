package dev.kerasj.optimizers;

/** Keras-style checks of optimizer arguments: each error names the optimizer, the argument, the range and the value. */
final class OptimizerArguments {
  private OptimizerArguments() {}

  /** {@code 0 <= value < 1}, or {@code 0 <= value <= 1} when {@code closed}. */
  static void requireUnitInterval(String optimizer, String argument, double value, boolean closed) {
    if (!(value >= 0 && (closed ? value <= 1 : value < 1))) {
      throw new IllegalArgumentException(optimizer + ": argument `" + argument + "` must be in the "
          + (closed ? "[0, 1]" : "[0, 1)") + " range. Received: " + argument + "=" + value);
    }
  }

  /** {@code value > 0} and finite. */
  static void requirePositive(String optimizer, String argument, double value) {
    if (!(value > 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(optimizer + ": argument `" + argument
          + "` must be a positive finite number. Received: " + argument + "=" + value);
    }
  }

  /** {@code value >= 0} and finite, in Keras' words ("needs to be positive or zero"). */
  static void requireNonNegative(String optimizer, String argument, double value) {
    if (!(value >= 0) || !Double.isFinite(value)) {
      throw new IllegalArgumentException(optimizer + ": `" + argument + "` needs to be positive or zero. Received: "
          + argument + "=" + value);
    }
  }
}
