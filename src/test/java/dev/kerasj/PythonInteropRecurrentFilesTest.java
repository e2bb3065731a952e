package dev.kerasj;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writes, for {@code python-interop/tests/test_java_rnn_files.py}, a {@code .keras} archive and a
 * {@code .weights.h5} file of every case of {@code testdata/rnn/}, built in Java with Keras' trained weights,
 * under {@code <kerasj.interopDir>/rnn/}, with {@code <case>.json}: x_val's shape and values and Java's
 * predictions for it. Then, after one more epoch of training in Java (so the optimizer has state), the TensorFlow
 * formats: {@code <case>_savedmodel/} ({@code Model.save(dir)}), {@code <case>_ckpt/ckpt-1} (a TF object-based
 * checkpoint, {@code Model.saveWeights}) and {@code <case>_tf.json} (Java's predictions in that state).
 */
class PythonInteropRecurrentFilesTest {
  static Path out() {
    return Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("rnn");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm_digits", "gru_digits", "simple_rnn_backwards", "masked_recurrent",
      "bidirectional_masked", "bidirectional_modes", "embedding_masked", "embedding_functional"})
  void writeRecurrentFilesForPython(String name) throws IOException {
    LayerParity.writeFilesForPython(out(), name, RecurrentParityTest.fixture(name),
        RecurrentParityTest.CASES.get(name));
  }

  /** The per-step models whose output carries the mask into loss and metrics ({@link MaskedOutputParityTest}). */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"masked_sequence_labels", "masked_sequence_regression"})
  void writeMaskedOutputFilesForPython(String name) throws IOException {
    LayerParity.writeFilesForPython(out(), name, MaskedOutputParityTest.fixture(name),
        MaskedOutputParityTest.CASES.get(name));
  }

  /**
   * The two-input masked_merges model with Keras' trained weights: {@code masked_merges.keras},
   * {@code masked_merges.weights.h5} and {@code masked_merges.json} (x_val's two inputs stacked, {@code [2, rows,
   * steps]}, and Java's predictions). Java writes no mask op layers: Keras must infer the merged masks itself.
   */
  @org.junit.jupiter.api.Test
  void writeMaskedMergesFilesForPython() throws IOException {
    Path dir = out();
    Files.createDirectories(dir);
    dev.kerasj.testing.LayerParityFixture f = MaskedOutputParityTest.fixture("masked_merges");
    try (Model model = MaskedOutputParityTest.maskedMerges()) {
      model.setWeights(f.weights("final", model.weights()));
      model.save(dir.resolve("masked_merges.keras"));
      model.saveWeights(dir.resolve("masked_merges.weights.h5"));
      float[] predicted = KerasParityTest.toFloats(
          model.predict(MaskedOutputParityTest.inputs("masked_merges", f.xVal()), f.batchSize()));
      Files.writeString(dir.resolve("masked_merges.json"), "{\"x_shape\": "
          + java.util.Arrays.toString(f.xVal().shape()) + ", \"x\": " + java.util.Arrays.toString(f.xVal().ints())
          + ", \"predict\": " + LayerParity.jsonFloats(predicted) + "}\n", StandardCharsets.UTF_8);
    }
  }

  /**
   * A Functional model (Masking, Bidirectional(LSTM) with sequences, GRU, Dense) with seeded weights:
   * {@code functional.keras} and {@code functional.json} (x and Java's predictions) for Keras to load.
   */
  @org.junit.jupiter.api.Test
  void writeFunctionalRecurrentModelForPython() throws IOException {
    Path dir = out();
    Files.createDirectories(dir);
    dev.kerasj.layers.KerasTensor x = dev.kerasj.layers.Input.tensor(6, 3);
    dev.kerasj.layers.KerasTensor h = new dev.kerasj.layers.Bidirectional(
        dev.kerasj.layers.LSTM.builder(4).returnSequences(true).build()).apply(new dev.kerasj.layers.Masking().apply(x));
    float[][][] data = new float[4][6][3];
    for (int i = 0; i < data.length; i++) {
      for (int t = 0; t < 6 - i; t++) { // row i: 6 - i real steps, then zeros
        data[i][t] = new float[] {0.1f * t - 0.2f, 0.3f * i - 0.4f, 0.5f - 0.05f * t * i};
      }
    }
    try (Model model = new Model(x, new dev.kerasj.layers.Dense(2).apply(new dev.kerasj.layers.GRU(3).apply(h)))) {
      model.setSeed(3);
      model.save(dir.resolve("functional.keras"));
      float[] flat = new float[4 * 6 * 3];
      for (int i = 0; i < flat.length; i++) {
        flat[i] = data[i / 18][(i / 3) % 6][i % 3];
      }
      Files.writeString(dir.resolve("functional.json"), "{\"x_shape\": [4, 6, 3], \"x\": "
          + LayerParity.jsonFloats(flat) + ", \"predict\": "
          + LayerParity.jsonFloats(KerasParityTest.toFloats(model.predict(data))) + "}\n", StandardCharsets.UTF_8);
    }
  }


}
