package dev.kerasj.losses;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

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

  /** Per-sample loss values from labels (cast to float32) and predictions: the function {@link #fromFunction} wraps. */
  @FunctionalInterface
  public interface PerSample {
    /**
     * @param yTrue the labels as float32, shaped like {@code yPred} (Keras casts them to the prediction dtype)
     * @param yPred the model output, {@code [batch, ...outputShape]}
     * @return per-sample (or per-element) loss values; every value counts once in the batch mean
     */
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred);
  }

  /**
   * A loss from a function, like Keras' {@code compile(loss=my_loss)}: Keras wraps the function in a
   * {@code LossFunctionWrapper} named after it, casts the labels to float32 and reduces the function's values with
   * {@code sum_over_batch_size} (their sum divided by their count), as kerasj's built-in losses do.
   *
   * <pre>{@code
   * Loss cubic = Losses.fromFunction("mean_cubic_error",
   *     (tf, yTrue, yPred) -> tf.math.mean(tf.math.abs(tf.math.pow(tf.math.sub(yPred, yTrue), tf.constant(3f))),
   *         tf.constant(-1)));
   * model.compile("adam", cubic);
   * }</pre>
   *
   * A function has no Keras config: saving the full model of a model compiled with one (.keras, SavedModel) is
   * refused; register a {@link Loss} class with {@code dev.kerasj.saving.CustomObjects} for that.
   *
   * @param name the loss's name (Keras uses the function's {@code __name__}), as logs and configs show it
   * @throws IllegalArgumentException for an empty name or a null function
   */
  public static Loss fromFunction(String name, PerSample function) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("A loss from a function needs a name (Keras uses the function's __name__)."
          + " Received: name=" + (name == null ? "null" : "'" + name + "'"));
    }
    if (function == null) {
      throw new IllegalArgumentException("Expected a function computing per-sample losses for loss '" + name
          + "'. Received: null");
    }
    return new LossFunction() {
      @Override
      public String name() {
        return name;
      }

      @Override
      protected Operand<TFloat32> perSample(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
        return function.apply(tf, asFloat(yTrue), yPred);
      }

      @Override
      public String toString() {
        return "Losses.fromFunction(" + name + ")";
      }
    };
  }

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
