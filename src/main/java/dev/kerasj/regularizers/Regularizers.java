package dev.kerasj.regularizers;

import java.util.List;

/** Keras' {@code keras.regularizers.get} for string identifiers. */
public final class Regularizers {
  /** The identifiers {@link #get} takes. */
  public static final List<String> IDENTIFIERS = List.of("l1", "l2", "l1l2", "L1", "L2", "L1L2");

  private Regularizers() {}

  /**
   * The regularizer Keras 3.15's {@code keras.regularizers.get} makes for {@code identifier}, with the class'
   * default factors: {@code "l1"} is {@code L1(0.01)}, {@code "l2"} is {@code L2(0.01)}, {@code "l1l2"} is
   * {@code L1L2(0, 0)}. ({@code "l1_l2"}, which Keras' docstring mentions, is refused by Keras 3.15 too.)
   *
   * @throws IllegalArgumentException for an unknown identifier
   */
  public static Regularizer get(String identifier) {
    return switch (identifier == null ? "" : identifier) {
      case "l1", "L1" -> new L1();
      case "l2", "L2" -> new L2();
      case "l1l2", "L1L2" -> new L1L2(0, 0);
      default -> throw new IllegalArgumentException("Could not interpret regularizer identifier: " + identifier
          + ". Expected one of " + IDENTIFIERS);
    };
  }
}
