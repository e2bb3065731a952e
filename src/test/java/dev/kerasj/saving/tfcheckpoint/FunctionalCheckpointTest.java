package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CHECKPOINT_FIXTURES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Weight;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.testing.FunctionalCases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Functional and nested models in TF object-based checkpoints, against golden files from real Keras 3.15.1 (the
 * {@code functional_*} and {@code layout_functional_*} cases of {@code python-interop/make_checkpoint_fixtures.py},
 * among them two outputs with loss weights, a residual Add and a shared layer):
 * kerasj writes Keras' object graph (no {@code _functional} wrapper, Input layers among {@code _operations}, a nested
 * model's layers under its own node) and restores what Keras wrote. Also leaves a Java-written checkpoint for
 * {@code python-interop/tests/test_java_checkpoints.py}.
 */
class FunctionalCheckpointTest {
  /** The models of make_checkpoint_fixtures.py's Functional cases, by case name. */
  static final Map<String, Supplier<Model>> CASES = Map.of(
      "functional_two_input_adam", () -> twoInput(false),
      "layout_functional_frozen_adam", () -> twoInput(true),
      "layout_functional_nested_adam", FunctionalCheckpointTest::nested,
      "layout_functional_nested_sequential_adam", FunctionalCheckpointTest::nestedSequential);

  /**
   * Cases whose Python model is the {@code testdata/functional} case of the same architecture and compile arguments:
   * Java builds them with {@link FunctionalCases}, compiled (metrics included) as that case.
   */
  static final Map<String, String> FUNCTIONAL_FIXTURE_CASES = Map.of(
      "functional_two_output_sgd_momentum", "two_output",
      "functional_residual_add_rmsprop", "residual_add",
      "functional_shared_layer_adam", "shared_layer");

  /** Python's {@code two_input}: {@code Model([a, b], digit)}, each half of a digit through its own Dense. */
  static Model twoInput(boolean frozen) {
    KerasTensor a = Input.tensor("a", 32);
    KerasTensor b = Input.tensor("b", 32);
    Dense aDense = Dense.builder(16).activation("relu").name("a_dense").build();
    aDense.setTrainable(!frozen);
    KerasTensor h = new Concatenate().apply(aDense.apply(a),
        Dense.builder(16).activation("relu").name("b_dense").build().apply(b));
    return new Model(List.of(a, b), List.of(Dense.builder(10).activation("softmax").name("digit").build().apply(h)));
  }

  /** Python's {@code nested}: a Functional encoder used as a layer of a Functional model. */
  static Model nested() {
    KerasTensor x = Input.tensor("x", 64);
    Model encoder = new Model("encoder", List.of(x),
        List.of(Dense.builder(16).activation("relu").name("enc_dense").build().apply(x)));
    KerasTensor inp = Input.tensor("inp", 64);
    KerasTensor out = Dense.builder(10).activation("softmax").name("head").build()
        .apply(new Dropout(0.1).apply(encoder.apply(inp)));
    return new Model(List.of(inp), List.of(out));
  }

  /** Python's {@code nested_sequential}: a Sequential encoder used as a layer of a Functional model. */
  static Model nestedSequential() {
    Sequential encoder = new Sequential("encoder", Input.of(64),
        Dense.builder(16).activation("relu").name("enc_dense").build());
    KerasTensor inp = Input.tensor("inp", 64);
    KerasTensor out = Dense.builder(10).activation("softmax").name("head").build().apply(encoder.apply(inp));
    return new Model(List.of(inp), List.of(out));
  }

  static Model compiled(String name, long seed) {
    if (FUNCTIONAL_FIXTURE_CASES.containsKey(name)) {
      return FunctionalCases.build(FUNCTIONAL_FIXTURE_CASES.get(name)); // already compiled; restore sets every value
    }
    Model m = CASES.get(name).get();
    m.setSeed(seed);
    m.compile(new Adam(1e-3), new SparseCategoricalCrossentropy());
    return m;
  }

  /** The model input for digit samples: two-input models take the first and the last 32 of the 64 features. */
  static Object feed(Model m, HostArray x) {
    if (m.inputNames().size() == 1) {
      return x;
    }
    int n = (int) x.shape()[0];
    float[] all = x.floats();
    float[] a = new float[n * 32];
    float[] b = new float[n * 32];
    for (int i = 0; i < n; i++) {
      System.arraycopy(all, i * 64, a, i * 32, 32);
      System.arraycopy(all, i * 64 + 32, b, i * 32, 32);
    }
    return List.of(HostArray.ofFloats(new long[] {n, 32}, a), HostArray.ofFloats(new long[] {n, 32}, b));
  }

  private static Path kerasCheckpoint(String name) {
    return CHECKPOINT_FIXTURES.resolve(name).resolve("ckpt-1");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"functional_two_input_adam", "layout_functional_frozen_adam",
      "layout_functional_nested_adam", "layout_functional_nested_sequential_adam",
      "functional_two_output_sgd_momentum", "functional_residual_add_rmsprop", "functional_shared_layer_adam"})
  void write_givesKerasObjectGraphKeysShapesAndDtypes(String name, @TempDir Path dir) throws Exception {
    Path java = dir.resolve("ckpt-1");
    try (Model m = compiled(name, 1)) {
      TfCheckpoint.write(m, java);
    }
    TrackableObjectGraph expected = CheckpointTesting.objectGraph(kerasCheckpoint(name));
    TrackableObjectGraph actual = CheckpointTesting.objectGraph(java);
    assertEquals(expected, actual, name + ": object graph differs from Keras'");
    assertEquals(CheckpointTesting.entries(kerasCheckpoint(name)), CheckpointTesting.entries(java),
        name + ": keys, dtypes or shapes differ from Keras'");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"functional_two_input_adam", "layout_functional_frozen_adam",
      "layout_functional_nested_adam", "layout_functional_nested_sequential_adam",
      "functional_two_output_sgd_momentum", "functional_residual_add_rmsprop", "functional_shared_layer_adam"})
  void restore_kerasCheckpoint_takesEveryValueBitwise(String name, @TempDir Path dir) throws Exception {
    Path java = dir.resolve("ckpt-1");
    try (Model m = compiled(name, 99)) {
      TfCheckpoint.restore(m, kerasCheckpoint(name));
      TfCheckpoint.write(m, java);
    }
    Map<String, Class<? extends TType>> types = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : CheckpointTesting.entries(java).entrySet()) {
      if (!e.getKey().equals(CheckpointFiles.OBJECT_GRAPH_KEY) && !e.getKey().startsWith("save_counter")) {
        types.put(e.getKey(), e.getValue().startsWith("int64") ? TInt64.class : TFloat32.class);
      }
    }
    CheckpointTesting.assertSameValues(CheckpointTesting.readBundle(kerasCheckpoint(name), types),
        CheckpointTesting.readBundle(java, types));
  }

  /**
   * Trained cases: restored from Keras' checkpoint, the model holds Keras' weights bitwise, predicts every output as
   * Keras did and reaches Keras' weights after one more step on the same batch (per-output labels, loss weights).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"functional_two_input_adam", "functional_two_output_sgd_momentum",
      "functional_residual_add_rmsprop", "functional_shared_layer_adam"})
  void restore_kerasFunctionalCheckpoint_predictsAndTrainsOneStepLikeKeras(String name) throws Exception {
    try (Model m = compiled(name, 7)) {
      boolean multiOutput = m.outputNames().size() > 1;
      Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
      for (Weight w : m.weights()) {
        want.put("weights/" + w.path(), TFloat32.class);
        want.put("after_step/" + w.path(), TFloat32.class);
      }
      want.put("x_val", TFloat32.class);
      want.put("batch/x", TFloat32.class);
      for (int i = 0; i < m.outputNames().size(); i++) {
        String suffix = multiOutput ? "/" + m.outputNames().get(i) : "";
        want.put("predict" + suffix, TFloat32.class);
        want.put("batch/y" + suffix, m.losses().get(i).sparseLabels() ? TInt32.class : TFloat32.class);
      }
      want.put("optimizer/iterations", TInt64.class);
      Map<String, HostArray> expected = CheckpointTesting.readBundle(CHECKPOINT_FIXTURES.resolve("expected")
          .resolve(name), want);

      TfCheckpoint.restore(m, CHECKPOINT_FIXTURES.resolve(name));
      assertEquals(expected.get("optimizer/iterations").ints()[0],
          CheckpointTesting.allVariables(m).get(m.optimizer().name() + "/iterations").ints()[0], "iterations");
      List<String> failures = new ArrayList<>();
      List<FloatNdArray> values = m.getWeights();
      for (int i = 0; i < values.size(); i++) {
        String path = m.weights().get(i).path();
        KerasCheckpointFixturesTest.compare("weights/" + path, expected.get("weights/" + path).floats(),
            KerasCheckpointFixturesTest.host(values.get(i)).floats(), 0, 0, failures);
      }
      Map<String, FloatNdArray> predictions = m.predictOutputs(feed(m, expected.get("x_val")));
      Map<String, Object> y = new LinkedHashMap<>();
      for (String out : m.outputNames()) {
        String key = multiOutput ? "predict/" + out : "predict";
        KerasCheckpointFixturesTest.compare(key, expected.get(key).floats(),
            KerasCheckpointFixturesTest.host(predictions.get(out)).floats(), 0, KerasCheckpointFixturesTest.PREDICT_ATOL,
            failures);
        y.put(out, expected.get(multiOutput ? "batch/y/" + out : "batch/y"));
      }
      m.fit(feed(m, expected.get("batch/x")), multiOutput ? y : expected.get("batch/y"),
          FitOptions.builder().epochs(1).batchSize(32).shuffle(false).verbose(0).build());
      values = m.getWeights();
      for (int i = 0; i < values.size(); i++) {
        String path = m.weights().get(i).path();
        KerasCheckpointFixturesTest.compare("after_step/" + path, expected.get("after_step/" + path).floats(),
            KerasCheckpointFixturesTest.host(values.get(i)).floats(), KerasCheckpointFixturesTest.STEP_RTOL,
            KerasCheckpointFixturesTest.STEP_ATOL, failures);
      }
      assertTrue(failures.isEmpty(), name + ": " + failures);
    }
  }

  /**
   * Leaves under {@code <kerasj.interopDir>/tfcheckpoint/functional_two_input_adam/} a Java-written checkpoint of the
   * two-input model after one epoch from the Keras fixture's weights, plus {@code -outputs} (as
   * {@link PythonInteropExportTest}): Python restores it with {@code assert_consumed()} and trains one more step.
   */
  @Test
  void export_functionalCheckpointPredictionsAndOneStep() throws Exception {
    String name = "functional_two_input_adam";
    Path folder = PythonInteropExportTest.INTEROP.resolve(name);
    Path outputs = PythonInteropExportTest.INTEROP.resolve(name + "-outputs");
    DurableFiles.deleteRecursively(folder);
    Files.deleteIfExists(CheckpointFiles.index(outputs));
    Files.deleteIfExists(CheckpointFiles.data(outputs));
    Files.createDirectories(folder);
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    want.put("x_val", TFloat32.class);
    want.put("batch/x", TFloat32.class);
    want.put("batch/y", TInt32.class);
    try (Model m = compiled(name, 3)) {
      Map<String, HostArray> t = CheckpointTesting.readBundle(CHECKPOINT_FIXTURES.resolve("expected").resolve(name),
          want);
      TfCheckpoint.restore(m, kerasCheckpoint(name)); // start from Keras' trained state, optimizer included
      FitOptions oneEpoch = FitOptions.builder().epochs(1).batchSize(32).shuffle(false).verbose(0).build();
      m.fit(feed(m, t.get("batch/x")), t.get("batch/y"), oneEpoch);
      TfCheckpoint.write(m, folder.resolve("ckpt-1"));
      Map<String, HostArray> out = new LinkedHashMap<>();
      out.put("x_val", t.get("x_val"));
      out.put("predict", KerasCheckpointFixturesTest.host(m.predict(feed(m, t.get("x_val")), 32)));
      out.put("iterations", CheckpointTesting.allVariables(m).get(m.optimizer().name() + "/iterations"));
      out.put("batch/x", t.get("batch/x"));
      out.put("batch/y", t.get("batch/y"));
      m.fit(feed(m, t.get("batch/x")), t.get("batch/y"), oneEpoch);
      List<Weight> ws = m.weights();
      for (int i = 0; i < ws.size(); i++) {
        out.put("after_step/" + ws.get(i).path(), KerasCheckpointFixturesTest.host(m.getWeights().get(i)));
      }
      CheckpointTesting.writeBundle(outputs, out);
    }
    assertTrue(CheckpointFiles.isComplete(folder.resolve("ckpt-1")));
  }
}
