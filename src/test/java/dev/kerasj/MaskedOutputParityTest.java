package dev.kerasj;

import static dev.kerasj.KerasParityTest.toFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Add;
import dev.kerasj.layers.Average;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.GRU;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.LSTM;
import dev.kerasj.layers.Masking;
import dev.kerasj.layers.Maximum;
import dev.kerasj.layers.Merge;
import dev.kerasj.layers.Minimum;
import dev.kerasj.layers.Multiply;
import dev.kerasj.layers.Subtract;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.LayerParityFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Masks against real Keras 3.15.1 ({@code testdata/rnn}, python-interop/make_rnn_fixtures.py): a model output that
 * carries a mask weighs its loss and mean metrics by it (padded steps count for nothing, Keras' denominator), and
 * masks pass through the merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate) as Keras'
 * do. Each case trains in Java from Keras' initial weights and must give Keras' history ({@code loss},
 * {@code accuracy}/{@code mae} and their {@code val_} twins), final weights, predictions and evaluation within
 * {@link KerasParityTest}'s tolerance.
 */
class MaskedOutputParityTest {
  static final Path FIXTURES = RecurrentParityTest.FIXTURES;

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "masked_sequence_labels", MaskedOutputParityTest::maskedSequenceLabels,
      "masked_sequence_regression", MaskedOutputParityTest::maskedSequenceRegression,
      "masked_merges", MaskedOutputParityTest::maskedMerges);

  /** Embedding(20, 6, maskZero) -> LSTM(5, returnSequences) -> Dense(3) softmax per step. */
  static Model maskedSequenceLabels() {
    Sequential m = new Sequential(Input.of(Input.DType.INT32, 10), Embedding.builder(20, 6).maskZero(true).build(),
        LSTM.builder(5).returnSequences(true).build(), new Dense(3, "softmax"));
    m.compile(new Adam(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** Masking -> GRU(4, returnSequences) -> Dense(1) per step; mse, mae. */
  static Model maskedSequenceRegression() {
    Sequential m = new Sequential(Input.of(10, 3), new Masking(), GRU.builder(4).returnSequences(true).build(),
        new Dense(1));
    m.compile(new Adam(1e-2), new MeanSquaredError(), "mae");
    return m;
  }

  /**
   * The Functional model of make_rnn_fixtures.masked_merges, layer for layer. The Concatenate layers are named
   * ({@code join_*}): Keras computes a Concatenate's mask with an op that takes the next free name of the
   * {@code concatenate} family, so a config whose Concatenate layers already hold those names (Java's defaults,
   * {@code concatenate}, {@code concatenate_1} ...) cannot be rebuilt by Keras ("The name "concatenate" is used 2
   * times in the model"), a Keras 3.15 limitation that pure Keras hits too.
   */
  static Model maskedMerges() {
    KerasTensor a = Input.tensor("a", Input.DType.INT32, 10);
    KerasTensor b = Input.tensor("b", Input.DType.INT32, 10);
    KerasTensor ea = Embedding.builder(20, 4).maskZero(true).build().apply(a);
    KerasTensor eb = Embedding.builder(20, 4).maskZero(true).build().apply(b);
    KerasTensor plain = Embedding.builder(20, 4).build().apply(b);
    List<KerasTensor> pooled = new ArrayList<>();
    for (Supplier<Merge> merge : List.<Supplier<Merge>>of(Add::new, Subtract::new, Multiply::new, Average::new,
        Maximum::new, Minimum::new, () -> new Concatenate(-1, "join_masked"))) {
      pooled.add(new GlobalAveragePooling1D().apply(merge.get().apply(List.of(ea, eb))));
    }
    for (Supplier<Merge> merge : List.<Supplier<Merge>>of(Maximum::new, Multiply::new,
        () -> new Concatenate(-1, "join_unmasked"))) {
      pooled.add(new GlobalAveragePooling1D().apply(merge.get().apply(List.of(ea, plain))));
    }
    pooled.add(new LSTM(3).apply(new Concatenate(1, "join_steps").apply(List.of(ea, eb))));
    Model m = new Model(List.of(a, b), List.of(new Dense(1, "sigmoid").apply(
        new Concatenate(-1, "join_features").apply(pooled))));
    m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  static LayerParityFixture fixture(String name) {
    boolean tokens = !name.equals("masked_sequence_regression");
    return LayerParityFixture.load(FIXTURES, name, tokens ? TInt32.class : TFloat32.class,
        name.equals("masked_sequence_labels") ? TInt32.class : TFloat32.class);
  }

  /** The model's inputs: the fixture's x, or its two stacked inputs of masked_merges as a list. */
  static Object inputs(String name, HostArray x) {
    if (!name.equals("masked_merges")) {
      return x;
    }
    long[] shape = x.shape();
    long[] one = java.util.Arrays.copyOfRange(shape, 1, shape.length);
    return List.of(x.rows(0, 1).reshape(one), x.rows(1, 2).reshape(one));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"masked_sequence_labels", "masked_sequence_regression", "masked_merges"})
  void fit_fromKerasInitialWeights_matchesKerasHistoryWeightsAndPredictions(String name) {
    LayerParityFixture f = fixture(name);
    LayerParity.assertFitMatchesKeras(name, f, CASES.get(name), inputs(name, f.x()), inputs(name, f.xVal()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"masked_sequence_labels", "masked_sequence_regression"})
  void load_ofKerasWrittenKerasFile_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = Model.load(FIXTURES.resolve(name + ".keras"))) {
      LayerParity.assertPredictsLikeKeras(name + ".keras", fixture(name), model);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"masked_sequence_labels", "masked_sequence_regression", "masked_merges"})
  void loadWeights_ofKerasWrittenWeightsFile_predictsWhatKerasPredicted(String name) throws IOException {
    LayerParityFixture f = fixture(name);
    try (Model model = CASES.get(name).get()) {
      model.loadWeights(FIXTURES.resolve(name + ".weights.h5"));
      KerasParityTest.Diff diff = new KerasParityTest.Diff(name + ".weights.h5");
      diff.compare("predict", f.kerasPredictions(), toFloats(model.predict(inputs(name, f.xVal()), f.batchSize())));
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  /**
   * Keras writes the merged masks of masked_merges into its config as op layers (NotEqual, LogicalOr, ExpandDims,
   * ZerosLike, OnesLike, a Concatenate of boolean masks, Any) passed as mask=; kerasj recognises them as the masks
   * Keras' merge layers compute, recomputes them itself, and predicts Keras' values from Keras' own archive.
   */
  @Test
  void load_ofKerasWrittenMergedMasks_predictsWhatKerasPredicted() throws IOException {
    LayerParityFixture f = fixture("masked_merges");
    try (Model model = Model.load(FIXTURES.resolve("masked_merges.keras"))) {
      assertEquals(List.of("a", "b"), model.inputNames());
      KerasParityTest.Diff diff = new KerasParityTest.Diff("masked_merges.keras");
      diff.compare("predict", f.kerasPredictions(),
          toFloats(model.predict(inputs("masked_merges", f.xVal()), f.batchSize())));
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  /** masked_merges' config with one op layer changed by {@code edit}. */
  private static String mergesConfigWith(java.util.function.Consumer<ObjectNode> edit) throws IOException {
    JsonNode root;
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(FIXTURES.resolve("masked_merges.keras").toFile())) {
      root = dev.kerasj.saving.keras.KerasJson.parse(zip.getInputStream(zip.getEntry("config.json")).readAllBytes());
    }
    for (JsonNode l : root.path("config").path("layers")) {
      if (l.path("name").asText().equals("logical_or")) { // the mask Keras passes to the Add's pooling
        edit.accept((ObjectNode) l);
      }
    }
    return root.toString();
  }

  /**
   * An op layer kerasj does not know (here LogicalAnd where Keras wrote LogicalOr) is refused. It takes the NotEqual
   * masks of both inputs, which so are no longer used by skipped op layers only: the refusal names the first op layer
   * of the config that kerasj cannot skip, not_equal.
   */
  @Test
  void fromJson_mergedMaskOfAnUnknownOp_isRefusedNamingTheOpLayer() throws IOException {
    String config = mergesConfigWith(l -> {
      l.put("class_name", "LogicalAnd");
      l.put("registered_name", "LogicalAnd");
    });
    dev.kerasj.saving.IncompatibleModelException e = assertThrows(dev.kerasj.saving.IncompatibleModelException.class,
        () -> Model.fromJson(config));
    assertTrue(e.getMessage().contains("'not_equal' (NotEqual): layer class 'NotEqual' is not supported"),
        e.getMessage());
  }

  /**
   * Known op layers computing another mask than Keras' merge would (here the Add's mask as a OR a, not a OR b) are
   * not taken for the merge's mask: kerasj would compute a OR b, so the config is refused, naming (as above) the first
   * op layer it cannot skip.
   */
  @Test
  void fromJson_mergedMaskOtherThanTheMergesOwn_isRefused() throws IOException {
    String config = mergesConfigWith(l -> {
      ArrayNode args = (ArrayNode) l.path("inbound_nodes").get(0).path("args");
      args.set(1, args.get(0).deepCopy());
    });
    dev.kerasj.saving.IncompatibleModelException e = assertThrows(dev.kerasj.saving.IncompatibleModelException.class,
        () -> Model.fromJson(config));
    assertTrue(e.getMessage().contains("'not_equal' (NotEqual): layer class 'NotEqual' is not supported"),
        e.getMessage());
  }

  /** Keras' trained merges model, written by Java as .keras and .weights.h5, reads back into the same predictions. */
  @Test
  void javaWrittenFiles_ofMaskedMerges_roundTripTheTrainedModel(@TempDir Path dir) throws IOException {
    LayerParityFixture f = fixture("masked_merges");
    Object xVal = inputs("masked_merges", f.xVal());
    try (Model trained = maskedMerges()) {
      trained.setWeights(f.weights("final", trained.weights()));
      float[] expected = toFloats(trained.predict(xVal, f.batchSize()));
      KerasParityTest.Diff diff = new KerasParityTest.Diff("masked_merges java round trips");
      trained.save(dir.resolve("m.keras"));
      try (Model back = Model.load(dir.resolve("m.keras"))) {
        diff.compare(".keras", expected, toFloats(back.predict(xVal, f.batchSize())));
      }
      trained.saveWeights(dir.resolve("m.weights.h5"));
      try (Model back = maskedMerges()) {
        back.loadWeights(dir.resolve("m.weights.h5"));
        diff.compare(".weights.h5", expected, toFloats(back.predict(xVal, f.batchSize())));
      }
      diff.assertWithin(0, 0);
    }
  }

  /** Keras' trained weights, written by Java in every format and read back by Java, predict the same values. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"masked_sequence_labels", "masked_sequence_regression"})
  void javaWrittenFiles_inEveryFormat_roundTripTheTrainedModel(String name, @TempDir Path dir) throws IOException {
    LayerParity.assertRoundTripsInEveryFormat(name, fixture(name), CASES.get(name), dir);
  }

  /**
   * Keras' rule, checked on Java's own predictions: evaluate's loss and accuracy on a masked per-step output are
   * the means over unmasked steps (here one batch, so no batch weighting), which differ from the means over all
   * steps since the labels at padded steps are random.
   */
  @Test
  void evaluate_onMaskedOutput_averagesOverUnmaskedStepsOnly() {
    LayerParityFixture f = fixture("masked_sequence_labels");
    HostArray x = f.xVal().rows(0, 32);
    HostArray y = f.yVal().rows(0, 32);
    try (Model m = maskedSequenceLabels()) {
      m.setWeights(f.weights("final", m.weights()));
      float[] p = toFloats(m.predict(x, 32));
      int[] ids = x.ints();
      int[] labels = y.ints();
      double loss = 0;
      double correct = 0;
      double plainLoss = 0;
      int valid = 0;
      for (int i = 0; i < ids.length; i++) {
        double ce = -Math.log(p[i * 3 + labels[i]]);
        int argmax = 0;
        for (int c = 1; c < 3; c++) {
          argmax = p[i * 3 + c] > p[i * 3 + argmax] ? c : argmax;
        }
        plainLoss += ce / ids.length;
        if (ids[i] != 0) {
          valid++;
          loss += ce;
          correct += argmax == labels[i] ? 1 : 0;
        }
      }
      assertTrue(valid > 0 && valid < ids.length, "the batch has padded and real steps: " + valid);
      Map<String, Double> logs = m.evaluate(x, y, 32);
      assertEquals(loss / valid, logs.get("loss"), 1e-6 + 1e-5 * loss / valid, "masked mean loss");
      assertEquals(correct / valid, logs.get("accuracy"), 1e-6, "masked accuracy");
      assertTrue(Math.abs(plainLoss - loss / valid) > 1e-4, "the padded steps would change the loss: "
          + plainLoss + " vs " + loss / valid);
    }
  }

  /** A batch whose every step is masked has loss 0 and adds nothing to accuracy's count (Keras' divide_no_nan). */
  @Test
  void evaluate_everyStepMasked_givesZeroLossAndNoAccuracyCount() {
    LayerParityFixture f = fixture("masked_sequence_labels");
    try (Model m = maskedSequenceLabels()) {
      m.setWeights(f.weights("final", m.weights()));
      Map<String, Double> logs = m.evaluate(HostArray.ofInts(new long[] {2, 10}, new int[20]),
          HostArray.ofInts(new long[] {2, 10}, new int[20]), 2);
      assertEquals(0.0, logs.get("loss"), 0.0);
      assertEquals(0.0, logs.get("accuracy"), 0.0);
    }
  }

  /** A loss that builds only its reduced value cannot be masked as Keras masks: refused, naming loss and output. */
  @Test
  void compile_lossWithoutValuesOnMaskedOutput_isRefused() {
    Loss reducedOnly = new Loss() {
      @Override
      public String name() {
        return "reduced_only";
      }

      @Override
      public boolean sparseLabels() {
        return true;
      }

      @Override
      public Operand<TFloat32> call(Ops tf, Operand<?> yTrue, Operand<TFloat32> yPred) {
        return tf.math.mean(yPred, tf.constant(new int[] {0, 1, 2}));
      }
    };
    try (Sequential m = new Sequential(Input.of(Input.DType.INT32, 10), Embedding.builder(20, 6).maskZero(true)
        .build(), LSTM.builder(5).returnSequences(true).build(), new Dense(3, "softmax"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.compile(new Adam(1e-2), reducedOnly));
      assertTrue(e.getMessage().contains("reduced_only") && e.getMessage().contains("carries a mask")
          && e.getMessage().contains("Fix:"), e.getMessage());
    }
  }
}
