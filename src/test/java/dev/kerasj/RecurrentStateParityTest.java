package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Bidirectional;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.GRU;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.LSTM;
import dev.kerasj.layers.SimpleRNN;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.LayerParityFixture;
import dev.kerasj.testing.TensorBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Recurrent layers with several outputs ({@code returnState}) and given initial states against real Keras 3.15.1:
 * each case of {@code testdata/rnn_state} (python-interop/make_rnn_state_fixtures.py) trains in Java from Keras'
 * initial weights to Keras' history, final weights, predictions and evaluation within {@link KerasParityTest}'s
 * tolerance; Keras' {@code .keras} and {@code .weights.h5} load in Java and predict Keras' values; Java's own four
 * formats bring the trained model back bit for bit.
 */
class RecurrentStateParityTest {
  static final Path FIXTURES = Path.of("testdata", "rnn_state");

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "seq2seq_reverse", RecurrentStateParityTest::seq2seqReverse,
      "gru_state_masked", RecurrentStateParityTest::gruStateMasked,
      "bidirectional_state", RecurrentStateParityTest::bidirectionalState,
      "bidirectional_initial_state", RecurrentStateParityTest::bidirectionalInitialState);

  /**
   * An encoder-decoder: the encoder LSTM's states h and c start the decoder LSTM (Keras' {@code initial_state}),
   * which reads the same embedded ids and predicts, at every step, the id of the reversed sequence.
   */
  static Model seq2seqReverse() {
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 6);
    KerasTensor embedded = new Embedding(10, 8).apply(ids);
    List<KerasTensor> encoder = LSTM.builder(16).returnState(true).build().applyOutputs(embedded); // output, h, c
    KerasTensor decoded = LSTM.builder(16).returnSequences(true).build()
        .apply(embedded, List.of(encoder.get(1), encoder.get(2)));
    Model m = new Model(ids, new Dense(10, "softmax").apply(decoded));
    m.compile(new Adam(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /**
   * GRU (sequences and state) on masked token ids; its state, through a Dense, starts a SimpleRNN (sequences and
   * state) that runs without the mask, as Keras runs a call given an initial state.
   */
  static Model gruStateMasked() {
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 10);
    KerasTensor vectors = Embedding.builder(20, 6).maskZero(true).build().apply(ids);
    List<KerasTensor> gru = GRU.builder(5).returnSequences(true).returnState(true).build().applyOutputs(vectors);
    List<KerasTensor> rnn = SimpleRNN.builder(4).returnSequences(true).returnState(true).build()
        .applyOutputs(gru.get(0), List.of(new Dense(4).apply(gru.get(1))));
    KerasTensor both = new Concatenate().apply(List.of(new Flatten().apply(rnn.get(0)), gru.get(1), rnn.get(1)));
    Model m = new Model(ids, new Dense(1, "sigmoid").apply(both));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  /**
   * A Bidirectional LSTM encoder returning both directions' states (output, h_f, c_f, h_b, c_b) on masked token ids;
   * the states, concatenated, start a decoder LSTM over the same embeddings. Keras named the decoder lstm_1 (the wrapped
   * LSTM took lstm), so the twin names it.
   */
  static Model bidirectionalState() {
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 10);
    KerasTensor e = Embedding.builder(20, 6).maskZero(true).build().apply(ids);
    List<KerasTensor> enc = new Bidirectional(LSTM.builder(4).returnState(true).build()).applyOutputs(e);
    KerasTensor h = new Concatenate().apply(List.of(enc.get(1), enc.get(3)));
    KerasTensor c = new Concatenate().apply(List.of(enc.get(2), enc.get(4)));
    KerasTensor d = LSTM.builder(8).name("lstm_1").build().apply(e, List.of(h, c));
    Model m = new Model(ids, new Dense(1, "sigmoid").apply(new Concatenate().apply(List.of(enc.get(0), d))));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  /**
   * The states of a Bidirectional LSTM encoder start a second Bidirectional LSTM (Keras' {@code initial_state}),
   * swapped: {@code [h_b, c_b, h_f, c_f]}, the first half for its forward layer, the rest for its backward one. Given
   * states, it runs without the mask, as Keras runs it. The second wrapped LSTM is Keras' lstm_1.
   */
  static Model bidirectionalInitialState() {
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 10);
    KerasTensor e = Embedding.builder(20, 6).maskZero(true).build().apply(ids);
    List<KerasTensor> enc = new Bidirectional(LSTM.builder(4).returnState(true).build()).applyOutputs(e);
    KerasTensor d = new Bidirectional(LSTM.builder(4).name("lstm_1").build())
        .apply(e, List.of(enc.get(3), enc.get(4), enc.get(1), enc.get(2)));
    Model m = new Model(ids, new Dense(1, "sigmoid").apply(new Concatenate().apply(List.of(enc.get(0), d))));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  static LayerParityFixture fixture(String name) {
    return LayerParityFixture.load(FIXTURES, name, TInt32.class,
        name.equals("seq2seq_reverse") ? TInt32.class : TFloat32.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"seq2seq_reverse", "gru_state_masked", "bidirectional_state",
      "bidirectional_initial_state"})
  void fit_fromKerasInitialWeights_matchesKerasHistoryWeightsAndPredictions(String name) {
    LayerParity.assertFitMatchesKeras(name, fixture(name), CASES.get(name));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"seq2seq_reverse", "gru_state_masked", "bidirectional_state",
      "bidirectional_initial_state"})
  void load_ofKerasWrittenKerasFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = Model.load(FIXTURES.resolve(name + ".keras"))) {
      LayerParity.assertPredictsLikeKeras(name + ".keras", fixture(name), model);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"seq2seq_reverse", "gru_state_masked", "bidirectional_state",
      "bidirectional_initial_state"})
  void loadWeights_ofKerasWrittenWeightsFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = CASES.get(name).get()) {
      model.loadWeights(FIXTURES.resolve(name + ".weights.h5"));
      LayerParity.assertPredictsLikeKeras(name + ".weights.h5", fixture(name), model);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"seq2seq_reverse", "gru_state_masked", "bidirectional_state",
      "bidirectional_initial_state"})
  void trainedModel_roundTripsThroughEveryJavaFormat_bitForBit(String name, @TempDir Path dir) throws IOException {
    LayerParity.assertRoundTripsInEveryFormat(name, fixture(name), CASES.get(name), dir);
  }

  /** The states come out as Keras orders them: output, h, c; the output of a last-step LSTM is its h. */
  @Test
  void lstmReturnState_outputsOutputThenHThenC_andTheOutputIsH() {
    KerasTensor x = Input.tensor("x", 4, 3);
    List<KerasTensor> outs = LSTM.builder(5).returnState(true).build().applyOutputs(x);
    assertEquals(3, outs.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(i, outs.get(i).tensorIndex());
      assertEquals(5, outs.get(i).shape()[0]);
      assertTrue(outs.get(i).node() == outs.get(0));
    }
    float[][][] data = new float[2][4][3];
    for (int i = 0; i < 2; i++) {
      for (int t = 0; t < 4; t++) {
        data[i][t] = new float[] {0.1f * t - 0.3f * i, 0.2f, -0.1f * t};
      }
    }
    // Keras names all three outputs 'lstm' (its output_names repeat): one output concatenating them instead.
    try (Model model = new Model(x, new Concatenate().apply(outs))) {
      model.setSeed(5);
      float[] v = KerasParityTest.toFloats(model.predict(data));
      assertEquals(2 * 15, v.length);
      boolean cDiffers = false;
      for (int row = 0; row < 2; row++) {
        for (int u = 0; u < 5; u++) {
          assertEquals(v[row * 15 + u], v[row * 15 + 5 + u], 0f, "output == h");
          cDiffers |= v[row * 15 + 10 + u] != v[row * 15 + 5 + u];
        }
      }
      assertTrue(cDiffers, "c differs from h");
    }
  }

  /** Keras' summary lists every output's shape of a layer of several outputs, and "Connected to" names each state. */
  @Test
  void summary_listsEveryOutputShape_andTheStatesByTensorIndex() {
    try (Model m = seq2seqReverse()) {
      String summary = m.summary();
      assertTrue(summary.contains("│ [(None, 16), (None, 16),") && summary.contains("│ (None, 16)]"), summary);
      assertTrue(summary.contains("lstm[0][1]") && summary.contains("lstm[0][2]"), summary);
    }
  }

  /**
   * Keras' seq2seq inference recipe, {@code encoder = Model(ids, [h, c])} (here with the output too): outputs of one
   * call, named alike, come back by {@code predictList} in output order (the map of {@code predictOutputs} is refused
   * rather than losing one); with Keras' trained weights the encoder's last output is its h. Its SavedModel, served
   * in Java, returns the same three arrays.
   */
  @Test
  void encoderModelOfStates_predictList_returnsHThenC(@TempDir Path servedDir) throws IOException {
    LayerParityFixture f = fixture("seq2seq_reverse");
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 6);
    KerasTensor embedded = new Embedding(10, 8).apply(ids);
    List<KerasTensor> encoder = LSTM.builder(16).returnState(true).build().applyOutputs(embedded);
    KerasTensor decoded = LSTM.builder(16).returnSequences(true).build()
        .apply(embedded, List.of(encoder.get(1), encoder.get(2)));
    try (Model trained = new Model(ids, new Dense(10, "softmax").apply(decoded))) {
      trained.setWeights(f.weights("final", trained.weights()));
      // The encoder's layers, trained, move into the new model (kerasj's rule for a layer of two models).
      try (Model states = new Model(List.of(ids), List.of(encoder.get(0), encoder.get(1), encoder.get(2)))) {
        assertEquals(List.of("lstm", "lstm", "lstm"), states.outputNames());
        List<org.tensorflow.ndarray.FloatNdArray> ohc = states.predictList(f.xVal());
        assertEquals(3, ohc.size());
        float[] output = KerasParityTest.toFloats(ohc.get(0));
        float[] h = KerasParityTest.toFloats(ohc.get(1));
        float[] c = KerasParityTest.toFloats(ohc.get(2));
        assertEquals(64 * 16, h.length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(output, h, 0f, "the last output of the encoder is h");
        assertTrue(!java.util.Arrays.equals(h, c), "c differs from h");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> states.predictOutputs(f.xVal()));
        assertTrue(e.getMessage().contains("predictList") && e.getMessage().contains("[lstm, lstm, lstm]"),
            e.getMessage());
        // Served from its SavedModel in Java: output_0, output_1, output_2 in output order, the same values.
        Path dir = servedDir.resolve("encoder");
        states.save(dir);
        int[][] ids2d = new int[64][6];
        int[] flat = f.xVal().ints();
        for (int i = 0; i < flat.length; i++) {
          ids2d[i / 6][i % 6] = flat[i];
        }
        try (dev.kerasj.serving.ServedModel served = dev.kerasj.serving.ServedModel.open(dir)) {
          Map<String, org.tensorflow.ndarray.NdArray<?>> out = served.call("serving_default",
              Map.of("input_layer", ids2d));
          assertEquals(java.util.Set.of("output_0", "output_1", "output_2"), out.keySet());
          for (int i = 0; i < 3; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(KerasParityTest.toFloats(ohc.get(i)),
                KerasParityTest.toFloats((org.tensorflow.ndarray.FloatNdArray) out.get("output_" + i)), 0f,
                "output_" + i);
          }
        }
      }
    }
  }

  @Test
  void applyOutputs_onAnInput_isRefusedAsApplyIs() {
    Input in = Input.of(3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> in.applyOutputs(Input.tensor(3)));
    assertTrue(e.getMessage().contains("An Input is not called on tensors"), e.getMessage());
  }

  @Test
  void apply_onLayerWithSeveralOutputs_isRefusedNamingApplyOutputs() {
    KerasTensor x = Input.tensor(4, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LSTM.builder(5).returnState(true).build().apply(x));
    assertTrue(e.getMessage().contains("applyOutputs") && e.getMessage().contains("3 tensors"), e.getMessage());
  }

  @Test
  void initialState_ofWrongCountOrShape_isRefusedNamingWhatWasExpected() {
    KerasTensor x = Input.tensor(4, 3);
    KerasTensor h = Input.tensor(5);
    KerasTensor wide = Input.tensor(6);
    IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
        () -> new LSTM(5).apply(x, List.of(h)));
    assertTrue(count.getMessage().contains("2 tensors (h, c)") && count.getMessage().contains("Received: 1"),
        count.getMessage());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> new GRU(5).apply(x, List.of(wide)));
    assertTrue(shape.getMessage().contains("(None, 5)") && shape.getMessage().contains("(None, 6)"),
        shape.getMessage());
  }

  @Test
  void sequential_refusesALayerWithSeveralOutputs() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Sequential(Input.of(4, 3), LSTM.builder(5).returnState(true).build()));
    assertTrue(e.getMessage().contains("single output tensor") && e.getMessage().contains("return_state"),
        e.getMessage());
  }

  @Test
  void bidirectional_refusesLayersThatDifferInReturnState() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Bidirectional(LSTM.builder(5).returnState(true).build(), "concat", null,
            LSTM.builder(5).goBackwards(true).build()));
    assertTrue(e.getMessage().contains("\"return_state\"") && e.getMessage().contains("True")
        && e.getMessage().contains("False"), e.getMessage());
  }

  @Test
  void bidirectionalReturnState_outputsForwardThenBackwardStates() {
    KerasTensor x = Input.tensor(4, 3);
    List<KerasTensor> gru = new Bidirectional(GRU.builder(5).returnState(true).build(), "sum").applyOutputs(x);
    assertEquals(List.of(0, 1, 2), gru.stream().map(KerasTensor::tensorIndex).toList());
    List<KerasTensor> lstm = new Bidirectional(LSTM.builder(3).returnState(true).build()).applyOutputs(x);
    assertEquals(5, lstm.size());
    assertEquals(6, lstm.get(0).shape()[0]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Bidirectional(LSTM.builder(3).returnState(true).build()).apply(x));
    assertTrue(e.getMessage().contains("output, h_f, c_f, h_b, c_b"), e.getMessage());
  }

  /**
   * A Bidirectional takes both layers' states, forward then backward: two per LSTM; a wrong count or a state of
   * another size than its layer's units is refused, naming what it expected.
   */
  @Test
  void bidirectionalInitialState_ofWrongCountOrShape_isRefusedNamingTheStates() {
    KerasTensor x = Input.tensor(4, 3);
    KerasTensor h = Input.tensor(5);
    KerasTensor wide = Input.tensor(6);
    IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
        () -> new Bidirectional(LSTM.builder(5).build()).apply(x, List.of(h, h)));
    assertTrue(count.getMessage().contains("initial_state of 4 tensors (h_f, c_f, h_b, c_b). Received: 2 tensors"),
        count.getMessage());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> new Bidirectional(GRU.builder(5).build()).apply(x, List.of(h, wide)));
    assertTrue(shape.getMessage().contains("initial_state[0] of shape (None, 6)"), shape.getMessage());
    assertEquals(10, new Bidirectional(GRU.builder(5).build()).apply(x, List.of(h, h)).shape()[0]);
  }

  /**
   * Keras records {@code {"training": false, "mask": null}} as the kwargs of a recurrent call of one tensor, and its
   * Functional overrides that value with fit's {@code training=True} (functional.operation_fn). Keras' own
   * {@code lstm_dropout.keras} (LSTM and GRU, dropout 0.5, SGD(1e-9) so the weights all but stay) loads, predicts and
   * evaluates as Keras did; its config, read with a fixed seed, fits with dropout on: the training loss differs from
   * the inference loss, as Keras' fit_loss did. Reading the recorded value as a forced inference mode, as kerasj did, gives the same loss twice.
   */
  @Test
  void load_ofKerasFileRecordingTrainingFalse_fitsWithRecurrentDropoutOn(@TempDir Path dir) throws IOException {
    TensorBundle b = new TensorBundle(FIXTURES.resolve("lstm_dropout"));
    HostArray x = b.read("x", TFloat32.class);
    HostArray y = b.read("y", TFloat32.class);
    double kerasInference = b.read("evaluate/loss", TFloat32.class).floats()[0];
    double kerasTraining = b.read("fit_loss", TFloat32.class).floats()[0];
    assertTrue(Math.abs(kerasTraining - kerasInference) > 1e-3 * kerasInference, "Keras trained with dropout");
    Path file = FIXTURES.resolve("lstm_dropout.keras");
    try (Model model = Model.load(file)) {
      KerasParityTest.Diff diff = new KerasParityTest.Diff("lstm_dropout.keras");
      diff.compare("predict", b.read("predict", TFloat32.class).floats(), KerasParityTest.toFloats(model.predict(x, 32)));
      diff.compare("evaluate/loss", new float[] {(float) kerasInference},
          new float[] {model.evaluate(x, y, 32).get("loss").floatValue()});
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
    // Model.load draws its seed; the same file's config and weights with a fixed seed make the dropout draw repeat.
    Path weights = dir.resolve("model.weights.h5");
    String config;
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
      config = new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      java.nio.file.Files.copy(zip.getInputStream(zip.getEntry("model.weights.h5")), weights);
    }
    try (Model model = Model.fromJson(config, 11)) {
      model.loadWeights(weights);
      double inference = model.evaluate(x, y, 32).get("loss");
      assertEquals(kerasInference, inference, KerasParityTest.RTOL * kerasInference + KerasParityTest.ATOL);
      double training = model.fit(x, y, FitOptions.builder().epochs(1).batchSize(32).shuffle(false).verbose(0).build())
          .get("loss").get(0);
      assertTrue(Math.abs(training - inference) > 1e-3 * inference,
          "fit must run the recurrent dropout (seed 11): inference loss " + inference + ", training loss " + training);
    }
  }

}
