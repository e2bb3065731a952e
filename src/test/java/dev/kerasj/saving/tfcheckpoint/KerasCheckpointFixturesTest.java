package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CASES;
import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CHECKPOINT_FIXTURES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Golden files from real Keras 3.15.1 ({@code testdata/checkpoints}, made by
 * {@code python-interop/make_checkpoint_fixtures.py}, see testdata/README.md): kerasj writes the same object graph
 * and keys as {@code tf.train.Checkpoint(model=m, optimizer=m.optimizer)}, and restores what Keras wrote so that
 * predictions and the next training step match Keras'.
 */
class KerasCheckpointFixturesTest {
  /** Java and Python run different TF builds (2.18 vs 2.21); see KerasParityTest for the measured differences. */
  static final double PREDICT_ATOL = 1e-6;
  static final double STEP_RTOL = 1e-5;
  static final double STEP_ATOL = 1e-6;

  static Stream<String> allCases() {
    return CASES.keySet().stream();
  }

  static Stream<String> trainedCases() {
    return Stream.of("mlp_adam", "cnn_bn_sgd_momentum", "embedding_adam");
  }

  private static Path kerasCheckpoint(String name) {
    return CHECKPOINT_FIXTURES.resolve(name).resolve("ckpt-1");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void write_givesKerasObjectGraphKeysShapesAndDtypes(String name, @TempDir Path dir) throws Exception {
    Path java = dir.resolve("ckpt-1");
    try (Sequential m = CASES.get(name).build(1)) {
      TfCheckpoint.write(m, java);
    }
    TrackableObjectGraph expected = CheckpointTesting.objectGraph(kerasCheckpoint(name));
    TrackableObjectGraph actual = CheckpointTesting.objectGraph(java);
    assertEquals(expected, actual, name + ": object graph differs from Keras'");
    assertEquals(CheckpointTesting.entries(kerasCheckpoint(name)), CheckpointTesting.entries(java),
        name + ": keys, dtypes or shapes differ from Keras'");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void restore_kerasCheckpoint_takesEveryValueBitwise(String name, @TempDir Path dir) throws Exception {
    Path java = dir.resolve("ckpt-1");
    try (Sequential m = CASES.get(name).build(99)) {
      assertEquals(kerasCheckpoint(name).toAbsolutePath(), TfCheckpoint.restore(m, kerasCheckpoint(name)));
      TfCheckpoint.write(m, java);
    }
    // Same keys in both files (previous test), so rewriting what was restored must give Keras' tensors back.
    Map<String, Class<? extends TType>> types = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : CheckpointTesting.entries(java).entrySet()) {
      String key = e.getKey();
      if (key.equals(CheckpointFiles.OBJECT_GRAPH_KEY) || key.startsWith("save_counter")) {
        continue;
      }
      types.put(key, e.getValue().startsWith("int64") ? TInt64.class : TFloat32.class);
    }
    CheckpointTesting.assertSameValues(CheckpointTesting.readBundle(kerasCheckpoint(name), types),
        CheckpointTesting.readBundle(java, types));
    HostArray counter = CheckpointTesting.readBundle(java, Map.of("save_counter/.ATTRIBUTES/VARIABLE_VALUE",
        TInt64.class)).values().iterator().next();
    assertEquals(2, counter.ints()[0], "Keras saved save_counter=1; the next save after restoring it is 2");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trainedCases")
  void restore_kerasCheckpointFromDirectory_predictsAndTrainsOneStepLikeKeras(String name) throws Exception {
    CheckpointTesting.Case c = CASES.get(name);
    Path expectedPrefix = CHECKPOINT_FIXTURES.resolve("expected").resolve(name);
    try (Sequential m = c.build(7)) {
      Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
      for (Weight w : m.weights()) {
        want.put("weights/" + w.path(), TFloat32.class);
        want.put("after_step/" + w.path(), TFloat32.class);
      }
      Class<? extends TType> xType = c.intInputs() ? TInt32.class : TFloat32.class;
      boolean sparse = m.loss().sparseLabels();
      want.put("x_val", xType);
      want.put("predict", TFloat32.class);
      want.put("batch/x", xType);
      want.put("batch/y", sparse ? TInt32.class : TFloat32.class);
      want.put("optimizer/iterations", TInt64.class);
      Map<String, HostArray> expected = CheckpointTesting.readBundle(expectedPrefix, want);

      Path restored = TfCheckpoint.restore(m, CHECKPOINT_FIXTURES.resolve(name));
      assertEquals(kerasCheckpoint(name).toAbsolutePath().normalize(), restored, "latest via Keras' state file");

      Map<String, HostArray> weights = new LinkedHashMap<>();
      Map<String, HostArray> kerasWeights = new LinkedHashMap<>();
      List<FloatNdArray> values = m.getWeights();
      for (int i = 0; i < values.size(); i++) {
        String path = m.weights().get(i).path();
        weights.put(path, host(values.get(i)));
        kerasWeights.put(path, expected.get("weights/" + path));
      }
      CheckpointTesting.assertSameValues(kerasWeights, weights);
      String iterations = m.optimizer().name() + "/iterations";
      assertEquals(expected.get("optimizer/iterations").ints()[0],
          CheckpointTesting.allVariables(m).get(iterations).ints()[0], "iterations");

      List<String> failures = new ArrayList<>();
      compare("predict", expected.get("predict").floats(), host(m.predict(expected.get("x_val"))).floats(), 0,
          PREDICT_ATOL, failures);
      m.fit(expected.get("batch/x"), expected.get("batch/y"),
          FitOptions.builder().epochs(1).batchSize(32).shuffle(false).verbose(0).build());
      values = m.getWeights();
      for (int i = 0; i < values.size(); i++) {
        String path = m.weights().get(i).path();
        compare("after_step/" + path, expected.get("after_step/" + path).floats(), host(values.get(i)).floats(),
            STEP_RTOL, STEP_ATOL, failures);
      }
      assertTrue(failures.isEmpty(), name + ": " + failures);
    }
  }

  static HostArray host(FloatNdArray nd) {
    float[] out = new float[Math.toIntExact(nd.size())];
    nd.copyTo(DataBuffers.of(out, false, false));
    return HostArray.ofFloats(nd.shape().asArray(), out);
  }

  /** Adds to {@code failures} the first value outside {@code atol + rtol*|expected|}; prints the max difference. */
  static void compare(String what, float[] expected, float[] actual, double rtol, double atol, List<String> failures) {
    assertArrayEquals(new int[] {expected.length}, new int[] {actual.length}, what + ": length");
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) expected[i] - actual[i]);
      worst = Math.max(worst, d);
      if (!(d <= atol + rtol * Math.abs(expected[i]))) {
        failures.add(what + "[" + i + "]: keras=" + expected[i] + " java=" + actual[i]);
        return;
      }
    }
    System.out.printf("[checkpoint] %-40s max|diff|=%.3e%n", what, worst);
  }
}
