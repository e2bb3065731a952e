package dev.kerasj.testing;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.BinaryFocalCrossentropy;
import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.losses.CategoricalFocalCrossentropy;
import dev.kerasj.losses.CosineSimilarity;
import dev.kerasj.losses.Hinge;
import dev.kerasj.losses.KLDivergence;
import dev.kerasj.losses.LogCosh;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.MeanAbsolutePercentageError;
import dev.kerasj.losses.MeanSquaredLogarithmicError;
import dev.kerasj.losses.Poisson;
import dev.kerasj.losses.SquaredHinge;
import dev.kerasj.optimizers.SGD;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The training cases of {@code testdata/losses/train/} built in Java as {@code python-interop/make_loss_fixtures.py}
 * builds them in Keras: {@code Sequential([Input((4,)), Dense(units, activation)])}, SGD, compiled with the same
 * loss (a Keras identifier string where Keras got one, else the loss object).
 */
public final class LossCases {
  public static final Path DIR = Path.of("testdata", "losses");

  private LossCases() {}

  /** One training case: {@code loss} is a String identifier or a {@link dev.kerasj.losses.Loss}. */
  public record Case(String name, int units, String activation, double learningRate, Supplier<Object> loss,
      boolean hasKerasFile) {
    /** The compiled, unbuilt-weights model of this case. */
    public Sequential model() {
      Sequential model = new Sequential(Input.of(4), activation == null ? new Dense(units)
          : new Dense(units, activation));
      model.setSeed(1);
      model.compile(new SGD(learningRate), loss.get());
      return model;
    }

    public Path bundle() {
      return DIR.resolve("train").resolve(name);
    }

    /** The Python-written {@code .keras} file of this case (only where {@link #hasKerasFile()}). */
    public Path kerasFile() {
      return DIR.resolve("keras").resolve(name + ".keras");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** The training cases, in the generator's order. */
  public static final List<Case> CASES = List.of(
      new Case("kld", 3, "softmax", 0.05, () -> "kld", true),
      new Case("poisson", 3, "softplus", 0.05, () -> "poisson", false),
      new Case("cosine_similarity", 3, null, 0.2, CosineSimilarity::new, true),
      new Case("hinge", 3, null, 0.05, () -> "hinge", false),
      new Case("squared_hinge", 3, "tanh", 0.05, () -> "squared_hinge", false),
      new Case("log_cosh", 3, null, 0.05, () -> "log_cosh", false),
      new Case("msle", 3, "softplus", 0.05, () -> "msle", false),
      new Case("mape", 3, null, 0.002, () -> "mape", false),
      new Case("binary_focal", 1, "sigmoid", 0.2, () -> BinaryFocalCrossentropy.builder().applyClassBalancing(true)
          .alpha(0.4).gamma(1.5).labelSmoothing(0.1).build(), true),
      new Case("binary_focal_logits", 1, null, 0.2, () -> BinaryFocalCrossentropy.builder().fromLogits(true).build(),
          false),
      new Case("categorical_focal", 3, "softmax", 0.2, () -> CategoricalFocalCrossentropy.builder().alpha(0.5)
          .gamma(3.0).labelSmoothing(0.1).build(), true),
      new Case("categorical_focal_logits", 3, null, 0.2,
          () -> CategoricalFocalCrossentropy.builder().fromLogits(true).build(), false),
      new Case("binary_crossentropy_smoothed", 1, "sigmoid", 0.05, () -> new BinaryCrossentropy(false, 0.2), false),
      new Case("categorical_crossentropy_smoothed", 3, "softmax", 0.05, () -> new CategoricalCrossentropy(false, 0.1),
          false),
      new Case("categorical_crossentropy_smoothed_logits", 3, null, 0.05,
          () -> new CategoricalCrossentropy(true, 0.1), true));

  /**
   * The Java loss of each case of {@code testdata/losses/values}, in the fixture's order, built the way a Java user
   * writes the Keras call of its {@code <case>/description}.
   */
  public static Map<String, Supplier<Loss>> valueCases() {
    Map<String, Supplier<Loss>> m = new LinkedHashMap<>();
    m.put("kl_divergence", KLDivergence::new);
    m.put("poisson", Poisson::new);
    m.put("cosine_similarity", CosineSimilarity::new);
    m.put("cosine_similarity_axis1", () -> new CosineSimilarity(1));
    m.put("hinge_binary_labels", Hinge::new);
    m.put("hinge_signed_labels", Hinge::new);
    m.put("squared_hinge_binary_labels", SquaredHinge::new);
    m.put("squared_hinge_signed_labels", SquaredHinge::new);
    m.put("log_cosh", LogCosh::new);
    m.put("mean_squared_logarithmic_error", MeanSquaredLogarithmicError::new);
    m.put("mean_absolute_percentage_error", MeanAbsolutePercentageError::new);
    m.put("binary_focal_default", BinaryFocalCrossentropy::new);
    m.put("binary_focal_balanced_smoothed", () -> BinaryFocalCrossentropy.builder().applyClassBalancing(true)
        .alpha(0.4).gamma(1.5).labelSmoothing(0.1).build());
    m.put("binary_focal_logits", () -> BinaryFocalCrossentropy.builder().fromLogits(true).gamma(3.0).build());
    m.put("categorical_focal_default", CategoricalFocalCrossentropy::new);
    m.put("categorical_focal_smoothed", () -> CategoricalFocalCrossentropy.builder().alpha(0.5).gamma(3.0)
        .labelSmoothing(0.2).build());
    m.put("categorical_focal_logits", () -> CategoricalFocalCrossentropy.builder().fromLogits(true).gamma(1.0)
        .build());
    m.put("binary_crossentropy_smoothed", () -> new BinaryCrossentropy(false, 0.2));
    m.put("binary_crossentropy_smoothed_logits", () -> new BinaryCrossentropy(true, 0.2));
    m.put("categorical_crossentropy_smoothed", () -> new CategoricalCrossentropy(false, 0.1));
    m.put("categorical_crossentropy_smoothed_logits", () -> new CategoricalCrossentropy(true, 0.1));
    m.put("categorical_crossentropy_smoothed_logits_rank3", () -> new CategoricalCrossentropy(true, 0.1));
    m.put("binary_crossentropy_logits_on_sigmoid", () -> new BinaryCrossentropy(true));
    m.put("binary_focal_on_sigmoid", BinaryFocalCrossentropy::new);
    m.put("categorical_crossentropy_logits_on_softmax", () -> new CategoricalCrossentropy(true));
    m.put("sparse_categorical_crossentropy_logits_on_softmax",
        () -> new dev.kerasj.losses.SparseCategoricalCrossentropy(true));
    return m;
  }

}
