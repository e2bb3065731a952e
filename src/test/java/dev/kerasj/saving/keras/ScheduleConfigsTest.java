package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.schedules.CosineDecay;
import dev.kerasj.optimizers.schedules.LearningRateSchedule;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.testing.ScheduleCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Learning-rate schedules in Keras configs: kerasj reads the serialized schedules Keras 3.15.1 wrote
 * ({@code testdata/schedules/schedules.json}, each case's {@code config}) as an optimizer's {@code learning_rate},
 * writes exactly what Keras writes (keys in Keras' order), keeps them through {@code .keras} files both ways, and
 * rejects what it cannot honour naming the file, the key and the value.
 */
class ScheduleConfigsTest {
  static final JsonNode FIXTURE = fixture();

  static JsonNode fixture() {
    try {
      return KerasJson.parse(Files.readAllBytes(ScheduleCases.DIR.resolve("schedules.json")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Stream<String> valueCases() {
    List<String> names = new ArrayList<>();
    FIXTURE.get("schedules").fieldNames().forEachRemaining(names::add);
    return names.stream();
  }

  static LearningRateSchedule read(JsonNode node) {
    return ScheduleConfigs.read(node, new ConfigFields(KerasJson.NODES.objectNode(),
        "compile_config.optimizer.config", null));
  }

  /** Jackson tells an int node from a long one; Keras' JSON does not: compare what the bytes parse back to. */
  static JsonNode normalized(JsonNode node) throws Exception {
    return KerasJson.parse(KerasJson.toBytes(node));
  }

  static List<String> keys(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCases")
  void kerasConfig_readsAndWritesBackExactlyWhatKerasWrote(String name) throws Exception {
    JsonNode c = FIXTURE.get("schedules").get(name);
    JsonNode keras = c.get("config");
    LearningRateSchedule s = read(keras);
    assertEquals(keras.get("class_name").asText(), s.getClass().getSimpleName());
    JsonNode java = normalized(ScheduleConfigs.write(s));
    assertEquals(keras, java);
    assertEquals(keys(keras.get("config")), keys(java.get("config")), "Keras' get_config() key order");
    JsonNode values = c.get("values");
    for (int i = 0; i < values.size(); i++) {
      double v = values.get(i).asDouble();
      assertEquals(v, s.valueAt(c.get("steps").get(i).asLong()), Math.max(Math.abs(v) * 2e-6, 1e-8), name);
    }
  }

  static Stream<ScheduleCases.Case> trainCases() {
    return ScheduleCases.CASES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trainCases")
  void kerasFile_writtenByPython_holdsTheScheduleKerasSerialized(ScheduleCases.Case c) throws Exception {
    TensorBundle b = new TensorBundle(c.bundle());
    JsonNode keras = KerasJson.parse(b.readStrings("config").get(0).getBytes(StandardCharsets.UTF_8));
    try (Model loaded = Model.load(c.kerasFile())) {
      LearningRateSchedule s = loaded.optimizer().learningRateSchedule();
      assertNotNull(s);
      assertEquals(keras, normalized(ScheduleConfigs.write(s)));
      assertEquals(normalized(ScheduleConfigs.write(c.schedule().get())), keras);
    }
  }

  /**
   * Leaves, for {@code python-interop/tests/test_java_schedule_files.py}, a Java-written {@code .keras} per training
   * case under {@code <kerasj.interopDir>/schedules/}: the case's model fitted by Java from Keras' initial weights
   * for the case's epochs (9 steps), so its optimizer's iterations and slots are mid-schedule, and {@code <case>.json}
   * with the schedule config Java wrote and Java's loss on the validation data. Python must load the schedule equal
   * to Keras' own, evaluate to Java's loss, and train the next epoch as Keras did.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("trainCases")
  void kerasFile_forPython_isLeftAfterJavasFit(ScheduleCases.Case c) throws Exception {
    Path dir = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("schedules");
    Files.createDirectories(dir);
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, Class<? extends TType>> data = new LinkedHashMap<>();
    for (String n : List.of("x", "y", "x_val", "y_val")) {
      data.put(n, TFloat32.class);
    }
    Map<String, HostArray> d = b.read(data);
    try (Sequential model = c.model()) {
      Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
      model.weights().forEach(w -> want.put("initial/" + w.path(), TFloat32.class));
      Map<String, Object> initial = new LinkedHashMap<>();
      b.read(want).forEach((k, v) -> initial.put(k.substring("initial/".length()), v));
      model.setWeights(initial);
      int epochs = b.read("meta/epochs", org.tensorflow.types.TInt32.class).ints()[0];
      model.fit(d.get("x"), d.get("y"), dev.kerasj.FitOptions.builder().epochs(epochs).batchSize(32).shuffle(false)
          .verbose(0).build());
      double loss = model.evaluate(d.get("x_val"), d.get("y_val"), 32).get("loss");
      model.save(dir.resolve(c.name() + ".keras"));
      ObjectNode out = KerasJson.NODES.objectNode();
      out.put("loss", loss);
      out.set("config", ScheduleConfigs.write(model.optimizer().learningRateSchedule()));
      out.put("learning_rate", model.learningRate());
      Files.write(dir.resolve(c.name() + ".json"), KerasJson.toBytes(out));
    }
  }

  @Test
  void javaKerasFile_readsBackTheSameSchedule(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.keras");
    LearningRateSchedule s = CosineDecay.builder(0.0, 100).warmupTarget(0.01).warmupSteps(10).alpha(0.05)
        .name("warm_cosine").build();
    try (Sequential model = new Sequential(Input.of(2), new Dense(1))) {
      model.compile(new Adam().setLearningRateSchedule(s), new MeanSquaredError());
      model.save(file);
    }
    try (Model loaded = Model.load(file)) {
      CosineDecay back = assertInstanceOf(CosineDecay.class, loaded.optimizer().learningRateSchedule());
      assertEquals(ScheduleConfigs.write(s), ScheduleConfigs.write(back));
      assertEquals(0.0, loaded.learningRate(), "the live rate is the schedule's at iteration 0");
    }
  }

  /** A SavedModel directory keeps the schedule in its Keras config too, and its optimizer state continues it. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("trainCases")
  void savedModel_writtenByJava_keepsTheSchedule_andContinuesItLikeKeras(ScheduleCases.Case c, @TempDir Path dir)
      throws Exception {
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, Class<? extends TType>> data = new LinkedHashMap<>();
    for (String n : List.of("x", "y", "x_val", "y_val")) {
      data.put(n, TFloat32.class);
    }
    Map<String, HostArray> d = b.read(data);
    Path saved = dir.resolve("saved_model");
    try (Sequential model = c.model()) {
      Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
      model.weights().forEach(w -> want.put("initial/" + w.path(), TFloat32.class));
      Map<String, Object> initial = new LinkedHashMap<>();
      b.read(want).forEach((k, v) -> initial.put(k.substring("initial/".length()), v));
      model.setWeights(initial);
      model.fit(d.get("x"), d.get("y"), dev.kerasj.FitOptions.builder().epochs(3).batchSize(32).shuffle(false)
          .verbose(0).build());
      model.save(saved);
    }
    try (Model loaded = Model.load(saved)) {
      assertEquals(normalized(ScheduleConfigs.write(c.schedule().get())),
          normalized(ScheduleConfigs.write(loaded.optimizer().learningRateSchedule())));
      double next = loaded.fit(d.get("x"), d.get("y"), dev.kerasj.FitOptions.builder().epochs(1).batchSize(32)
          .shuffle(false).verbose(0).build()).history().get("loss").get(0);
      float keras = b.read("next_history/loss", TFloat32.class).floats()[0];
      assertEquals(keras, next, 1e-6 + 1e-5 * Math.abs(keras), c.name() + ": the epoch after the SavedModel");
    }
  }

  static IncompatibleModelException readFails(String json) throws Exception {
    JsonNode node = KerasJson.parse(json.getBytes(StandardCharsets.UTF_8));
    return assertThrows(IncompatibleModelException.class, () -> read(node));
  }

  @Test
  void read_badArgumentInTheFile_failsNamingTheKeyPathAndValue() throws Exception {
    IncompatibleModelException e = readFails("{\"module\": \"keras.optimizers.schedules\", \"class_name\": "
        + "\"PolynomialDecay\", \"config\": {\"initial_learning_rate\": 0.1, \"decay_steps\": 0}}");
    assertTrue(e.getMessage().contains("compile_config.optimizer.config.learning_rate.config")
        && e.getMessage().contains("Argument `decay_steps` must be > 0. Received: decaySteps=0"), e.getMessage());
    e = readFails("{\"class_name\": \"CosineDecayRestarts\", \"config\": {\"initial_learning_rate\": 0.1, "
        + "\"first_decay_steps\": 5, \"t_mul\": -1.0}}");
    assertTrue(e.getMessage().contains("tMul=-1.0"), e.getMessage());
    e = readFails("{\"class_name\": \"CosineDecay\", \"config\": {\"initial_learning_rate\": 0.1, "
        + "\"decay_steps\": 12.5}}");
    assertTrue(e.getMessage().contains("'decay_steps' to be a whole number of steps. Found: 12.5"), e.getMessage());
  }

  @Test
  void read_customOrUnknownSchedule_failsListingTheSupportedOnes() throws Exception {
    IncompatibleModelException e = readFails("{\"module\": null, \"class_name\": \"MySchedule\", "
        + "\"config\": {}, \"registered_name\": \"Custom>MySchedule\"}");
    assertTrue(e.getMessage().contains("'Custom>MySchedule'") && e.getMessage().contains("CosineDecayRestarts"),
        e.getMessage());
    e = readFails("{\"module\": \"keras.optimizers.schedules\", \"class_name\": \"LinearWarmup\", \"config\": {}, "
        + "\"registered_name\": null}");
    assertTrue(e.getMessage().contains("'LinearWarmup' is not supported"), e.getMessage());
  }

  @Test
  void optimizerConfig_withALearningRateNeitherNumberNorSchedule_isRefused() throws Exception {
    for (String lr : List.of("null", "\"0.01\"", "[0.1]")) {
      JsonNode opt = KerasJson.parse(("{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": " + lr + "}}")
          .getBytes(StandardCharsets.UTF_8));
      IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> CompileConfigs.optimizer(
          opt, new ConfigFields(KerasJson.NODES.objectNode(), "compile_config", null)));
      assertTrue(e.getMessage().contains("'learning_rate' must be a number or a serialized learning-rate schedule of "
          + "keras.optimizers.schedules. Found: " + KerasJson.parse(lr.getBytes(StandardCharsets.UTF_8))),
          e.getMessage());
    }
  }

  @Test
  void optimizerConfig_withAScheduleAsLearningRate_givesTheOptimizerTheSchedule() throws Exception {
    JsonNode schedule = FIXTURE.get("schedules").get("cosine_restarts_t_mul_1_5").get("config");
    ObjectNode opt = (ObjectNode) KerasJson.parse(("{\"module\": \"keras.optimizers\", \"class_name\": \"SGD\", "
        + "\"config\": {\"name\": \"sgd\", \"momentum\": 0.9, \"nesterov\": false}, \"registered_name\": null}")
        .getBytes(StandardCharsets.UTF_8));
    ((ObjectNode) opt.get("config")).set("learning_rate", schedule);
    Optimizer o = CompileConfigs.optimizer(opt, new ConfigFields(KerasJson.NODES.objectNode(), "compile_config",
        null));
    assertEquals(schedule, normalized(ScheduleConfigs.write(o.learningRateSchedule())));
    JsonNode written = normalized(CompileConfigs.optimizer(o, 0.123));
    assertEquals(schedule, written.get("config").get("learning_rate"), "written back as the schedule, not a number");
    assertEquals(0.9, written.get("config").get("momentum").asDouble());
  }
}
