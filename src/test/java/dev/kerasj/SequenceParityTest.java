package dev.kerasj;


import dev.kerasj.layers.AveragePooling1D;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Conv1D;
import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.GlobalMaxPooling1D;
import dev.kerasj.layers.GlobalMaxPooling2D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.LayerNormalization;
import dev.kerasj.layers.Masking;
import dev.kerasj.layers.MaxPooling1D;
import dev.kerasj.layers.Reshape;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.LayerParityFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The sequence layers against real Keras 3.15.1: each case of {@code testdata/sequence} (made by
 * python-interop/make_sequence_fixtures.py) trains in Java from Keras' initial weights and must give Keras' history,
 * final weights, predictions and evaluation within {@link KerasParityTest}'s tolerance; Keras' trained
 * {@code .keras} and {@code .weights.h5} files must load in Java and predict what Keras predicted; and the trained
 * Java model must come back unchanged from its own {@code .keras}, {@code .weights.h5}, TF checkpoint and SavedModel.
 */
class SequenceParityTest {
  static final Path FIXTURES = Path.of("testdata", "sequence");

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "conv1d_digits", SequenceParityTest::conv1dDigits,
      "masked_steps", SequenceParityTest::maskedSteps,
      "pooling_variants", SequenceParityTest::poolingVariants);

  static Model conv1dDigits() {
    Sequential m = new Sequential(Input.of(8, 8),
        Conv1D.builder(8, 3).padding("causal").dilationRate(2).activation("relu").build(),
        new MaxPooling1D(2),
        Conv1D.builder(16, 3).padding("same").activation("relu").build(),
        new LayerNormalization(),
        new GlobalAveragePooling1D(),
        new Dense(10, "softmax"));
    m.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static Model maskedSteps() {
    KerasTensor steps = Input.tensor("steps", 10, 3);
    KerasTensor h = new Dense(8, "tanh").apply(new Masking().apply(steps));
    KerasTensor pooled = new Concatenate().apply(
        List.of(new GlobalAveragePooling1D().apply(h), new GlobalMaxPooling1D().apply(h)));
    Model m = new Model(steps, new Dense(1, "sigmoid").apply(pooled));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  static Model poolingVariants() {
    Sequential m = new Sequential(Input.of(8, 8),
        new AveragePooling1D(3, 1, "same", null),
        Conv1D.builder(6, 3).padding("same").dilationRate(2).activation("relu").build(),
        Conv1D.builder(4, 2).strides(2).activation("relu").build(),
        new Reshape(4, 4, 1),
        new Conv2D(4, 2, "relu"),
        new GlobalMaxPooling2D(),
        new Dense(10, "softmax"));
    m.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** One case's bundle, with x and y read as the case's dtypes. */
  static LayerParityFixture fixture(String name) {
    return LayerParityFixture.load(FIXTURES, name, TFloat32.class,
        name.equals("masked_steps") ? TFloat32.class : TInt32.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"conv1d_digits", "masked_steps", "pooling_variants"})
  void fit_fromKerasInitialWeights_matchesKerasHistoryWeightsAndPredictions(String name) {
    LayerParity.assertFitMatchesKeras(name, fixture(name), CASES.get(name));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"conv1d_digits", "masked_steps", "pooling_variants"})
  void load_ofKerasWrittenKerasFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = Model.load(FIXTURES.resolve(name + ".keras"))) {
      LayerParity.assertPredictsLikeKeras(name + ".keras", fixture(name), model);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"conv1d_digits", "masked_steps", "pooling_variants"})
  void loadWeights_ofKerasWrittenWeightsFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = CASES.get(name).get()) {
      model.loadWeights(FIXTURES.resolve(name + ".weights.h5"));
      LayerParity.assertPredictsLikeKeras(name + ".weights.h5", fixture(name), model);
    }
  }

  /** Keras' trained weights, written by Java in every format and read back by Java, predict the same values. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"conv1d_digits", "masked_steps", "pooling_variants"})
  void javaWrittenFiles_inEveryFormat_roundTripTheTrainedModel(String name, @TempDir Path dir) throws IOException {
    LayerParity.assertRoundTripsInEveryFormat(name, fixture(name), CASES.get(name), dir);
  }
}
