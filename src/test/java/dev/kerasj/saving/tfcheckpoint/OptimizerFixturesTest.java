package dev.kerasj.saving.tfcheckpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.FitOptions;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.History;
import dev.kerasj.constraints.MaxNorm;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Weight;
import dev.kerasj.optimizers.Adadelta;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.AdamW;
import dev.kerasj.optimizers.Adamax;
import dev.kerasj.optimizers.Ftrl;
import dev.kerasj.optimizers.Lion;
import dev.kerasj.optimizers.Nadam;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The optimizers of issue 17 against Keras 3.15.1 ({@code testdata/optimizers/}, made by
 * {@code python-interop/make_optimizer_fixtures.py}; two cases train an Embedding, whose gradient Keras sees per
 * lookup, see {@link dev.kerasj.optimizers.Gradient}), and Keras' base-optimizer options ({@code testdata/clipping/},
 * see {@link #clippingCases()}): a 3-epoch fit (with accumulation 2 epochs of batch 16) from Keras' initial weights
 * must reach Keras' losses, weights and every optimizer variable (named and ordered as Keras'
 * {@code optimizer.variables}); Java restoring Keras' TF checkpoint or {@code .keras} file after those epochs, or its
 * own {@code .keras}, checkpoint and SavedModel, must train one more epoch to Keras' numbers. The files Java writes
 * are left for {@code python-interop/tests/test_java_optimizer_files.py} and {@code test_java_clipping_files.py}. Tolerance: {@value #RTOL} relative plus {@value #ATOL}
 * absolute per value, the project's parity tolerance (Java runs TF 2.18's kernels, Python 2.21's).
 */
class OptimizerFixturesTest {
  static final Path INTEROP_ROOT = Path.of(System.getProperty("kerasj.interopDir", "target/interop"));
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  /**
   * One case of a generator: {@code optimizer} is an identifier String or an {@link Optimizer}; {@code folder} names
   * both its fixture directory under {@code testdata/} and the interop directory Java writes to.
   */
  record Case(String name, Supplier<Object> optimizer, Class<? extends Optimizer> type, String folder) {
    Case(String name, Supplier<Object> optimizer, Class<? extends Optimizer> type) {
      this(name, optimizer, type, "optimizers");
    }

    Path dir() {
      return Path.of("testdata", folder);
    }

    Path interop() {
      return INTEROP_ROOT.resolve(folder);
    }

    /** The {@code *_embedding} cases train an Embedding table on int32 tokens that repeat within each batch. */
    boolean embedding() {
      return name.endsWith("_embedding");
    }

    /** The {@code *_maxnorm} cases put {@code MaxNorm(0.3)} on both kernels. */
    boolean maxNorm() {
      return name.contains("_maxnorm");
    }

    Sequential build() {
      Sequential m = embedding()
          ? new Sequential(Input.of(Input.DType.INT32, 3), new Embedding(6, 2), new Flatten(), new Dense(2))
          : maxNorm()
              ? new Sequential(Input.of(4),
                  Dense.builder(5).activation("tanh").kernelConstraint(new MaxNorm(0.3)).build(),
                  Dense.builder(2).kernelConstraint(new MaxNorm(0.3)).build())
              : new Sequential(Input.of(4), new Dense(5, "tanh"), new Dense(2));
      m.setSeed(7); // any seed: the weights come from the fixture
      m.compile(optimizer.get(), "mse");
      return m;
    }

    TensorBundle bundle() {
      return new TensorBundle(dir().resolve("train").resolve(name));
    }

    /** The training data: {@code x} (float32, or int32 tokens) and {@code y}. */
    Map<String, HostArray> data(TensorBundle b) {
      return b.read(Map.of("x", embedding() ? TInt32.class : TFloat32.class, "y", TFloat32.class));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.concat(Stream.of(
        new Case("adam_amsgrad", () -> Adam.builder().learningRate(0.02).amsgrad(true).build(), Adam.class),
        new Case("adamw_amsgrad", () -> AdamW.builder().learningRate(0.02).weightDecay(0.05).amsgrad(true).build(),
            AdamW.class),
        new Case("nadam", () -> Nadam.builder().learningRate(0.02).build(), Nadam.class),
        new Case("adamax", () -> Adamax.builder().learningRate(0.05).beta1(0.8).beta2(0.95).build(), Adamax.class),
        new Case("adadelta", () -> Adadelta.builder().learningRate(1.0).rho(0.9).build(), Adadelta.class),
        new Case("ftrl", () -> Ftrl.builder().learningRate(0.2).learningRatePower(-0.6).initialAccumulatorValue(0.05)
            .l1RegularizationStrength(0.01).l2RegularizationStrength(0.02).l2ShrinkageRegularizationStrength(0.03)
            .beta(0.1).build(), Ftrl.class),
        new Case("ftrl_defaults", () -> "ftrl", Ftrl.class),
        new Case("lion", () -> Lion.builder().learningRate(0.01).beta1(0.85).beta2(0.98).build(), Lion.class),
        new Case("adamax_embedding", () -> Adamax.builder().learningRate(0.05).build(), Adamax.class),
        new Case("adadelta_embedding", () -> Adadelta.builder().learningRate(1.0).rho(0.9).build(), Adadelta.class)),
        clippingCases());
  }

  /**
   * Keras' base-optimizer options ({@code testdata/clipping/}, made by
   * {@code python-interop/make_clipping_fixtures.py}): each of Keras' {@code clipnorm}, {@code clipvalue} and
   * {@code global_clipnorm} with SGD and Adam, clipping by norm of an Embedding's per-lookup gradient, Adam with
   * {@code use_ema} (with and without {@code ema_overwrite_frequency}), SGD and Adam with
   * {@code gradient_accumulation_steps} (Adam also on an Embedding), Adam with all three, and Adam with
   * {@code use_ema} (alone, with accumulation, with overwrites) on kernels under {@code MaxNorm(0.3)}, a norm every
   * kernel column exceeds after almost every step: Keras applies constraints after the whole step (the update, the
   * accumulation branch, the moving averages), on every step, and these cases fail under any other order.
   */
  static Stream<Case> clippingCases() {
    String f = "clipping";
    return Stream.of(
        new Case("sgd_clipnorm", () -> SGD.builder().learningRate(0.5).momentum(0.5).clipnorm(0.2).build(),
            SGD.class, f),
        new Case("sgd_clipvalue", () -> SGD.builder().learningRate(0.5).clipvalue(0.05).build(), SGD.class, f),
        new Case("sgd_global_clipnorm", () -> SGD.builder().learningRate(0.5).globalClipnorm(0.3).build(),
            SGD.class, f),
        new Case("adam_clipnorm", () -> Adam.builder().learningRate(0.02).clipnorm(0.2).build(), Adam.class, f),
        new Case("adam_clipvalue", () -> Adam.builder().learningRate(0.02).clipvalue(0.05).build(), Adam.class, f),
        new Case("adam_global_clipnorm", () -> Adam.builder().learningRate(0.02).globalClipnorm(0.3).build(),
            Adam.class, f),
        new Case("adam_clipnorm_embedding", () -> Adam.builder().learningRate(0.05).clipnorm(0.1).build(),
            Adam.class, f),
        new Case("sgd_global_clipnorm_embedding", () -> SGD.builder().learningRate(0.5).globalClipnorm(0.1).build(),
            SGD.class, f),
        new Case("adam_ema", () -> Adam.builder().learningRate(0.02).useEma(true).emaMomentum(0.9).build(),
            Adam.class, f),
        new Case("adam_ema_overwrite", () -> Adam.builder().learningRate(0.02).useEma(true).emaMomentum(0.8)
            .emaOverwriteFrequency(2).build(), Adam.class, f),
        new Case("sgd_accumulation", () -> SGD.builder().learningRate(0.2).momentum(0.5).gradientAccumulationSteps(3)
            .build(), SGD.class, f),
        new Case("adam_accumulation", () -> Adam.builder().learningRate(0.02).gradientAccumulationSteps(3).build(),
            Adam.class, f),
        new Case("adam_ema_clipnorm_accumulation", () -> Adam.builder().learningRate(0.02).gradientAccumulationSteps(3)
            .clipnorm(0.2).useEma(true).emaMomentum(0.8).emaOverwriteFrequency(2).build(), Adam.class, f),
        new Case("adam_accumulation_embedding", () -> Adam.builder().learningRate(0.05).gradientAccumulationSteps(3)
            .build(), Adam.class, f),
        new Case("adam_ema_maxnorm", () -> Adam.builder().learningRate(0.02).useEma(true).emaMomentum(0.9).build(),
            Adam.class, f),
        new Case("adam_ema_maxnorm_accumulation", () -> Adam.builder().learningRate(0.02).useEma(true).emaMomentum(0.9)
            .gradientAccumulationSteps(3).build(), Adam.class, f),
        new Case("adam_ema_overwrite_maxnorm", () -> Adam.builder().learningRate(0.02).useEma(true).emaMomentum(0.9)
            .emaOverwriteFrequency(2).build(), Adam.class, f));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fit_fromKerasInitialWeights_matchesKerasLossesWeightsAndOptimizerVariables(Case c, @TempDir Path tmp)
      throws Exception {
    TensorBundle b = c.bundle();
    Map<String, HostArray> data = c.data(b);
    List<String> failures = new ArrayList<>();
    try (Sequential m = c.build()) {
      assertEquals(b.readStrings("meta/weight_names"), m.weights().stream().map(Weight::path).toList());
      List<HostArray> initial = new ArrayList<>();
      for (Weight w : m.weights()) {
        initial.add(b.read("initial/" + w.path(), TFloat32.class));
      }
      m.setWeights(initial);
      History h = m.fit(data.get("x"), data.get("y"), fit(b, epochs(b)));
      compareLosses(c.name() + " history/loss", b.read("history/loss", TFloat32.class).floats(), h, failures);
      compareState(c, b, m, "trained", failures);

      // Java's own files after the same 3 epochs: kept for Python, and each restored here must equal the model.
      Files.createDirectories(c.interop());
      Path keras = c.interop().resolve(c.name() + ".keras");
      Files.deleteIfExists(keras);
      m.save(keras);
      Path ckptDir = c.interop().resolve(c.name());
      if (Files.isDirectory(ckptDir)) {
        for (Path p : TfCheckpoint.list(ckptDir)) {
          TfCheckpoint.delete(p);
        }
      }
      Files.createDirectories(ckptDir);
      TfCheckpoint.write(m, ckptDir.resolve("ckpt-1"));
      Path savedModel = tmp.resolve("saved_model");
      m.save(savedModel);
      Map<String, HostArray> trained = CheckpointTesting.allVariables(m);

      History next = m.fit(data.get("x"), data.get("y"), fit(b, 1));
      compareLosses(c.name() + " next/loss", b.read("next/loss", TFloat32.class).floats(), next, failures);
      compareState(c, b, m, "final", failures);
      writeForPython(c, m, next);

      for (Path file : List.of(keras, savedModel)) {
        try (Model loaded = Model.load(file)) {
          assertEquals(c.type(), loaded.optimizer().getClass(), file + ": optimizer class");
          CheckpointTesting.assertSameValues(trained, CheckpointTesting.allVariables(loaded));
          History again = loaded.fit(data.get("x"), data.get("y"), fit(b, 1));
          compareLosses(c.name() + " " + file.getFileName() + " next/loss",
              b.read("next/loss", TFloat32.class).floats(), again, failures);
          compareState(c, b, loaded, "final", failures);
        }
      }
      try (Sequential restored = c.build()) {
        TfCheckpoint.restore(restored, ckptDir);
        CheckpointTesting.assertSameValues(trained, CheckpointTesting.allVariables(restored));
      }
    }
    assertTrue(failures.isEmpty(), c.name() + ": " + failures);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void restoreKerasCheckpoint_fitOneEpoch_matchesKerasNextEpoch(Case c) throws Exception {
    TensorBundle b = c.bundle();
    List<String> failures = new ArrayList<>();
    try (Sequential m = c.build()) {
      TfCheckpoint.restore(m, c.dir().resolve("checkpoints").resolve(c.name()));
      assertRestoredExactly(c, b, m);
      continueAndCompare(c, b, m, failures);
    }
    assertTrue(failures.isEmpty(), c.name() + ": " + failures);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void loadKerasFile_fitOneEpoch_matchesKerasNextEpoch(Case c) throws Exception {
    TensorBundle b = c.bundle();
    List<String> failures = new ArrayList<>();
    try (Model m = Model.load(c.dir().resolve("keras").resolve(c.name() + ".keras"))) {
      assertEquals(c.type(), m.optimizer().getClass(), "optimizer class from compile_config");
      try (Sequential expected = c.build()) {
        assertEquals(arguments(expected.optimizer()), arguments(m.optimizer()), "optimizer arguments");
      }
      assertRestoredExactly(c, b, m);
      continueAndCompare(c, b, m, failures);
    }
    assertTrue(failures.isEmpty(), c.name() + ": " + failures);
  }

  /**
   * Every argument getter of {@code o} (public, no parameters, a double, Double or boolean), as float32 values where
   * numeric: Keras writes the learning rate as its float32 variable's value.
   */
  static Map<String, Object> arguments(Optimizer o) {
    Map<String, Object> out = new java.util.TreeMap<>();
    for (java.lang.reflect.Method method : o.getClass().getMethods()) {
      Class<?> t = method.getReturnType();
      if (method.getParameterCount() == 0 && (t == double.class || t == Double.class || t == boolean.class)) {
        try {
          Object v = method.invoke(o);
          out.put(method.getName(), v instanceof Double d ? (Object) d.floatValue() : v);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    }
    return out;
  }

  /** {@code epochs} epochs with the case's batch size ({@code meta/batch_size}: 32, or 16 with accumulation). */
  private static FitOptions fit(TensorBundle b, int epochs) {
    int batch = b.read("meta/batch_size", TInt32.class).ints()[0];
    return FitOptions.builder().epochs(epochs).batchSize(batch).shuffle(false).verbose(0).build();
  }

  /** The epochs of the case's first fit ({@code meta/epochs}: 3, or 2 with accumulation). */
  private static int epochs(TensorBundle b) {
    return b.read("meta/epochs", TInt32.class).ints()[0];
  }

  private static void continueAndCompare(Case c, TensorBundle b, Model m, List<String> failures) {
    Map<String, HostArray> data = c.data(b);
    History next = m.fit(data.get("x"), data.get("y"), fit(b, 1));
    compareLosses(c.name() + " next/loss", b.read("next/loss", TFloat32.class).floats(), next, failures);
    compareState(c, b, m, "final", failures);
  }

  /** Weights and optimizer variables restored from a Keras file equal Keras' values bit for bit. */
  private static void assertRestoredExactly(Case c, TensorBundle b, Model m) {
    Map<String, HostArray> vars = CheckpointTesting.allVariables(m);
    for (Weight w : m.weights()) {
      assertArrayEquals(b.read("trained/" + w.path(), TFloat32.class).floats(), vars.get(w.path()).floats(),
          c.name() + ": restored " + w.path());
    }
    List<OptimizerVariables.Entry> order = OptimizerVariables.kerasOrder(m, vars.keySet());
    for (int k = 0; k < order.size(); k++) {
      HostArray got = vars.get(order.get(k).name());
      if (k == 0) {
        assertEquals(b.read("trained_optimizer/0", TInt64.class).ints()[0], got.ints()[0], "iterations");
      } else {
        assertArrayEquals(b.read("trained_optimizer/" + k, TFloat32.class).floats(), got.floats(),
            c.name() + ": restored " + order.get(k).kerasName());
      }
    }
  }

  private static void compareLosses(String what, float[] expected, History h, List<String> failures) {
    List<Double> got = h.get("loss");
    float[] actual = new float[got.size()];
    for (int i = 0; i < actual.length; i++) {
      actual[i] = got.get(i).floatValue();
    }
    KerasCheckpointFixturesTest.compare(what, expected, actual, RTOL, ATOL, failures);
  }

  /**
   * Compares the weights and every optimizer variable with the bundle's {@code <stage>/} and
   * {@code <stage>_optimizer/k}; the optimizer variables must carry Keras' paths, in Keras' order.
   */
  private static void compareState(Case c, TensorBundle b, Model m, String stage, List<String> failures) {
    Map<String, HostArray> vars = CheckpointTesting.allVariables(m);
    for (Weight w : m.weights()) {
      KerasCheckpointFixturesTest.compare(c.name() + " " + stage + "/" + w.path(),
          b.read(stage + "/" + w.path(), TFloat32.class).floats(), vars.get(w.path()).floats(), RTOL, ATOL,
          failures);
    }
    List<OptimizerVariables.Entry> order = OptimizerVariables.kerasOrder(m, vars.keySet());
    List<String> kerasPaths = b.readStrings("meta/optimizer_variable_paths");
    assertEquals(kerasPaths, order.stream().map(OptimizerVariables.Entry::kerasName).toList(),
        c.name() + ": optimizer variables in Keras' order, with Keras' paths");
    assertEquals(b.read(stage + "_optimizer/0", TInt64.class).ints()[0], vars.get(order.get(0).name()).ints()[0],
        c.name() + " " + stage + ": iterations");
    for (int k = 1; k < order.size(); k++) {
      KerasCheckpointFixturesTest.compare(c.name() + " " + stage + "_optimizer/" + kerasPaths.get(k),
          b.read(stage + "_optimizer/" + k, TFloat32.class).floats(), vars.get(order.get(k).name()).floats(), RTOL,
          ATOL, failures);
    }
  }

  /** {@code <case>.json}: Java's fourth-epoch loss, weights and optimizer variables (Keras order) for Python. */
  private static void writeForPython(Case c, Model m, History next) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode out = json.createObjectNode();
    out.put("next_loss", next.get("loss").get(0));
    Map<String, HostArray> vars = CheckpointTesting.allVariables(m);
    ObjectNode weights = out.putObject("final");
    for (Weight w : m.weights()) {
      ArrayNode a = weights.putArray(w.path());
      for (float f : vars.get(w.path()).floats()) {
        a.add(f);
      }
    }
    ArrayNode opt = out.putArray("final_optimizer");
    List<OptimizerVariables.Entry> order = OptimizerVariables.kerasOrder(m, vars.keySet());
    for (int k = 1; k < order.size(); k++) {
      ArrayNode a = opt.addArray();
      for (float f : vars.get(order.get(k).name()).floats()) {
        a.add(f);
      }
    }
    json.writeValue(c.interop().resolve(c.name() + ".json").toFile(), out);
  }
}
