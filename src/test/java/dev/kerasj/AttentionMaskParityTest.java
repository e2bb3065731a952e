package dev.kerasj;

import static dev.kerasj.KerasParityTest.toFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.KerasParityTest.Diff;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.MultiHeadAttention;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.testing.LayerParityFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * MultiHeadAttention's explicit {@code attention_mask} (a second model input) and its attention scores output
 * ({@code return_attention_scores}) against real Keras 3.15.1 ({@code testdata/attention_mask},
 * python-interop/make_attention_mask_fixtures.py): training from Keras' initial weights gives Keras' history, final
 * weights, predictions and evaluation within {@link KerasParityTest}'s tolerance; Keras' {@code .keras} and
 * {@code .weights.h5} load and predict Keras' values; Java's four formats bring the trained model back bit for bit.
 * Also writes, for python-interop/tests/test_java_attention_mask_files.py, Java's files of each case.
 */
class AttentionMaskParityTest {
  static final Path FIXTURES = Path.of("testdata", "attention_mask");

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "mha_scores", () -> model(true),
      "mha_mask_causal", () -> model(false));

  /** ids and allowed [10, 10] (int32, nonzero = may attend) into MultiHeadAttention(2, 4) over masked embeddings. */
  static Model model(boolean scores) {
    KerasTensor ids = Input.tensor("ids", Input.DType.INT32, 10);
    KerasTensor allowed = Input.tensor("allowed", Input.DType.INT32, 10, 10);
    KerasTensor e = Embedding.builder(20, 8).maskZero(true).build().apply(ids);
    KerasTensor features;
    if (scores) {
      List<KerasTensor> out = MultiHeadAttention.builder(2, 4).returnAttentionScores(true).build()
          .applyOutputs(e, e, null, allowed);
      features = new Concatenate().apply(List.of(new GlobalAveragePooling1D().apply(out.get(0)),
          new Flatten().apply(out.get(1))));
    } else {
      features = new GlobalAveragePooling1D().apply(
          MultiHeadAttention.builder(2, 4).useCausalMask(true).build().apply(e, e, null, allowed));
    }
    Model m = new Model(List.of(ids, allowed), List.of(new Dense(1, "sigmoid").apply(features)));
    m.compile(new SGD(0.1), new BinaryCrossentropy(), "accuracy");
    return m;
  }

  record Data(LayerParityFixture f, List<HostArray> x, List<HostArray> xVal) {}

  static Data data(String name) {
    LayerParityFixture f = LayerParityFixture.load(FIXTURES, name, TInt32.class, TFloat32.class);
    return new Data(f, List.of(f.x(), f.bundle().read("x_mask", TInt32.class)),
        List.of(f.xVal(), f.bundle().read("x_mask_val", TInt32.class)));
  }

  static float[] predict(Model m, Data d) {
    return toFloats(m.predict(d.xVal(), d.f().batchSize()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mha_scores", "mha_mask_causal"})
  void fit_fromKerasInitialWeights_matchesKerasHistoryWeightsAndPredictions(String name) {
    Data d = data(name);
    LayerParity.assertFitMatchesKeras(name, d.f(), CASES.get(name), d.x(), d.xVal());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mha_scores", "mha_mask_causal"})
  void kerasWrittenFiles_loadAndPredictWhatKerasPredicted(String name) throws IOException {
    Data d = data(name);
    Diff diff = new Diff(name + " Keras files");
    try (Model model = Model.load(FIXTURES.resolve(name + ".keras"))) {
      diff.compare(".keras", d.f().kerasPredictions(), predict(model, d));
    }
    try (Model model = CASES.get(name).get()) {
      model.loadWeights(FIXTURES.resolve(name + ".weights.h5"));
      diff.compare(".weights.h5", d.f().kerasPredictions(), predict(model, d));
    }
    diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mha_scores", "mha_mask_causal"})
  void trainedModel_roundTripsThroughEveryJavaFormat_bitForBit(String name, @TempDir Path dir) throws IOException {
    Data d = data(name);
    Supplier<Model> build = CASES.get(name);
    try (Model trained = build.get()) {
      trained.setWeights(d.f().weights("final", trained.weights()));
      float[] expected = predict(trained, d);
      Diff diff = new Diff(name + " java round trips");
      trained.save(dir.resolve("m.keras"));
      try (Model back = Model.load(dir.resolve("m.keras"))) {
        diff.compare(".keras", expected, predict(back, d));
      }
      trained.saveWeights(dir.resolve("m.weights.h5"));
      try (Model back = build.get()) {
        back.loadWeights(dir.resolve("m.weights.h5"));
        diff.compare(".weights.h5", expected, predict(back, d));
      }
      Path prefix = dir.resolve("ckpt").resolve("ckpt-1");
      Files.createDirectories(prefix.getParent());
      trained.saveWeights(prefix);
      try (Model back = build.get()) {
        back.loadWeights(prefix);
        diff.compare("tf checkpoint", expected, predict(back, d));
      }
      trained.save(dir.resolve("saved"));
      try (Model back = Model.load(dir.resolve("saved"))) {
        diff.compare("savedmodel", expected, predict(back, d));
      }
      diff.assertWithin(0, 0);
    }
  }

  /**
   * Writes under {@code <kerasj.interopDir>/attention_mask/}: {@code <case>.keras}, {@code <case>.weights.h5} and
   * {@code <case>.json} (x_val's ids and masks, Java's predictions) with Keras' trained weights; after one more epoch
   * in Java, {@code <case>_savedmodel/}, {@code <case>_ckpt/ckpt-1} and {@code <case>_tf.json}.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mha_scores", "mha_mask_causal"})
  void writeAttentionMaskFilesForPython(String name) throws IOException {
    Path dir = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("attention_mask");
    Files.createDirectories(dir);
    Data d = data(name);
    try (Model model = CASES.get(name).get()) {
      model.setWeights(d.f().weights("final", model.weights()));
      model.save(dir.resolve(name + ".keras"));
      model.saveWeights(dir.resolve(name + ".weights.h5"));
      Files.writeString(dir.resolve(name + ".json"), "{\"ids\": " + java.util.Arrays.toString(d.xVal().get(0).ints())
          + ", \"allowed\": " + java.util.Arrays.toString(d.xVal().get(1).ints()) + ", \"predict\": "
          + LayerParity.jsonFloats(predict(model, d)) + "}\n", StandardCharsets.UTF_8);
      model.fit(d.x(), d.f().y(), FitOptions.builder().epochs(1).batchSize(d.f().batchSize()).shuffle(false)
          .verbose(0).build());
      dev.kerasj.saving.DurableFiles.deleteRecursively(dir.resolve(name + "_savedmodel"));
      dev.kerasj.saving.DurableFiles.deleteRecursively(dir.resolve(name + "_ckpt"));
      Files.createDirectories(dir.resolve(name + "_ckpt"));
      model.save(dir.resolve(name + "_savedmodel"));
      model.saveWeights(dir.resolve(name + "_ckpt").resolve("ckpt-1"));
      Files.writeString(dir.resolve(name + "_tf.json"), "{\"predict\": " + LayerParity.jsonFloats(predict(model, d))
          + "}\n", StandardCharsets.UTF_8);
    }
  }

  @Test
  void attentionMask_ofWrongShape_isRefusedNamingTheExpectedShape() {
    KerasTensor q = Input.tensor(4, 3);
    KerasTensor v = Input.tensor(5, 3);
    KerasTensor bad = Input.tensor("bad", Input.DType.INT32, 5, 4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MultiHeadAttention.builder(2, 2).build().apply(q, v, null, bad));
    assertTrue(e.getMessage().contains("(None, 4, 5)") && e.getMessage().contains("(None, 5, 4)"), e.getMessage());
  }

  @Test
  void returnAttentionScores_givesHeadsByQueryByValueWeightsSummingToOne() {
    KerasTensor q = Input.tensor("q", 4, 3);
    KerasTensor v = Input.tensor("v", 5, 3);
    List<KerasTensor> out = MultiHeadAttention.builder(2, 2).returnAttentionScores(true).build().applyOutputs(q, v);
    assertEquals(List.of(2L, 4L, 5L), java.util.Arrays.stream(out.get(1).shape()).boxed().toList());
    float[][][] qs = new float[3][4][3];
    float[][][] vs = new float[3][5][3];
    for (int b = 0; b < 3; b++) {
      for (int t = 0; t < 5; t++) {
        vs[b][t] = new float[] {0.1f * t, -0.2f * b, 0.3f};
        if (t < 4) {
          qs[b][t] = new float[] {0.2f * b, 0.1f * t, -0.4f};
        }
      }
    }
    try (Model m = new Model(List.of(q, v), List.of(new Flatten().apply(out.get(1))))) {
      m.setSeed(11);
      float[] w = toFloats(m.predict(List.of(qs, vs)));
      assertEquals(3 * 2 * 4 * 5, w.length);
      for (int row = 0; row < w.length / 5; row++) {
        double sum = 0;
        for (int s = 0; s < 5; s++) {
          sum += w[row * 5 + s];
        }
        assertEquals(1.0, sum, 1e-6, "softmax row " + row);
      }
    }
  }
}
