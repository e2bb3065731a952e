package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.BinaryFocalCrossentropy;
import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.losses.CategoricalFocalCrossentropy;
import dev.kerasj.losses.CosineSimilarity;
import dev.kerasj.losses.Hinge;
import dev.kerasj.losses.KLDivergence;
import dev.kerasj.losses.LogCosh;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.Losses;
import dev.kerasj.losses.MeanAbsolutePercentageError;
import dev.kerasj.losses.MeanSquaredLogarithmicError;
import dev.kerasj.losses.Poisson;
import dev.kerasj.losses.SquaredHinge;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.testing.LossCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.types.TFloat32;

/**
 * The losses of issue 17 in Keras configs: kerasj reads the serialized losses Keras 3.15.1 wrote
 * ({@code testdata/losses/values}, {@code <case>/config}) and the {@code .keras} files Python compiled with them,
 * writes what Keras writes, and reads back what it wrote.
 */
class LossConfigsTest {
  static final TensorBundle VALUES = new TensorBundle(Path.of("testdata", "losses", "values"));

  static Stream<Arguments> valueCases() {
    return LossCases.valueCases().entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static JsonNode pythonConfig(String name) throws Exception {
    return KerasJson.parse(VALUES.readStrings(name + "/config").get(0).getBytes(StandardCharsets.UTF_8));
  }

  static Loss read(JsonNode node) {
    return CompileConfigs.loss(node, new ConfigFields(KerasJson.NODES.objectNode(), "compile_config", null));
  }

  /** What kerasj writes for a loss: its identity for these tests (class and every argument). */
  static JsonNode written(Loss loss) {
    return CompileConfigs.loss(loss);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCases")
  void read_kerasSerializedLoss_givesTheJavaLoss(String name, Supplier<Loss> javaLoss) throws Exception {
    Loss expected = javaLoss.get();
    if (expected instanceof CosineSimilarity c && c.axis() != CosineSimilarity.DEFAULT_AXIS) {
      // Keras 3.15's CosineSimilarity.get_config() drops axis, so its config says axis -1 (Keras' own round trip
      // loses it too); kerasj reads what the file says.
      expected = new CosineSimilarity();
    }
    Loss loaded = read(pythonConfig(name));
    assertEquals(expected.getClass(), loaded.getClass());
    assertEquals(written(expected), written(loaded));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCases")
  void write_javaLoss_givesWhatKerasWrites(String name, Supplier<Loss> javaLoss) throws Exception {
    JsonNode keras = pythonConfig(name);
    JsonNode java = written(javaLoss.get());
    if (java.isTextual()) {
      // Keras' default arguments: kerasj writes the identifier compile(loss="...") stores, Keras' function name.
      assertEquals(keras.get("config").get("name").asText(), java.asText());
      assertEquals(javaLoss.get().getClass(), Losses.get(java.asText()).getClass());
    } else if (name.equals("cosine_similarity_axis1")) {
      assertEquals(1, java.get("config").get("axis").asInt(), "kerasj keeps the axis Keras' get_config drops");
      assertEquals(keras.get("class_name"), java.get("class_name"));
    } else {
      assertEquals(keras, java);
    }
  }

  static Stream<Loss> everyNewLossWithArguments() {
    return Stream.of(new KLDivergence(), new Poisson(), new CosineSimilarity(), new CosineSimilarity(1),
        new Hinge(), new SquaredHinge(), new LogCosh(), new MeanSquaredLogarithmicError(),
        new MeanAbsolutePercentageError(), new BinaryFocalCrossentropy(),
        BinaryFocalCrossentropy.builder().applyClassBalancing(true).alpha(0.4).gamma(1.5).fromLogits(true)
            .labelSmoothing(0.1).build(),
        new CategoricalFocalCrossentropy(),
        CategoricalFocalCrossentropy.builder().alpha(0.5).gamma(3).fromLogits(true).labelSmoothing(0.2).build(),
        new BinaryCrossentropy(false, 0.2), new BinaryCrossentropy(true, 0.3), new CategoricalCrossentropy(false, 0.1),
        new CategoricalCrossentropy(true, 1.0));
  }

  @ParameterizedTest
  @MethodSource("everyNewLossWithArguments")
  void kerasFile_writtenByJava_readsBackTheSameLoss(Loss loss, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.keras");
    try (Sequential model = new Sequential(Input.of(2, 3), new Dense(3))) {
      model.compile(new SGD(0.1), loss);
      model.save(file);
    }
    try (Model loaded = Model.load(file)) {
      assertEquals(loss.getClass(), loaded.loss().getClass());
      assertEquals(written(loss), written(loaded.loss()));
    }
  }

  static Stream<LossCases.Case> pythonKerasFiles() {
    return LossCases.CASES.stream().filter(LossCases.Case::hasKerasFile);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pythonKerasFiles")
  void kerasFile_writtenByPython_loadsWithItsLoss_andEvaluatesLikeKeras(LossCases.Case c) throws Exception {
    Object id = c.loss().get();
    Loss expected = id instanceof String s ? Losses.get(s) : (Loss) id;
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, HostArray> val = b.read(Map.of("x_val", TFloat32.class, "y_val", TFloat32.class));
    float[] kerasValLoss = b.read("history/val_loss", TFloat32.class).floats();
    try (Model loaded = Model.load(c.kerasFile())) {
      assertEquals(expected.getClass(), loaded.loss().getClass());
      assertEquals(written(expected), written(loaded.loss()));
      // The file holds the weights after fit, so evaluating them is Keras' last val_loss.
      double loss = loaded.evaluate(val.get("x_val"), val.get("y_val"), 32).get("loss");
      float keras = kerasValLoss[kerasValLoss.length - 1];
      System.out.printf("[loss parity] %s.keras evaluate: keras=%.9g java=%.9g%n", c.name(), keras, loss);
      assertEquals(keras, loss, 1e-6 + 1e-5 * Math.abs(keras));
    }
  }

  static Stream<LossCases.Case> trainCases() {
    return LossCases.CASES.stream();
  }

  /**
   * Leaves, for {@code python-interop/tests/test_java_loss_files.py}, a Java-written {@code .keras} per training
   * case under {@code <kerasj.interopDir>/losses/} (Keras' initial weights, compiled with the case's loss) and
   * {@code <case>.json} with Java's loss on the case's validation data and the loss config Java wrote: Python must
   * load the file with that loss and evaluate it to the same value.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("trainCases")
  void kerasFile_forPython_isLeftWithJavasEvaluation(LossCases.Case c) throws Exception {
    Path dir = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("losses");
    java.nio.file.Files.createDirectories(dir);
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, HostArray> val = b.read(Map.of("x_val", TFloat32.class, "y_val", TFloat32.class));
    try (Sequential model = c.model()) {
      Map<String, Class<? extends org.tensorflow.types.family.TType>> want = new java.util.LinkedHashMap<>();
      model.weights().forEach(w -> want.put("initial/" + w.path(), TFloat32.class));
      Map<String, Object> initial = new java.util.LinkedHashMap<>();
      b.read(want).forEach((k, v) -> initial.put(k.substring("initial/".length()), v));
      model.setWeights(initial);
      double loss = model.evaluate(val.get("x_val"), val.get("y_val"), 32).get("loss");
      assertTrue(Double.isFinite(loss), c.name() + ": " + loss);
      model.save(dir.resolve(c.name() + ".keras"));
      com.fasterxml.jackson.databind.node.ObjectNode out = KerasJson.NODES.objectNode();
      out.put("loss", loss);
      out.set("config", written(model.loss()));
      java.nio.file.Files.write(dir.resolve(c.name() + ".json"), KerasJson.toBytes(out));
    }
  }

  @Test
  void read_badLabelSmoothing_failsNamingTheFileKeyAndValue() throws Exception {
    JsonNode node = KerasJson.parse(("{\"module\": \"keras.losses\", \"class_name\": \"BinaryFocalCrossentropy\","
        + " \"config\": {\"label_smoothing\": 1.5, \"gamma\": 2.0}}").getBytes(StandardCharsets.UTF_8));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> read(node));
    assertTrue(e.getMessage().contains("compile_config.loss.config")
        && e.getMessage().contains("label_smoothing in [0, 1]") && e.getMessage().contains("1.5"), e.getMessage());
  }

  @Test
  void read_perClassAlphaList_failsSayingANumberIsExpected() throws Exception {
    JsonNode node = KerasJson.parse(("{\"class_name\": \"CategoricalFocalCrossentropy\","
        + " \"config\": {\"alpha\": [0.2, 0.3, 0.5]}}").getBytes(StandardCharsets.UTF_8));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> read(node));
    assertTrue(e.getMessage().contains("'alpha' to be a number") && e.getMessage().contains("[0.2,0.3,0.5]"),
        e.getMessage());
  }

  @Test
  void read_labelSmoothingOnSparseCrossentropy_isRefused() throws Exception {
    JsonNode node = KerasJson.parse(("{\"class_name\": \"SparseCategoricalCrossentropy\","
        + " \"config\": {\"label_smoothing\": 0.1}}").getBytes(StandardCharsets.UTF_8));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> read(node));
    assertTrue(e.getMessage().contains("'label_smoothing'=0.1 is not supported"), e.getMessage());
  }

  @Test
  void read_unknownIdentifier_listsTheKnownOnes() {
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> read(KerasJson.NODES.textNode("kullback_leibler_divergence")));
    assertTrue(e.getMessage().contains("Unknown loss: 'kullback_leibler_divergence'")
        && e.getMessage().contains("kl_divergence (kld)"), e.getMessage());
  }

  @Test
  void read_identifiersKerasResolves_giveTheirLoss() {
    Map<String, Class<?>> ids = new java.util.LinkedHashMap<>();
    for (String id : List.of("kld", "KLD", "kl_divergence", "KLDivergence")) {
      ids.put(id, KLDivergence.class);
    }
    for (String id : List.of("msle", "MSLE", "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError")) {
      ids.put(id, MeanSquaredLogarithmicError.class);
    }
    for (String id : List.of("mape", "MAPE", "mean_absolute_percentage_error", "MeanAbsolutePercentageError")) {
      ids.put(id, MeanAbsolutePercentageError.class);
    }
    ids.put("bce", BinaryCrossentropy.class);
    ids.put("BCE", BinaryCrossentropy.class);
    ids.put("poisson", Poisson.class);
    ids.put("Poisson", Poisson.class);
    ids.put("cosine_similarity", CosineSimilarity.class);
    ids.put("hinge", Hinge.class);
    ids.put("squared_hinge", SquaredHinge.class);
    ids.put("log_cosh", LogCosh.class);
    ids.put("LogCosh", LogCosh.class);
    ids.put("logcosh", LogCosh.class); // tf.keras 2's name, which Keras 3 no longer resolves
    ids.put("binary_focal_crossentropy", BinaryFocalCrossentropy.class);
    ids.put("categorical_focal_crossentropy", CategoricalFocalCrossentropy.class);
    ids.forEach((id, cls) -> assertInstanceOf(cls, read(KerasJson.NODES.textNode(id)), id));
  }
}
