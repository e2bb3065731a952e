package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.layers.AdditiveAttention;
import dev.kerasj.layers.Attention;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.testing.LayerParityFixture;
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
 * {@link Attention} and {@link AdditiveAttention} against real Keras 3.15.1: each case of
 * {@code testdata/attention_layers} (python-interop/make_attention_layers_fixtures.py) trains in Java from Keras'
 * initial weights to Keras' history, final weights, predictions and evaluation within {@link KerasParityTest}'s
 * tolerance; Keras' {@code .keras} and {@code .weights.h5} load in Java and predict Keras' values; Java's own four
 * formats bring the trained model back bit for bit.
 */
class AttentionLayersParityTest {
  static final Path FIXTURES = Path.of("testdata", "attention_layers");

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "attention_text", AttentionLayersParityTest::attentionText,
      "attention_concat", AttentionLayersParityTest::attentionConcat,
      "additive_text", AttentionLayersParityTest::additiveText);

  /** Causal, scaled dot-product self-attention over masked token embeddings, pooled into a binary classifier. */
  static Model attentionText() {
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 10);
    KerasTensor e = Embedding.builder(20, 8).maskZero(true).build().apply(ids);
    KerasTensor a = Attention.builder().useScale(true).useCausalMask(true).build().apply(e, e);
    Model m = new Model(ids, new Dense(1, "sigmoid").apply(new GlobalAveragePooling1D().apply(a)));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  /** Concat scores with a scale: a Dense query over the digit rows as value and key. */
  static Model attentionConcat() {
    KerasTensor x = Input.tensor("input_layer", 8, 8);
    KerasTensor a = Attention.builder().scoreMode("concat").useScale(true).build()
        .apply(new Dense(8).apply(x), x, x);
    Model m = new Model(x, new Dense(10, "softmax").apply(new GlobalAveragePooling1D().apply(a)));
    m.compile(new SGD(0.1), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** Additive attention with a separate key, its scores (a second output) flattened into the classifier too. */
  static Model additiveText() {
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 10);
    KerasTensor e = Embedding.builder(20, 8).maskZero(true).build().apply(ids);
    List<KerasTensor> outs = AdditiveAttention.builder().returnAttentionScores(true).build()
        .applyOutputs(e, e, new Dense(8).apply(e));
    KerasTensor both = new Concatenate().apply(List.of(new GlobalAveragePooling1D().apply(outs.get(0)),
        new Flatten().apply(outs.get(1))));
    Model m = new Model(ids, new Dense(1, "sigmoid").apply(both));
    m.compile(new SGD(0.1), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  static LayerParityFixture fixture(String name) {
    boolean digits = name.equals("attention_concat");
    return LayerParityFixture.load(FIXTURES, name, digits ? TFloat32.class : TInt32.class,
        digits ? TInt32.class : TFloat32.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"attention_text", "attention_concat", "additive_text"})
  void fit_fromKerasInitialWeights_matchesKerasHistoryWeightsAndPredictions(String name) {
    LayerParity.assertFitMatchesKeras(name, fixture(name), CASES.get(name));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"attention_text", "attention_concat", "additive_text"})
  void load_ofKerasWrittenKerasFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = Model.load(FIXTURES.resolve(name + ".keras"))) {
      LayerParity.assertPredictsLikeKeras(name + ".keras", fixture(name), model);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"attention_text", "attention_concat", "additive_text"})
  void loadWeights_ofKerasWrittenWeightsFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = CASES.get(name).get()) {
      model.loadWeights(FIXTURES.resolve(name + ".weights.h5"));
      LayerParity.assertPredictsLikeKeras(name + ".weights.h5", fixture(name), model);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"attention_text", "attention_concat", "additive_text"})
  void trainedModel_roundTripsThroughEveryJavaFormat_bitForBit(String name, @TempDir Path dir) throws IOException {
    LayerParity.assertRoundTripsInEveryFormat(name, fixture(name), CASES.get(name), dir);
  }

  @Test
  void weights_areKerasNamesAndShapes() {
    KerasTensor q = Input.tensor(4, 3);
    Attention dot = Attention.builder().useScale(true).scoreMode("concat").build();
    AdditiveAttention additive = new AdditiveAttention();
    KerasTensor y = new Concatenate().apply(List.of(dot.apply(q, q), additive.apply(q, q)));
    try (Model m = new Model(q, y)) {
      m.build();
      assertEquals(List.of("attention/scale", "attention/concat_score_weight", "additive_attention/scale"),
          m.weights().stream().map(dev.kerasj.layers.Weight::path).toList());
      assertArrayEquals(new long[0], dot.weights().get(0).shape());
      assertArrayEquals(new long[] {3}, additive.weights().get(0).shape());
    }
  }

  @Test
  void badArguments_areRefusedInKerasWords() {
    IllegalArgumentException mode = assertThrows(IllegalArgumentException.class,
        () -> Attention.builder().scoreMode("sum").build());
    assertTrue(mode.getMessage().contains("{'dot', 'concat'}") && mode.getMessage().contains("score_mode=sum"),
        mode.getMessage());
    IllegalArgumentException rate = assertThrows(IllegalArgumentException.class,
        () -> AdditiveAttention.builder().dropout(1.0).build());
    assertTrue(rate.getMessage().contains("dropout=1.0"), rate.getMessage());
    KerasTensor q = Input.tensor(4, 3);
    IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> new Attention().apply(q));
    assertTrue(one.getMessage().contains("[query, value] or [query, value, key]"), one.getMessage());
    IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
        () -> new Attention().apply(q, Input.tensor(5, 2)));
    assertTrue(dims.getMessage().contains("(None, 4, 3)") && dims.getMessage().contains("(None, 5, 2)"),
        dims.getMessage());
    IllegalArgumentException scores = assertThrows(IllegalArgumentException.class,
        () -> Attention.builder().returnAttentionScores(true).build().apply(q, q));
    assertTrue(scores.getMessage().contains("applyOutputs"), scores.getMessage());
  }

  /** With dropout, training differs from inference on fixed weights; inference ignores it. */
  @Test
  void dropout_actsInTrainingOnly() {
    KerasTensor ids = Input.tensor("ids", Input.DType.INT32, 6);
    KerasTensor e = new Embedding(10, 4).apply(ids);
    KerasTensor a = Attention.builder().dropout(0.5).build().apply(e, e);
    int[][] x = {{1, 2, 3, 4, 5, 6}, {6, 5, 4, 3, 2, 1}, {1, 1, 2, 2, 3, 3}, {9, 8, 7, 6, 5, 4}};
    float[] y = {0, 1, 0, 1};
    try (Model m = new Model(ids, new Dense(1, "sigmoid").apply(new GlobalAveragePooling1D().apply(a)))) {
      m.setSeed(7);
      m.compile(new SGD(1e-9), new BinaryCrossentropy()); // a learning rate too small to move the weights
      double inference = m.evaluate(x, y, 4).get("loss");
      assertEquals(inference, m.evaluate(x, y, 4).get("loss"), 0.0, "inference is deterministic");
      double trained = m.fit(x, y, FitOptions.builder().epochs(1).batchSize(4).shuffle(false).verbose(0).build())
          .history().get("loss").get(0);
      assertTrue(Math.abs(trained - inference) > 1e-6, "training loss " + trained + " vs inference " + inference);
    }
  }
}
