package dev.kerasj.constraints;

import java.util.List;

/** Keras' {@code keras.constraints.get} for string identifiers. */
public final class Constraints {
  /** The identifiers {@link #get} takes. */
  public static final List<String> IDENTIFIERS = List.of("max_norm", "non_neg", "unit_norm", "min_max_norm",
      "MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm");

  private Constraints() {}

  /**
   * The constraint Keras 3.15 makes for {@code identifier}, with the class' defaults ({@code "max_norm"} is
   * {@code MaxNorm(2, axis=0)}).
   *
   * @throws IllegalArgumentException for an unknown identifier
   */
  public static Constraint get(String identifier) {
    return switch (identifier == null ? "" : identifier) {
      case "max_norm", "MaxNorm" -> new MaxNorm();
      case "non_neg", "NonNeg" -> new NonNeg();
      case "unit_norm", "UnitNorm" -> new UnitNorm();
      case "min_max_norm", "MinMaxNorm" -> new MinMaxNorm();
      default -> throw new IllegalArgumentException("Could not interpret constraint identifier: " + identifier
          + ". Expected one of " + IDENTIFIERS);
    };
  }
}
