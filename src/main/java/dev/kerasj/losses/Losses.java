package dev.kerasj.losses;

/** Looks up losses by Keras identifier ({@code "mse"}, {@code "sparse_categorical_crossentropy"}, ...). */
public final class Losses {
  private Losses() {}

  public static Loss get(String identifier) {
    return switch (identifier) {
      case "mse", "mean_squared_error", "MeanSquaredError" -> new MeanSquaredError();
      case "mae", "mean_absolute_error", "MeanAbsoluteError" -> new MeanAbsoluteError();
      case "huber", "huber_loss", "Huber" -> new Huber();
      case "binary_crossentropy", "BinaryCrossentropy" -> new BinaryCrossentropy();
      case "categorical_crossentropy", "CategoricalCrossentropy" -> new CategoricalCrossentropy();
      case "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy" -> new SparseCategoricalCrossentropy();
      default -> throw new IllegalArgumentException(
          "Unknown loss: '" + identifier + "'. Expected one of: mse, mae, huber, binary_crossentropy, "
              + "categorical_crossentropy, sparse_categorical_crossentropy");
    };
  }
}
