package dev.kerasj.saving.tfcheckpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.callbacks.History;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.LSTM;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.MaxPooling2D;
import dev.kerasj.layers.Weight;
import dev.kerasj.losses.Huber;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adagrad;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.AdamW;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.RMSprop;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.optimizers.schedules.ExponentialDecay;
import dev.kerasj.saving.IncompatibleCheckpointException;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Continuing in Java a training run Python started ({@code testdata/resume}, made by
 * {@code python-interop/make_resume_fixtures.py}): Keras trained 2 epochs saving with
 * {@code tf.train.CheckpointManager} after each, then 2 more; Java restores the manager's directory (its latest
 * checkpoint, {@code ckpt-2}, through the {@code checkpoint} state file), trains 2 epochs on the same rows in the same
 * order and must reach Keras' losses and weights.
 */
class ResumeFromPythonTest {
  static final Path RESUME = Path.of("testdata", "resume");
  /**
   * Java runs TF 2.18's kernels, Python 2.21's (oneDNN possibly on in Java): after 6 more steps, differences measured
   * here stay below 1e-6 absolute; the bound leaves room for float32 reduction order (as KerasParityTest).
   */
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  record Case(String name, Supplier<Layer[]> layers, Supplier<Optimizer> optimizer, Supplier<Loss> loss,
      boolean sparse, boolean tokenIds) {
    Case(String name, Supplier<Layer[]> layers, Supplier<Optimizer> optimizer, Supplier<Loss> loss, boolean sparse) {
      this(name, layers, optimizer, loss, sparse, false);
    }

    Sequential build() {
      Sequential m = new Sequential(layers.get());
      m.setSeed(12345); // any seed: every weight comes from the checkpoint
      m.compile(optimizer.get(), loss.get());
      return m;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Layer[] mlp() {
    return new Layer[] {Input.of(64), new Dense(16, "relu"), new Dense(10, "softmax")};
  }

  static Layer[] cnnBn() {
    return new Layer[] {Input.of(8, 8, 1), Conv2D.builder(4, 3, 3).padding("same").activation("relu").build(),
        new BatchNormalization(), new MaxPooling2D(2), new Flatten(), new Dense(10, "softmax")};
  }

  static Layer[] convTanhFlatBnRegressor() {
    return new Layer[] {Input.of(3, 3, 2), Conv2D.builder(4, 2, 2).padding("valid").activation("tanh").build(),
        new Flatten(), new BatchNormalization(), new Dense(6, "elu"), new Dense(1)};
  }

  static Layer[] lstmClassifier() {
    return new Layer[] {Input.of(8, 8), new LSTM(8), new Dense(10, "softmax")};
  }

  /** Per-step classes of zero-padded token ids: the output carries the Embedding's mask into the loss. */
  static Layer[] lstmMaskedSteps() {
    return new Layer[] {Input.of(Input.DType.INT32, 10), Embedding.builder(20, 6).maskZero(true).build(),
        LSTM.builder(5).returnSequences(true).build(), new Dense(3, "softmax")};
  }

  static Stream<Case> cases() {
    Supplier<Loss> scce = SparseCategoricalCrossentropy::new;
    return Stream.of(
        new Case("mlp_sgd", ResumeFromPythonTest::mlp, () -> new SGD(0.1), scce, true),
        new Case("mlp_sgd_momentum", ResumeFromPythonTest::mlp, () -> new SGD(0.05, 0.9, false), scce, true),
        new Case("mlp_adam", ResumeFromPythonTest::mlp, () -> new Adam(1e-2), scce, true),
        new Case("mlp_adamw", ResumeFromPythonTest::mlp, () -> new AdamW(1e-2, 0.01), scce, true),
        new Case("mlp_rmsprop", ResumeFromPythonTest::mlp, () -> new RMSprop(1e-2), scce, true),
        new Case("mlp_adagrad", ResumeFromPythonTest::mlp, () -> new Adagrad(0.1), scce, true),
        new Case("cnn_bn_adam", ResumeFromPythonTest::cnnBn, () -> new Adam(1e-2), scce, true),
        new Case("mlp_adam_exponential_decay", ResumeFromPythonTest::mlp,
            () -> new Adam(1e-2).setLearningRateSchedule(new ExponentialDecay(1e-2, 2, 0.5)), scce, true),
        new Case("conv_tanh_flat_bn_regressor_adagrad_huber", ResumeFromPythonTest::convTanhFlatBnRegressor,
            () -> new Adagrad(0.1, 0.5, Adagrad.DEFAULT_EPSILON), () -> new Huber(0.5), false),
        new Case("lstm_adam", ResumeFromPythonTest::lstmClassifier, () -> new Adam(1e-2), scce, true),
        new Case("lstm_masked_steps_adam", ResumeFromPythonTest::lstmMaskedSteps, () -> new Adam(1e-2), scce, true,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void restoreCheckpointManagerDirectory_trainTwoMoreEpochs_matchesKeras(Case c) throws Exception {
    restoreTrainAndCompare(c, m -> {
      Path restored = TfCheckpoint.restore(m, RESUME.resolve(c.name()));
      assertEquals(RESUME.resolve(c.name()).resolve("ckpt-2").toAbsolutePath().normalize(), restored,
          "the manager's latest checkpoint, from its state file");
    });
  }

  /**
   * The same ckpt-2 state saved by Keras' {@code save_weights}: with a schedule, {@code optimizer/vars/0} is the
   * iteration and the Adam slots follow from {@code /1} (no learning-rate variable), which Java must read so.
   */
  @Test
  void loadKerasWeightsH5OfScheduledOptimizer_trainTwoMoreEpochs_matchesKeras() throws Exception {
    Case c = cases().filter(x -> x.name().equals("mlp_adam_exponential_decay")).findFirst().orElseThrow();
    restoreTrainAndCompare(c, m -> m.loadWeights(RESUME.resolve(c.name()).resolve("ckpt-2.weights.h5")));
  }

  interface Restore {
    void into(Sequential m) throws Exception;
  }

  private static void restoreTrainAndCompare(Case c, Restore restore) throws Exception {
    try (Sequential m = c.build()) {
      Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
      for (Weight w : m.weights()) {
        want.put("restored/" + w.path(), TFloat32.class);
        want.put("final/" + w.path(), TFloat32.class);
      }
      want.put("x", c.tokenIds() ? TInt32.class : TFloat32.class);
      want.put("y", c.sparse() ? TInt32.class : TFloat32.class);
      want.put("optimizer/iterations", TInt64.class);
      want.put("history/loss", TFloat32.class);
      Map<String, HostArray> expected = new TensorBundle(RESUME.resolve("expected").resolve(c.name())).read(want);

      restore.into(m);
      List<FloatNdArray> values = m.getWeights();
      for (int i = 0; i < values.size(); i++) {
        String path = m.weights().get(i).path();
        HostArray got = KerasCheckpointFixturesTest.host(values.get(i));
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get("restored/" + path).floats(), got.floats(),
            c.name() + ": restored " + path + " must be Keras' value exactly");
      }
      assertEquals(expected.get("optimizer/iterations").ints()[0],
          CheckpointTesting.allVariables(m).get(m.optimizer().name() + "/iterations").ints()[0], "iterations");

      History h = m.fit(expected.get("x"), expected.get("y"),
          FitOptions.builder().epochs(2).batchSize(32).shuffle(false).verbose(0).build());
      List<String> failures = new ArrayList<>();
      float[] losses = new float[2];
      for (int e = 0; e < 2; e++) {
        losses[e] = h.get("loss").get(e).floatValue();
      }
      KerasCheckpointFixturesTest.compare(c.name() + " history/loss", expected.get("history/loss").floats(), losses,
          RTOL, ATOL, failures);
      values = m.getWeights();
      for (int i = 0; i < values.size(); i++) {
        String path = m.weights().get(i).path();
        KerasCheckpointFixturesTest.compare(c.name() + " final/" + path, expected.get("final/" + path).floats(),
            KerasCheckpointFixturesTest.host(values.get(i)).floats(), RTOL, ATOL, failures);
      }
      assertTrue(failures.isEmpty(), c.name() + ": " + failures);
    }
  }

  @Test
  void restore_checkpointOfAnotherArchitecture_reportsEveryGroupAndNamesFile() throws Exception {
    Case cnn = cases().filter(c -> c.name().equals("cnn_bn_adam")).findFirst().orElseThrow();
    try (Sequential m = cnn.build()) {
      List<FloatNdArray> before = m.getWeights();
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> TfCheckpoint.restore(m, RESUME.resolve("mlp_adam")));
      assertTrue(e.getMessage().contains(RESUME.resolve("mlp_adam").resolve("ckpt-2.index").toAbsolutePath()
          .normalize().toString()), e.getMessage());
      assertTrue(e.getMessage().contains("missing from the checkpoint"), e.getMessage());
      assertTrue(e.getMessage().contains("wrong shape or dtype"), e.getMessage());
      assertTrue(!e.missing().isEmpty() && !e.mismatched().isEmpty(), e.getMessage());
      assertTrue(e.mismatched().stream().anyMatch(s -> s.contains("model has float32[3, 3, 1, 4], checkpoint has "
          + "float32[64, 16]")), e.mismatched().toString());
      assertEquals(before, m.getWeights(), "nothing restored");
    }
  }

  @Test
  void restore_optimizerOfAnotherClass_listsMissingAndUnexpectedSlots() throws Exception {
    Case sgd = cases().filter(c -> c.name().equals("mlp_sgd")).findFirst().orElseThrow();
    try (Sequential m = sgd.build()) {
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> TfCheckpoint.restore(m, RESUME.resolve("mlp_adam")));
      assertTrue(e.unexpected().size() >= 4, "Adam's m/v slots are unexpected for SGD: " + e.getMessage());
      assertTrue(e.matched().size() >= 4, "the model weights still match: " + e.getMessage());
    }
  }

  @Test
  void restore_variableWithRightShapeButOtherDtype_reportedAsWrongDtype(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    // Python's mlp_sgd ckpt-2, with the first Dense kernel rewritten as float64 (same key, same shape).
    Path source = RESUME.resolve("mlp_sgd").resolve("ckpt-2");
    Path copy = dir.resolve("ckpt-2");
    Map<String, String> entries = CheckpointTesting.entries(source);
    String kernelKey = entries.keySet().stream().filter(k -> entries.get(k).equals("float32[64, 16]")).findFirst()
        .orElseThrow();
    List<String> keys = new ArrayList<>(entries.keySet());
    try (org.tensorflow.Graph g = new org.tensorflow.Graph(); org.tensorflow.Session s = new org.tensorflow.Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      List<Class<? extends TType>> types = keys.stream().<Class<? extends TType>>map(k -> switch (entries.get(k)
          .substring(0, entries.get(k).indexOf('['))) {
        case "float32" -> TFloat32.class;
        case "int64" -> TInt64.class;
        default -> org.tensorflow.types.TString.class;
      }).toList();
      var cs = java.nio.charset.StandardCharsets.UTF_8;
      var restore = tf.train.restore(tf.constant(source.toString()), tf.constant(cs, keys.toArray(String[]::new)),
          tf.constant(cs, keys.stream().map(k -> "").toArray(String[]::new)), types);
      List<org.tensorflow.Operand<?>> values = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        org.tensorflow.Operand<?> v = restore.tensors().get(i);
        values.add(keys.get(i).equals(kernelKey)
            ? tf.dtypes.cast(v, org.tensorflow.types.TFloat64.class) : v);
      }
      s.runner().addTarget(tf.train.save(tf.constant(copy.toString()), tf.constant(cs, keys.toArray(String[]::new)),
          tf.constant(cs, keys.stream().map(k -> "").toArray(String[]::new)), values)).run().close();
    }
    Case c = cases().findFirst().orElseThrow();
    try (Sequential m = c.build()) {
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> TfCheckpoint.restore(m, copy));
      assertEquals(1, e.mismatched().size(), e.getMessage());
      assertTrue(e.mismatched().get(0).contains("model has float32[64, 16], checkpoint has float64[64, 16]"),
          e.getMessage());
      assertTrue(e.missing().isEmpty() && e.unexpected().isEmpty(), e.getMessage());
    }
  }

  @Test
  void restore_prefixThatDoesNotExist_noSuchFileNamingIt() {
    Case c = cases().findFirst().orElseThrow();
    try (Sequential m = c.build()) {
      Path missing = RESUME.resolve("mlp_sgd").resolve("ckpt-7");
      NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TfCheckpoint.restore(m, missing));
      assertTrue(e.getMessage().contains("ckpt-7"), e.getMessage());
    }
  }
}
