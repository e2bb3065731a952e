package dev.kerasj.optimizers.schedules;

/** Argument checks shared by the schedules, with Keras' wording where Keras has a check. */
final class Schedules {
  private Schedules() {}

  static void checkPositive(String field, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException("Expected " + field + " to be a positive finite number. Received: " + field
          + "=" + v);
    }
  }

  static void checkNonNegative(String field, double v) {
    if (!(v >= 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException("Expected " + field + " to be a non-negative finite number. Received: "
          + field + "=" + v);
    }
  }

  /** Keras' own check: {@code Argument `decay_steps` must be > 0. Received: decay_steps=0}. */
  static void checkSteps(String kerasName, String field, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException("Argument `" + kerasName + "` must be > 0. Received: " + field + "=" + v);
    }
  }

  static void checkFraction(String field, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException("Expected " + field + " in [0, 1]. Received: " + field + "=" + v);
    }
  }

  static String checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("Expected a non-empty schedule name. Received: name=" + name);
    }
    return name;
  }
}
