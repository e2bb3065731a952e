package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.constraints.Constraint;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Input;
import dev.kerasj.regularizers.L2;
import dev.kerasj.regularizers.Regularizer;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.testing.RegularizerCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Regularizers and constraints in Keras configs: kerasj reads what Keras 3.15.1 serialized
 * ({@code testdata/regularizers/values}, {@code <case>/config}) and writes it back byte for byte as JSON; the layers of
 * the training cases give Keras' {@code get_config()["layers"]}; the Python-written {@code .keras} files load and
 * evaluate like Keras; Java-written ones are left for {@code python-interop/tests/test_java_regularizer_files.py}.
 */
class PenaltyConfigsTest {
  static final TensorBundle VALUES = new TensorBundle(Path.of("testdata", "regularizers", "values"));

  static Stream<Arguments> valueCases() {
    return RegularizerCases.valueCases().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static JsonNode parse(String json) throws Exception {
    return KerasJson.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static JsonNode written(Object o) {
    return o instanceof Regularizer r ? PenaltyConfigs.toConfig(r) : PenaltyConfigs.toConfig((Constraint) o);
  }

  static Object read(String key, JsonNode node) {
    ObjectNode holder = KerasJson.NODES.objectNode();
    holder.set(key, node);
    ConfigFields c = new ConfigFields(holder, "layer", null);
    return key.endsWith("_regularizer") ? PenaltyConfigs.regularizer(c, key) : PenaltyConfigs.constraint(c, key);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCases")
  void write_javaObject_givesWhatKerasSerializes(String name, Supplier<Object> object) throws Exception {
    assertEquals(parse(VALUES.readStrings(name + "/config").get(0)), written(object.get()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCases")
  void read_kerasSerialized_givesTheJavaObject(String name, Supplier<Object> object) throws Exception {
    JsonNode keras = parse(VALUES.readStrings(name + "/config").get(0));
    Object expected = object.get();
    Object loaded = read(expected instanceof Regularizer ? "kernel_regularizer" : "kernel_constraint", keras);
    assertEquals(expected.getClass(), loaded.getClass());
    assertEquals(keras, written(loaded));
  }

  static Stream<RegularizerCases.Case> trainCases() {
    return RegularizerCases.CASES.stream();
  }

  static JsonNode kerasLayers(RegularizerCases.Case c) throws Exception {
    return parse(new TensorBundle(c.bundle()).readStrings("keras/layers").get(0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trainCases")
  void layerConfigs_ofJavaModel_equalKerasGetConfig(RegularizerCases.Case c) throws Exception {
    try (Sequential model = c.model().get()) {
      assertEquals(kerasLayers(c), parse(model.toJson()).get("config").get("layers"));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trainCases")
  void kerasFile_writtenByPython_loadsWithItsPenalties_andEvaluatesLikeKeras(RegularizerCases.Case c)
      throws Exception {
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, HostArray> val = b.read(Map.of("x_val", c.xDtype(), "y_val", TFloat32.class));
    float keras = b.read("evaluate/loss", TFloat32.class).floats()[0];
    try (Model loaded = Model.load(c.kerasFile())) {
      assertEquals(kerasLayers(c), parse(loaded.toJson()).get("config").get("layers"));
      double loss = loaded.evaluate(val.get("x_val"), val.get("y_val"), 32).get("loss");
      System.out.printf("[regularizer files] %s.keras evaluate: keras=%.9g java=%.9g%n", c.name(), keras, loss);
      assertEquals(keras, loss, 1e-6 + 1e-5 * Math.abs(keras));
    }
  }

  /**
   * Leaves, for {@code python-interop/tests/test_java_regularizer_files.py}, a Java-written {@code .keras} per
   * training case under {@code <kerasj.interopDir>/regularizers/} (Keras' initial weights) and {@code <case>.json}
   * with Java's {@code evaluate} loss on the case's validation data: Python must load the file with the same layer
   * configs as Keras' own model and evaluate it to the same value.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("trainCases")
  void kerasFile_forPython_isLeftWithJavasEvaluation(RegularizerCases.Case c) throws Exception {
    Path dir = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("regularizers");
    Files.createDirectories(dir);
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, HostArray> val = b.read(Map.of("x_val", c.xDtype(), "y_val", TFloat32.class));
    try (Sequential model = c.model().get()) {
      Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
      model.weights().forEach(w -> want.put("initial/" + w.path(), TFloat32.class));
      Map<String, Object> initial = new LinkedHashMap<>();
      b.read(want).forEach((k, v) -> initial.put(k.substring("initial/".length()), v));
      model.setWeights(initial);
      double loss = model.evaluate(val.get("x_val"), val.get("y_val"), 32).get("loss");
      assertTrue(Double.isFinite(loss), c.name() + ": " + loss);
      model.save(dir.resolve(c.name() + ".keras"));
      ObjectNode out = KerasJson.NODES.objectNode();
      out.put("loss", loss);
      Files.write(dir.resolve(c.name() + ".json"), KerasJson.toBytes(out));
    }
  }

  @Test
  void kerasFile_writtenByJava_readsBackTheSamePenalties(@TempDir Path dir) throws Exception {
    for (RegularizerCases.Case c : RegularizerCases.CASES) {
      Path file = dir.resolve(c.name() + ".keras");
      try (Sequential model = c.model().get()) {
        model.save(file);
      }
      try (Model loaded = Model.load(file)) {
        assertEquals(kerasLayers(c), parse(loaded.toJson()).get("config").get("layers"), c.name());
      }
    }
  }

  @Test
  void read_negativeFactor_failsNamingTheKeyAndValue() throws Exception {
    JsonNode node = parse("{\"module\": \"keras.regularizers\", \"class_name\": \"L2\", \"config\": {\"l2\": -0.5},"
        + " \"registered_name\": null}");
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> read("kernel_regularizer", node));
    assertTrue(e.getMessage().contains("layer.kernel_regularizer") && e.getMessage().contains("l2=-0.5"),
        e.getMessage());
  }

  @Test
  void read_unknownClass_failsListingTheSupportedOnes() throws Exception {
    JsonNode node = parse("{\"class_name\": \"OrthogonalRegularizer\", \"config\": {\"factor\": 0.01}}");
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> read("kernel_regularizer", node));
    assertTrue(e.getMessage().contains("'OrthogonalRegularizer' is not supported") && e.getMessage().contains("L1L2"),
        e.getMessage());
  }

  @Test
  void read_stringIdentifiers_giveKerasDefaults() throws Exception {
    assertEquals(PenaltyConfigs.toConfig(new L2()), written(read("kernel_regularizer", parse("\"l2\""))));
    assertEquals("MaxNorm", ((Constraint) read("kernel_constraint", parse("\"max_norm\""))).className());
  }

  @Test
  void fromJson_denseWithKernelRegularizer_keepsIt() throws Exception {
    try (Sequential model = new Sequential(Input.of(2), new Dense(2))) {
      ObjectNode json = (ObjectNode) parse(model.toJson());
      ObjectNode dense = (ObjectNode) json.get("config").get("layers").get(1).get("config");
      dense.set("kernel_regularizer", PenaltyConfigs.toConfig(new L2(0.1)));
      try (Model loaded = Model.fromJson(json.toString())) {
        assertEquals(0.1, ((L2) loaded.layers().get(0).weightRegularizer("kernel")).l2());
      }
    }
  }

  @Test
  void read_badConstraintInALayer_failsNamingTheLayerKeyAndValue() throws Exception {
    try (Sequential model = new Sequential(Input.of(Input.DType.INT32, 3), new Embedding(5, 2))) {
      ObjectNode json = (ObjectNode) parse(model.toJson());
      ObjectNode embedding = (ObjectNode) json.get("config").get("layers").get(1).get("config");
      embedding.set("embeddings_constraint", parse("{\"class_name\": \"MinMaxNorm\", \"config\": {\"rate\": 2.0}}"));
      IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
          () -> Model.fromJson(json.toString()));
      assertTrue(e.getMessage().contains("embeddings_constraint") && e.getMessage().contains("rate=2.0"),
          e.getMessage());
    }
  }

  @Test
  void activityRegularizer_onAnyLayer_isWrittenAfterDtype_andReadBack() throws Exception {
    Dropout dropout = new Dropout(0.1);
    dropout.setActivityRegularizer(new L2(0.5));
    try (Sequential model = new Sequential(Input.of(2), dropout)) {
      JsonNode layer = parse(model.toJson()).get("config").get("layers").get(1).get("config");
      assertEquals(java.util.List.of("name", "trainable", "dtype", "activity_regularizer", "rate", "seed",
          "noise_shape"), iterable(layer.fieldNames()));
      try (Model loaded = Model.fromJson(model.toJson())) {
        assertEquals(0.5, ((L2) loaded.layers().get(0).activityRegularizer()).l2());
      }
    }
  }

  private static java.util.List<String> iterable(java.util.Iterator<String> it) {
    java.util.List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
