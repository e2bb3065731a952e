package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Model;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.FunctionalCases;
import dev.kerasj.testing.Interrupts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * {@link BackupAndRestore} and {@link ModelCheckpoint} with a Functional model of two inputs (named {@code a} and
 * {@code b}, fed as a map), Dropout and Adam: an interrupted run resumes to the uninterrupted run's weights, history
 * and CSV bit for bit, and weights-only TF checkpoints load back into a fresh Functional model exactly.
 */
class FunctionalBackupAndRestoreTest {
  static final int SAMPLES = 50;
  static final int BATCH = 8; // 7 batches per epoch, the last one partial
  static final int EPOCHS = 4;
  static final long SEED = 11;

  @TempDir
  Path tmp;

  /** {@code Model([a, b], digit)}: a Dense per input, concatenated, Dropout, a softmax Dense. */
  static Model model() {
    FunctionalCases.TwoInputTrunk trunk = FunctionalCases.twoInputTrunk(0.3);
    KerasTensor out = Dense.builder(3).activation("softmax").name("digit").build().apply(trunk.features());
    Model m = new Model(trunk.inputs(), List.of(out));
    m.setSeed(SEED);
    m.compile(new Adam(0.05), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static Map<String, float[][]> x() {
    return FunctionalCases.randomTwoInputs(SAMPLES, 3);
  }

  static int[] y() {
    float[][] a = x().get("a");
    float[][] b = x().get("b");
    int[] y = new int[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      y[i] = a[i][0] + b[i][1] > 0.3 ? 2 : b[i][2] > 0 ? 1 : 0;
    }
    return y;
  }

  record Result(TrainingOutcome outcome, List<float[]> weights, Map<String, List<Double>> history, String csv) {}

  /** Runs fit with a backup in {@code run}; interrupts after global batch {@code interruptAt} (-1: never). */
  static Result fit(Path run, int interruptAt, Callback... more) throws IOException {
    Files.createDirectories(run);
    try (Model m = model()) {
      BackupAndRestore backup = BackupAndRestore.builder(run.resolve("backup")).build();
      Callback interrupter = Interrupts.afterBatch(backup, interruptAt);
      List<Callback> callbacks = new ArrayList<>(List.of(interrupter, backup,
          new CSVLogger(run.resolve("log.csv"))));
      callbacks.addAll(List.of(more));
      History h = m.fit(x(), y(), FitOptions.builder().epochs(EPOCHS).batchSize(BATCH).verbose(0)
          .validationData(x(), y()).callbacks(callbacks.toArray(Callback[]::new)).build());
      return new Result(h.outcome(), values(m), h.history(),
          Files.readString(run.resolve("log.csv"), StandardCharsets.UTF_8));
    }
  }

  static List<float[]> values(Model m) {
    List<float[]> weights = new ArrayList<>();
    for (FloatNdArray w : m.getWeights()) {
      float[] v = new float[(int) w.size()];
      w.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
      weights.add(v);
    }
    return weights;
  }

  static void assertSameWeights(List<float[]> expected, List<float[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 0f, "weight " + i + " (bitwise)");
    }
  }

  @ParameterizedTest(name = "interrupted after global batch {0}")
  @ValueSource(ints = {3, 13})
  void resume_afterInterruptAtBatch_endsBitwiseEqualToUninterruptedRun(int batch) throws IOException {
    Result reference = fit(tmp.resolve("reference"), -1);
    assertEquals(TrainingOutcome.COMPLETED, reference.outcome());
    Path run = tmp.resolve("run");
    assertEquals(TrainingOutcome.INTERRUPTED, fit(run, batch).outcome());
    assertTrue(Files.isDirectory(run.resolve("backup")), "an interrupted run keeps its backup");
    Result resumed = fit(run, -1);
    assertEquals(TrainingOutcome.COMPLETED, resumed.outcome());
    assertSameWeights(reference.weights(), resumed.weights());
    assertEquals(reference.history(), resumed.history());
    assertEquals(reference.csv(), resumed.csv());
    assertFalse(Files.exists(run.resolve("backup")), "a completed run deletes its backup");
  }

  @Test
  void modelCheckpointWeightsOnly_loadsIntoAFreshFunctionalModelExactly() throws IOException {
    Path ckpt = tmp.resolve("ckpt").resolve("weights-{epoch:02d}");
    Result run = fit(tmp.resolve("run"), -1,
        ModelCheckpoint.builder(ckpt.toString()).saveWeightsOnly(true).build());
    try (Model fresh = model()) {
      fresh.loadWeights(tmp.resolve("ckpt").resolve("weights-04"));
      assertSameWeights(run.weights(), values(fresh));
      assertEquals(EPOCHS * 7L, fresh.iterations(), "the optimizer step counter comes back too");
    }
  }

  @Test
  void modelCheckpointFullModel_writesSavedModelThatModelLoadRebuildsExactly() throws IOException {
    Path dir = tmp.resolve("models").resolve("model-{epoch:02d}");
    Result run = fit(tmp.resolve("run"), -1, ModelCheckpoint.builder(dir.toString()).build());
    try (Model loaded = Model.load(tmp.resolve("models").resolve("model-04"))) {
      assertEquals(List.of("a", "b"), loaded.inputNames());
      assertSameWeights(run.weights(), values(loaded));
      assertEquals(EPOCHS * 7L, loaded.iterations());
    }
  }
}
