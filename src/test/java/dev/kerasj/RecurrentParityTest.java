package dev.kerasj;

import static dev.kerasj.KerasParityTest.toFloats;

import dev.kerasj.layers.Bidirectional;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.GRU;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.LSTM;
import dev.kerasj.layers.Masking;
import dev.kerasj.layers.SimpleRNN;
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
 * The recurrent layers (SimpleRNN, LSTM, GRU) against real Keras 3.15.1: each case of {@code testdata/rnn} (made by
 * python-interop/make_rnn_fixtures.py) trains in Java from Keras' initial weights and must give Keras' history,
 * final weights, predictions and evaluation within {@link KerasParityTest}'s tolerance; Keras' trained
 * {@code .keras} and {@code .weights.h5} files must load in Java and predict what Keras predicted; and the trained
 * Java model must come back unchanged from its own {@code .keras}, {@code .weights.h5}, TF checkpoint and SavedModel.
 */
class RecurrentParityTest {
  static final Path FIXTURES = Path.of("testdata", "rnn");

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "lstm_digits", () -> digits(new LSTM(16)),
      "gru_digits", () -> digits(new GRU(16)),
      "simple_rnn_backwards", RecurrentParityTest::simpleRnnBackwards,
      "masked_recurrent", RecurrentParityTest::maskedRecurrent,
      "bidirectional_masked", RecurrentParityTest::bidirectionalMasked,
      "bidirectional_modes", RecurrentParityTest::bidirectionalModes,
      "embedding_masked", () -> embeddingMasked(true),
      "embedding_functional", RecurrentParityTest::embeddingFunctional);

  /** Cases whose x holds int32 token ids (and whose y is a float 0/1 label). */
  static boolean tokenIds(String name) {
    return name.startsWith("embedding_");
  }

  static Model digits(dev.kerasj.layers.Layer recurrent) {
    Sequential m = new Sequential(Input.of(8, 8), recurrent, new Dense(10, "softmax"));
    m.compile(new Adam(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static Model simpleRnnBackwards() {
    Sequential m = new Sequential(Input.of(8, 8),
        SimpleRNN.builder(12).returnSequences(true).goBackwards(true).build(),
        new Flatten(),
        new Dense(10, "softmax"));
    m.compile(new Adam(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static Model maskedRecurrent() {
    Sequential m = new Sequential(Input.of(10, 3), new Masking(), GRU.builder(6).returnSequences(true).build(),
        new LSTM(5), new Dense(1, "sigmoid"));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  static Model bidirectionalMasked() {
    Sequential m = new Sequential(Input.of(10, 3), new Masking(),
        new Bidirectional(LSTM.builder(4).returnSequences(true).build()), new Bidirectional(GRU.builder(3).returnSequences(true).build(), "sum"),
        new Flatten(), new Dense(1, "sigmoid"));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  static Model bidirectionalModes() {
    Sequential m = new Sequential(Input.of(8, 8),
        new Bidirectional(SimpleRNN.builder(4).returnSequences(true).build(), "mul"),
        new Bidirectional(new GRU(3), "ave"), new Dense(10, "softmax"));
    m.compile(new Adam(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** Embedding(20, 8, maskZero) -> Bidirectional(LSTM(4)) -> Dense sigmoid, on zero-padded token ids. */
  static Model embeddingMasked(boolean maskZero) {
    Sequential m = new Sequential(Input.of(Input.DType.INT32, 10), Embedding.builder(20, 8).maskZero(maskZero).build(),
        new Bidirectional(new LSTM(4)), new Dense(1, "sigmoid"));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  /** Functional: Embedding(20, 6, maskZero) -> GlobalAveragePooling1D and LSTM(3) -> Concatenate -> Dense. */
  static Model embeddingFunctional() {
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 10);
    KerasTensor vectors = Embedding.builder(20, 6).maskZero(true).build().apply(ids);
    KerasTensor both = new Concatenate().apply(List.of(new GlobalAveragePooling1D().apply(vectors),
        new LSTM(3).apply(vectors)));
    Model m = new Model(ids, new Dense(1, "sigmoid").apply(both));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  /** One case's bundle, with x and y read as the case's dtypes. */
  static LayerParityFixture fixture(String name) {
    return LayerParityFixture.load(FIXTURES, name, tokenIds(name) ? TInt32.class : TFloat32.class,
        name.equals("masked_recurrent") || name.equals("bidirectional_masked") || tokenIds(name)
            ? TFloat32.class : TInt32.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent",
      "bidirectional_masked", "bidirectional_modes", "embedding_masked", "embedding_functional"})
  void fit_fromKerasInitialWeights_matchesKerasHistoryWeightsAndPredictions(String name) {
    LayerParity.assertFitMatchesKeras(name, fixture(name), CASES.get(name));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent",
      "bidirectional_masked", "bidirectional_modes", "embedding_masked", "embedding_functional"})
  void load_ofKerasWrittenKerasFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = Model.load(FIXTURES.resolve(name + ".keras"))) {
      LayerParity.assertPredictsLikeKeras(name + ".keras", fixture(name), model);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent",
      "bidirectional_masked", "bidirectional_modes", "embedding_masked", "embedding_functional"})
  void loadWeights_ofKerasWrittenWeightsFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = CASES.get(name).get()) {
      model.loadWeights(FIXTURES.resolve(name + ".weights.h5"));
      LayerParity.assertPredictsLikeKeras(name + ".weights.h5", fixture(name), model);
    }
  }

  /** Keras' trained weights, written by Java in every format and read back by Java, predict the same values. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent",
      "bidirectional_masked", "bidirectional_modes", "embedding_masked", "embedding_functional"})
  void javaWrittenFiles_inEveryFormat_roundTripTheTrainedModel(String name, @TempDir Path dir) throws IOException {
    LayerParity.assertRoundTripsInEveryFormat(name, fixture(name), CASES.get(name), dir);
  }

  /**
   * The mask matters: Keras' trained weights in the same model built without maskZero predict differently on the
   * zero-padded rows (padding then feeds the LSTM): each by far more than the parity tolerance, the largest change
   * by more than 0.01; rows with no padding predict the same.
   */
  @org.junit.jupiter.api.Test
  void embeddingMaskZero_changesPredictionsOnPaddedRowsOnly() {
    LayerParityFixture f = fixture("embedding_masked");
    int[] ids = f.xVal().ints();
    int steps = (int) f.xVal().shape()[1];
    try (Model masked = embeddingMasked(true); Model unmasked = embeddingMasked(false)) {
      masked.setWeights(f.weights("final", masked.weights()));
      unmasked.setWeights(f.weights("final", unmasked.weights()));
      float[] withMask = toFloats(masked.predict(f.xVal(), f.batchSize()));
      float[] withoutMask = toFloats(unmasked.predict(f.xVal(), f.batchSize()));
      int padded = 0;
      double largest = 0;
      for (int row = 0; row < withMask.length; row++) {
        boolean hasPadding = false;
        for (int t = 0; t < steps; t++) {
          hasPadding |= ids[row * steps + t] == 0;
        }
        double diff = Math.abs(withMask[row] - withoutMask[row]);
        if (hasPadding) {
          padded++;
          largest = Math.max(largest, diff);
          org.junit.jupiter.api.Assertions.assertTrue(diff > 1e-4,
              "row " + row + " is padded, so maskZero must change its prediction; |diff| = " + diff);
        } else {
          org.junit.jupiter.api.Assertions.assertTrue(diff <= 1e-6,
              "row " + row + " has no padding, so the mask must not change it; |diff| = " + diff);
        }
      }
      org.junit.jupiter.api.Assertions.assertTrue(padded > 0 && padded < withMask.length, "padded rows: " + padded);
      org.junit.jupiter.api.Assertions.assertTrue(largest > 1e-2, "largest change on a padded row: " + largest);
    }
  }
}
