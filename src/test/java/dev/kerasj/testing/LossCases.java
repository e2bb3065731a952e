package dev.kerasj.testing;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.BinaryFocalCrossentropy;
import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.losses.CategoricalFocalCrossentropy;
import dev.kerasj.losses.CosineSimilarity;
import dev.kerasj.optimizers.SGD;
import java.nio.file.Path;
import java.util.List;
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
}
