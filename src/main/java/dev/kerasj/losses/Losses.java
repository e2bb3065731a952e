package dev.kerasj.losses;

import java.util.List;

/**
 * Looks up losses by Keras identifier ({@code "mse"}, {@code "sparse_categorical_crossentropy"}, ...): the names
 * Keras 3's {@code keras.losses.get} resolves (function names, class names and the short aliases {@code bce},
 * {@code kld}, {@code mae}, {@code mape}, {@code mse}, {@code msle} in either case), each with Keras' default
 * arguments. kerasj also takes tf.keras 2's {@code "huber_loss"} and {@code "logcosh"}, which Keras 3 no longer
 * resolves; configs kerasj writes always use Keras 3's names.
 */
public final class Losses {
  /** The identifiers {@link #get} resolves, one per loss, for error messages. */
  public static final List<String> KNOWN = List.of("mean_squared_error (mse)", "mean_absolute_error (mae)",
      "mean_absolute_percentage_error (mape)", "mean_squared_logarithmic_error (msle)", "huber", "log_cosh",
      "cosine_similarity", "hinge", "squared_hinge", "kl_divergence (kld)", "poisson",
      "binary_crossentropy (bce)", "binary_focal_crossentropy", "categorical_crossentropy",
      "categorical_focal_crossentropy", "sparse_categorical_crossentropy");

  private Losses() {}

  /**
   * The loss with Keras' default arguments for a Keras identifier.
   *
   * @throws IllegalArgumentException for an identifier Keras does not know, listing the known ones
   */
  public static Loss get(String identifier) {
    return switch (identifier) {
      case "mse", "MSE", "mean_squared_error", "MeanSquaredError" -> new MeanSquaredError();
      case "mae", "MAE", "mean_absolute_error", "MeanAbsoluteError" -> new MeanAbsoluteError();
      case "mape", "MAPE", "mean_absolute_percentage_error", "MeanAbsolutePercentageError" ->
          new MeanAbsolutePercentageError();
      case "msle", "MSLE", "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError" ->
          new MeanSquaredLogarithmicError();
      case "huber", "huber_loss", "Huber" -> new Huber();
      case "log_cosh", "logcosh", "LogCosh" -> new LogCosh();
      case "cosine_similarity", "CosineSimilarity" -> new CosineSimilarity();
      case "hinge", "Hinge" -> new Hinge();
      case "squared_hinge", "SquaredHinge" -> new SquaredHinge();
      case "kld", "KLD", "kl_divergence", "KLDivergence" -> new KLDivergence();
      case "poisson", "Poisson" -> new Poisson();
      case "bce", "BCE", "binary_crossentropy", "BinaryCrossentropy" -> new BinaryCrossentropy();
      case "binary_focal_crossentropy", "BinaryFocalCrossentropy" -> new BinaryFocalCrossentropy();
      case "categorical_crossentropy", "CategoricalCrossentropy" -> new CategoricalCrossentropy();
      case "categorical_focal_crossentropy", "CategoricalFocalCrossentropy" -> new CategoricalFocalCrossentropy();
      case "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy" -> new SparseCategoricalCrossentropy();
      default -> throw new IllegalArgumentException(
          "Unknown loss: '" + identifier + "'. Expected one of: " + String.join(", ", KNOWN));
    };
  }
}
