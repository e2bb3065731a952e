package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.KerasParityTest.Diff;
import dev.kerasj.callbacks.History;
import dev.kerasj.layers.Add;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.LayerNormalization;
import dev.kerasj.layers.Masking;
import dev.kerasj.layers.MaxPooling1D;
import dev.kerasj.layers.MultiHeadAttention;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.testing.LayerParityFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@link MultiHeadAttention} against real Keras 3.15.1: each case of {@code testdata/attention} (made by
 * python-interop/make_attention_fixtures.py) trains in Java from Keras' initial weights and must give Keras' history,
 * final weights, predictions and evaluation within {@link KerasParityTest}'s tolerance; Keras' trained
 * {@code .keras} and {@code .weights.h5} files must load in Java and predict what Keras predicted; and the trained
 * Java model must come back unchanged from its own {@code .keras}, {@code .weights.h5}, TF checkpoint and SavedModel.
 */
class AttentionParityTest {
  static final Path FIXTURES = Path.of("testdata", "attention");

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "encoder_digits", AttentionParityTest::encoderDigits,
      "masked_attention", AttentionParityTest::maskedAttention,
      "cross_attention", AttentionParityTest::crossAttention,
      "dropout_attention", () -> maskedAttention(0.25));

  /** The Transformer encoder block of the README. */
  static Model encoderDigits() {
    KerasTensor inputs = Input.tensor(8, 8);
    KerasTensor h = new Dense(16).apply(inputs);
    KerasTensor a = MultiHeadAttention.builder(2, 8).useCausalMask(true).build().apply(h, h);
    h = new LayerNormalization().apply(new Add().apply(h, a));
    KerasTensor f = new Dense(32, "relu").apply(h);
    f = new Dense(16).apply(f);
    h = new LayerNormalization().apply(new Add().apply(h, f));
    Model m = new Model(inputs, new Dense(10, "softmax").apply(new GlobalAveragePooling1D().apply(h)));
    m.compile(new SGD(0.1), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static Model maskedAttention() {
    return maskedAttention(0.0);
  }

  /** With dropout, Keras' other attention path; Keras' training draws its own random stream (inference compared). */
  static Model maskedAttention(double dropout) {
    Model m = maskedAttentionUncompiled(dropout);
    m.compile(new SGD(0.1), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  static Model maskedAttentionUncompiled(double dropout) {
    KerasTensor steps = Input.tensor("steps", 10, 3);
    KerasTensor h = new Dense(8, "tanh").apply(new Masking().apply(steps));
    KerasTensor a = MultiHeadAttention.builder(2, 4).dropout(dropout).useCausalMask(true).build().apply(h, h);
    return new Model(steps, new Dense(1, "sigmoid").apply(new GlobalAveragePooling1D().apply(a)));
  }

  static Model crossAttention() {
    KerasTensor inputs = Input.tensor(8, 8);
    KerasTensor query = new Dense(6).apply(inputs);
    KerasTensor pooled = new MaxPooling1D(2).apply(inputs);
    KerasTensor value = new Dense(5).apply(pooled);
    KerasTensor key = new Dense(3).apply(pooled);
    KerasTensor a = MultiHeadAttention.builder(3, 4).valueDim(2).outputShape(12).useBias(false).build()
        .apply(query, value, key);
    Model m = new Model(inputs, new Dense(10, "softmax").apply(new GlobalAveragePooling1D().apply(a)));
    m.compile(new SGD(0.1), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** One case's bundle, with x and y read as the case's dtypes. */
  static LayerParityFixture fixture(String name) {
    return LayerParityFixture.load(FIXTURES, name, TFloat32.class,
        name.equals("masked_attention") || name.equals("dropout_attention") ? TFloat32.class : TInt32.class);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"encoder_digits", "masked_attention", "cross_attention"})
  void fit_fromKerasInitialWeights_matchesKerasHistoryWeightsAndPredictions(String name) {
    LayerParity.assertFitMatchesKeras(name, fixture(name), CASES.get(name));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"encoder_digits", "masked_attention", "cross_attention", "dropout_attention"})
  void load_ofKerasWrittenKerasFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = Model.load(FIXTURES.resolve(name + ".keras"))) {
      LayerParity.assertPredictsLikeKeras(name + ".keras", fixture(name), model);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"encoder_digits", "masked_attention", "cross_attention", "dropout_attention"})
  void loadWeights_ofKerasWrittenWeightsFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = CASES.get(name).get()) {
      model.loadWeights(FIXTURES.resolve(name + ".weights.h5"));
      LayerParity.assertPredictsLikeKeras(name + ".weights.h5", fixture(name), model);
    }
  }

  /** Keras' own TF object-based checkpoint (model and optimizer tracked) restores into the Java model. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"encoder_digits", "masked_attention", "cross_attention", "dropout_attention"})
  void loadWeights_ofKerasWrittenTfCheckpoint_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = CASES.get(name).get()) {
      model.loadWeights(FIXTURES.resolve(name + "_ckpt").resolve("ckpt-1"));
      LayerParity.assertPredictsLikeKeras(name + " Keras TF checkpoint", fixture(name), model);
    }
  }

  /** Keras' trained weights, written by Java in every format and read back by Java, predict the same values. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"encoder_digits", "masked_attention", "cross_attention", "dropout_attention"})
  void javaWrittenFiles_inEveryFormat_roundTripTheTrainedModel(String name, @TempDir Path dir) throws IOException {
    LayerParity.assertRoundTripsInEveryFormat(name, fixture(name), CASES.get(name), dir);
  }

  /** With Keras' trained weights, the dropout model evaluates as Keras did (dropout is off outside training). */
  @org.junit.jupiter.api.Test
  void evaluate_withDropout_matchesKerasInference() {
    LayerParityFixture f = fixture("dropout_attention");
    try (Model model = CASES.get("dropout_attention").get()) {
      model.setWeights(f.weights("final", model.weights()));
      Diff diff = new Diff("dropout_attention evaluate");
      LayerParity.compareEvaluate(diff, f, model);
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  /**
   * Dropout acts in training only, reproducibly for a model seed: with a learning rate of 1e-9 (weights fixed), the
   * training loss differs from the inference loss on the same rows, and is the same in a second identical run.
   */
  @org.junit.jupiter.api.Test
  void fit_withDropout_dropsInTrainingOnly_reproduciblyForASeed() {
    LayerParityFixture f = fixture("dropout_attention");
    double[] trainingLoss = new double[2];
    double inferenceLoss = 0;
    for (int run = 0; run < 2; run++) {
      try (Model model = maskedAttentionUncompiled(0.25)) {
        model.setSeed(7);
        model.compile(new SGD(1e-9), new BinaryCrossentropy()); // weights stay put to ~1e-9
        model.setWeights(f.weights("final", model.weights()));
        History h = model.fit(f.x(), f.y(), FitOptions.builder().epochs(1).batchSize(f.batchSize()).shuffle(false)
            .verbose(0).build());
        trainingLoss[run] = h.history().get("loss").get(0);
        inferenceLoss = model.evaluate(f.x(), f.y(), f.batchSize()).get("loss");
      }
    }
    assertEquals(trainingLoss[0], trainingLoss[1], 0.0, "same seed, same dropout masks");
    org.junit.jupiter.api.Assertions.assertTrue(Math.abs(trainingLoss[0] - inferenceLoss) > 1e-4,
        "training loss " + trainingLoss[0] + " should differ from inference loss " + inferenceLoss);
  }

  /** Parameter counts are Keras' ({@code model.count_params()} of the loaded fixtures), and summary() names the layer. */
  @org.junit.jupiter.api.Test
  void countParamsAndSummary_matchKeras() {
    try (Model encoder = encoderDigits(); Model cross = crossAttention()) {
      assertEquals(2538, encoder.countParams());
      assertEquals(1088, encoder.getLayer("multi_head_attention").countParams());
      assertEquals(466, cross.countParams());
      assertEquals(210, cross.getLayer("multi_head_attention").countParams());
      String summary = encoder.summary();
      org.junit.jupiter.api.Assertions.assertTrue(
          summary.contains("multi_head_attention (MultiHeadAttention)") && summary.contains("1,088"), summary);
    }
  }
}
