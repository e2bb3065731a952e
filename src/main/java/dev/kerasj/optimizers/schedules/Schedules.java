package dev.kerasj.optimizers.schedules;

/** Argument checks shared by the schedules. */
final class Schedules {
  private Schedules() {}

  static void checkPositive(String field, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException("Expected " + field + " to be a positive finite number. Received: " + field
          + "=" + v);
    }
  }
}
