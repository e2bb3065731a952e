package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CASES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Leaves Java-written checkpoints for {@code python-interop/tests/test_java_checkpoints.py}, which restores them into
 * real Keras and compares. For each case, under {@code <kerasj.interopDir>/tfcheckpoint/}:
 *
 * <ul>
 *   <li>{@code <case>/ckpt-1.index}, {@code .data-00000-of-00001}, {@code checkpoint}: {@link TfCheckpoint#write}
 *       after one epoch of {@code fit} (batch 32, no shuffle) from the Keras fixture's initial weights;
 *   <li>{@code <case>.weights.h5}: {@link Sequential#saveWeights} of the same state (Keras' layout, optimizer
 *       variables numbered as in the checkpoint);
 *   <li>{@code <case>-outputs.index/.data-*}, a plain tensor bundle (written with SaveV2; Python reads it with
 *       {@code tf.train.load_checkpoint}): {@code x_val}, {@code predict} (Java's predictions at checkpoint time),
 *       {@code batch/x}, {@code batch/y} (the first 32 training samples), {@code after_step/<layer>/<var>} (every
 *       weight after one more Java training step on that batch) and {@code iterations}.
 * </ul>
 */
class PythonInteropExportTest {
  static final Path INTEROP = Path.of(System.getProperty("kerasj.interopDir", "target/interop"))
      .resolve("tfcheckpoint");

  @ParameterizedTest(name = "{0}")
  @CsvSource({"mlp_adam, mlp_adam_sparse", "layout_mlp_adam_exponential_decay, mlp_adam_sparse",
      "cnn_bn_sgd_momentum, cnn_bn", "embedding_adam, embedding"})
  void export_checkpointPredictionsAndOneStep(String name, String fixture) throws Exception {
    CheckpointTesting.Case c = CASES.get(name);
    TensorBundle bundle = new TensorBundle(Path.of("testdata", "fixtures", fixture));
    Class<? extends TType> xType = c.intInputs() ? TInt32.class : TFloat32.class;
    Path folder = INTEROP.resolve(name);
    Path outputs = INTEROP.resolve(name + "-outputs");
    Path weightsFile = INTEROP.resolve(name + ".weights.h5");
    DurableFiles.deleteRecursively(folder);
    Files.deleteIfExists(weightsFile);
    Files.deleteIfExists(CheckpointFiles.index(outputs));
    Files.deleteIfExists(CheckpointFiles.data(outputs));
    Files.createDirectories(folder);
    try (Sequential m = c.build(1)) {
      Class<? extends TType> yType = m.loss().sparseLabels() ? TInt32.class : TFloat32.class;
      Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
      want.put("x", xType);
      want.put("y", yType);
      want.put("x_val", xType);
      m.weights().forEach(w -> want.put("initial/" + w.path(), TFloat32.class));
      Map<String, HostArray> t = bundle.read(want);
      Map<String, Object> initial = new LinkedHashMap<>();
      m.weights().forEach(w -> initial.put(w.path(), t.get("initial/" + w.path())));
      m.setWeights(initial);
      FitOptions oneEpoch = FitOptions.builder().epochs(1).batchSize(32).shuffle(false).verbose(0).build();
      m.fit(t.get("x"), t.get("y"), oneEpoch);

      long start = System.nanoTime();
      TfCheckpoint.write(m, folder.resolve("ckpt-1"));
      System.out.printf("[interop] %s: checkpoint written in %.1f ms%n", name, (System.nanoTime() - start) / 1e6);
      m.saveWeights(weightsFile);

      Map<String, HostArray> out = new LinkedHashMap<>();
      out.put("x_val", t.get("x_val"));
      out.put("predict", KerasCheckpointFixturesTest.host(m.predict(t.get("x_val"), 32)));
      out.put("iterations", CheckpointTesting.allVariables(m).get(m.optimizer().name() + "/iterations"));
      HostArray bx = t.get("x").rows(0, 32);
      HostArray by = t.get("y").rows(0, 32);
      out.put("batch/x", bx);
      out.put("batch/y", by);
      m.fit(bx, by, oneEpoch);
      List<Weight> ws = m.weights();
      for (int i = 0; i < ws.size(); i++) {
        out.put("after_step/" + ws.get(i).path(), KerasCheckpointFixturesTest.host(m.getWeights().get(i)));
      }
      CheckpointTesting.writeBundle(outputs, out);
    }
    assertTrue(CheckpointFiles.isComplete(folder.resolve("ckpt-1")));
    assertEquals(folder.resolve("ckpt-1").toAbsolutePath().normalize(),
        TfCheckpoint.latest(folder).orElseThrow());
  }
}
