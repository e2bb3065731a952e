package dev.kerasj.testing;

import dev.kerasj.CompileOptions;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Add;
import dev.kerasj.layers.Average;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Maximum;
import dev.kerasj.layers.Minimum;
import dev.kerasj.layers.Multiply;
import dev.kerasj.layers.Subtract;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.RMSprop;
import dev.kerasj.optimizers.SGD;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Functional models of {@code testdata/functional/} built in Java, layer for layer and name for name as
 * {@code python-interop/make_functional_fixtures.py} builds them in Keras (compiled the same way, not trained), so
 * tests can compare them with the fixtures' configs, weights and predictions.
 *
 * <pre>{@code
 * try (Model m = FunctionalCases.build("two_input_concat")) { m.loadWeights(FunctionalCases.weightsFile("...")); }
 * }</pre>
 */
public final class FunctionalCases {
  /** Where the fixtures are, relative to the repository root (the tests' working directory). */
  public static final Path DIR = Path.of("testdata", "functional");
  private static final String SPARSE_CE = "sparse_categorical_crossentropy";

  /** Case name → builder, in the generator's order. */
  public static final Map<String, Supplier<Model>> CASES = Map.of(
      "two_input_concat", FunctionalCases::twoInputConcat,
      "two_output", FunctionalCases::twoOutput,
      "residual_add", FunctionalCases::residualAdd,
      "shared_layer", FunctionalCases::sharedLayer,
      "merge_layers", FunctionalCases::mergeLayers,
      "nested_model", FunctionalCases::nestedModel,
      "transfer", FunctionalCases::transfer);

  /** The case names in the generator's order. */
  public static final List<String> NAMES = List.of("two_input_concat", "two_output", "residual_add", "shared_layer",
      "merge_layers", "nested_model", "transfer");

  private FunctionalCases() {}

  /** A new, compiled (unbuilt) model of the case. */
  public static Model build(String name) {
    Supplier<Model> b = CASES.get(name);
    if (b == null) {
      throw new IllegalArgumentException("No functional case '" + name + "'. Known: " + NAMES);
    }
    return b.get();
  }

  /** The case's tensor bundle prefix ({@code testdata/functional/<case>}). */
  public static Path bundle(String name) {
    return DIR.resolve(name);
  }

  private static Dense dense(int units, String activation, String name) {
    return Dense.builder(units).activation(activation).name(name).build();
  }

  private static Model sparse(Model model, Object optimizer) {
    model.compile(CompileOptions.builder(optimizer, SPARSE_CE).metrics(List.of("accuracy")).build());
    return model;
  }

  public static Model twoInputConcat() {
    KerasTensor a = Input.tensor("a", 32);
    KerasTensor b = Input.tensor("b", 32);
    KerasTensor h = new Concatenate().apply(dense(16, "relu", "a_dense").apply(a), dense(16, "relu", "b_dense").apply(b));
    KerasTensor digit = dense(10, "softmax", "digit").apply(h);
    return sparse(new Model(List.of(a, b), List.of(digit)), new Adam(1e-3));
  }

  public static Model twoOutput() {
    KerasTensor pixels = Input.tensor("pixels", 64);
    KerasTensor h = dense(32, "relu", "trunk").apply(pixels);
    KerasTensor digit = dense(10, "softmax", "digit").apply(h);
    KerasTensor value = dense(1, "linear", "value").apply(h);
    Model m = new Model(List.of(pixels), List.of(digit, value));
    m.compile(CompileOptions.builder(new SGD(0.05, 0.9, false), Map.of("digit", SPARSE_CE, "value", "mse"))
        .lossWeights(Map.of("digit", 1.0, "value", 0.5))
        .metrics(Map.of("digit", List.of("accuracy"), "value", List.of("mae"))).build());
    return m;
  }

  public static Model residualAdd() {
    KerasTensor pixels = Input.tensor("pixels", 64);
    KerasTensor h = new Dense(32, "relu").apply(pixels);
    KerasTensor r = new Dense(32, "relu").apply(h);
    KerasTensor digit = dense(10, "softmax", "digit").apply(new Add().apply(h, r));
    return sparse(new Model(List.of(pixels), List.of(digit)), new RMSprop(1e-3));
  }

  public static Model sharedLayer() {
    KerasTensor a = Input.tensor("a", 32);
    KerasTensor b = Input.tensor("b", 32);
    Dense shared = dense(16, "relu", "shared");
    KerasTensor digit = dense(10, "softmax", "digit").apply(new Concatenate().apply(shared.apply(a), shared.apply(b)));
    return sparse(new Model(List.of(a, b), List.of(digit)), new Adam(1e-3));
  }

  public static Model mergeLayers() {
    KerasTensor a = Input.tensor("a", 32);
    KerasTensor b = Input.tensor("b", 32);
    KerasTensor pa = dense(16, "tanh", "pa").apply(a);
    KerasTensor pb = dense(16, "tanh", "pb").apply(b);
    List<KerasTensor> merged = List.of(new Add().apply(pa, pb), new Subtract().apply(pa, pb),
        new Multiply().apply(pa, pb), new Average().apply(pa, pb), new Maximum().apply(pa, pb),
        new Minimum().apply(pa, pb));
    KerasTensor digit = dense(10, "softmax", "digit").apply(new Concatenate().apply(merged));
    return sparse(new Model(List.of(a, b), List.of(digit)), new Adam(1e-3));
  }

  public static Model nestedModel() {
    Sequential encoder = new Sequential("encoder", Input.of(64), new Dense(32, "relu"), new Dense(16, "relu"));
    KerasTensor pixels = Input.tensor("pixels", 64);
    KerasTensor digit = dense(10, "softmax", "digit").apply(encoder.apply(pixels));
    return sparse(new Model("functional_1", List.of(pixels), List.of(digit)), new SGD(0.1));
  }

  /** The pretrained base of case transfer, before freezing (as {@code transfer_base.keras} holds it). */
  public static Model transferBase() {
    KerasTensor pixels = Input.tensor("pixels", 64);
    KerasTensor h = dense(32, "relu", "base_dense").apply(pixels);
    h = new BatchNormalization(BatchNormalization.DEFAULT_MOMENTUM, BatchNormalization.DEFAULT_EPSILON, "base_bn")
        .apply(h);
    h = dense(16, "relu", "base_features").apply(h);
    return new Model("base", List.of(pixels), List.of(h));
  }

  public static Model transfer() {
    Model base = transferBase();
    base.setTrainable(false);
    KerasTensor pixels = Input.tensor("pixels", 64);
    KerasTensor head = dense(10, "softmax", "head").apply(base.apply(pixels, false)); // Keras: base(x, training=False)
    return sparse(new Model("functional_1", List.of(pixels), List.of(head)), new Adam(1e-3));
  }

  /** The inputs {@code a} (4 features) and {@code b} (3) of a small two-input test model, and its features. */
  public record TwoInputTrunk(KerasTensor a, KerasTensor b, KerasTensor features) {
    public List<KerasTensor> inputs() {
      return List.of(a, b);
    }
  }

  /**
   * The trunk of the small two-input test models: {@code Dense(8, relu, name="a_dense")} on {@code a},
   * {@code Dense(8, relu, name="b_dense")} on {@code b}, concatenated, then {@code Dropout(dropout)}. Data for it:
   * {@link #randomTwoInputs}.
   */
  public static TwoInputTrunk twoInputTrunk(double dropout) {
    KerasTensor a = Input.tensor("a", 4);
    KerasTensor b = Input.tensor("b", 3);
    KerasTensor h = new Concatenate().apply(dense(8, "relu", "a_dense").apply(a), dense(8, "relu", "b_dense").apply(b));
    return new TwoInputTrunk(a, b, new Dropout(dropout).apply(h));
  }

  /**
   * Uniform [-1, 1) inputs for a two-input test model, {@code "a"} of 4 features and {@code "b"} of 3, drawn from
   * {@code seed} ({@code a} first, row by row).
   */
  public static Map<String, float[][]> randomTwoInputs(int samples, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    float[][] a = new float[samples][4];
    float[][] b = new float[samples][3];
    for (int i = 0; i < samples; i++) {
      for (int j = 0; j < 4; j++) {
        a[i][j] = (float) r.nextDouble(-1, 1);
      }
      for (int j = 0; j < 3; j++) {
        b[i][j] = (float) r.nextDouble(-1, 1);
      }
    }
    return Map.of("a", a, "b", b);
  }
}
