package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.layers.Layer;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.keras.KerasConfigParityTest;
import dev.kerasj.saving.keras.KerasJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Sequential#fromJson}, {@link Sequential#fromConfig} and {@link Sequential#toJson}, against configs written
 * by real Keras 3.15.1 ({@code python-interop/make_config_fixtures.py}): {@code model.to_json()} under
 * {@code testdata/savedmodel/configs/} and {@code model.get_config()} of the same models under
 * {@code testdata/savedmodel/get_config/}, together every layer kerasj supports.
 */
class SequentialConfigApiTest {
  static final Path TO_JSON = KerasConfigParityTest.CONFIGS;
  static final Path GET_CONFIG = Path.of("testdata", "savedmodel", "get_config");

  @TempDir Path tmp;

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(GET_CONFIG)) {
      List<String> names = files.map(p -> p.getFileName().toString().replace(".json", "")).sorted().toList();
      assertEquals(8, names.size(), names.toString());
      return names.stream();
    }
  }

  static JsonNode json(Path file) throws IOException {
    return KerasJson.parse(Files.readAllBytes(file));
  }

  /** {@code model.to_json()} output, from a file and from a String: compiled as Keras was, toJson gives it back. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fromJson_ofKerasToJson_rebuildsAndCompilesAsKeras(String name) throws IOException {
    Path file = TO_JSON.resolve(name + ".json");
    JsonNode keras = json(file);
    boolean compiled = keras.path("compile_config").size() > 0;
    try (Sequential fromFile = Sequential.fromJson(file);
        Sequential fromString = Sequential.fromJson(Files.readString(file), 3)) {
      for (Sequential model : List.of(fromFile, fromString)) {
        assertEquals(compiled, model.isCompiled(), name);
        assertEquals(keras.path("config").path("name").asText(), model.name());
        KerasConfigParityTest.assertEquivalent(keras, KerasJson.parse(model.toJson().getBytes()), "$");
      }
    }
  }

  /** {@code model.get_config()} output, as JSON and as plain Java maps: the same layers, never compiled. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fromConfig_ofKerasGetConfig_rebuildsTheLayers(String name) throws IOException {
    Path file = GET_CONFIG.resolve(name + ".json");
    JsonNode keras = json(file);
    @SuppressWarnings("unchecked")
    Map<String, Object> plain = KerasJson.mapper().readValue(file.toFile(), Map.class);
    try (Sequential fromJson = Sequential.fromJson(file, 1);
        Sequential fromMap = Sequential.fromConfig(plain);
        Sequential fromToJsonMap = Sequential.fromConfig(
            KerasJson.mapper().readValue(TO_JSON.resolve(name + ".json").toFile(), Map.class), 1)) {
      for (Sequential model : List.of(fromJson, fromMap)) {
        assertTrue(!model.isCompiled(), name + ": get_config() holds no compile settings");
        KerasConfigParityTest.assertEquivalent(keras, KerasJson.parse(model.toJson().getBytes()).get("config"),
            "$.config");
      }
      assertEquals(keras.path("layers").size() - 1, fromToJsonMap.layers().size());
      assertEquals(fromJson.layers().stream().map(Layer::name).toList(),
          fromToJsonMap.layers().stream().map(Layer::name).toList());
    }
  }

  @Test
  void seed_isOptional_andReproducibleWhenGiven() throws IOException {
    String json = Files.readString(TO_JSON.resolve("mlp.json"));
    try (Sequential a = Sequential.fromJson(json, 7); Sequential b = Sequential.fromJson(json, 7);
        Sequential c = Sequential.fromJson(json); Sequential d = Sequential.fromJson(json)) {
      assertEquals(a.getWeights(), b.getWeights());
      assertNotEquals(c.getWeights(), d.getWeights(), "unseeded models should draw different seeds");
    }
  }

  /** A {@code .keras} archive: its config and compile settings, not its weights. */
  @Test
  void fromJson_ofKerasArchive_usesConfigAndCompileConfig() throws IOException {
    Path archive = Path.of("testdata", "keras", "custom_names_sgd.keras");
    try (Sequential model = Sequential.fromJson(archive, 1); Sequential loaded = Sequential.load(archive)) {
      assertEquals(List.of("encoder", "bottleneck", "head"), model.layers().stream().map(Layer::name).toList());
      assertEquals("custom_model", model.name());
      assertTrue(model.isCompiled());
      assertEquals("SGD", model.optimizer().className());
      assertNotEquals(loaded.getWeights(), model.getWeights(), "fromJson must not read the archive's weights");
    }
  }

  @Test
  void toJson_roundTripsThroughFromJson() {
    try (Sequential model = new Sequential(dev.kerasj.layers.Input.of(4),
        dev.kerasj.layers.Dense.builder(3).activation("relu").name("encoder").build(),
        new dev.kerasj.layers.Dense(2, "softmax"))) {
      model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
      String json = model.toJson();
      assertTrue(!json.contains("\n"), "to_json() is one line");
      try (Sequential again = Sequential.fromJson(json, 1)) {
        assertEquals(json, again.toJson());
        assertEquals(List.of("encoder", "dense"), again.layers().stream().map(Layer::name).toList());
      }
    }
  }

  @Test
  void badConfigs_nameWhatWasReceivedAndExpected() throws IOException {
    String mlp = Files.readString(TO_JSON.resolve("mlp.json"));
    assertMessage(() -> Sequential.fromJson("{\"class_name\": "), "not JSON");
    assertMessage(() -> Sequential.fromJson("{}"), "neither model.to_json() output");
    assertMessage(() -> Sequential.fromJson("[1, 2]"), "neither model.to_json() output");
    assertMessage(() -> Sequential.fromJson("{\"name\": \"m\", \"layers\": []}"), "non-empty 'layers'");
    assertMessage(() -> Sequential.fromJson(mlp.replace("\"Sequential\"", "\"Functional\"")),
        "Sequential models only");
    assertMessage(() -> Sequential.fromJson(mlp.replace("\"class_name\": \"Dense\"", "\"class_name\": \"ConvLSTM2D\"")),
        "ConvLSTM2D");
    String badUnits = mlp.replace("\"units\": 32", "\"units\": \"thirty-two\"");
    assertMessage(() -> Sequential.fromJson(badUnits), "units");
    assertMessage(() -> Sequential.fromJson(badUnits), "dense");
    Path notJson = Files.writeString(tmp.resolve("config.json"), "no json here");
    assertMessage(() -> Sequential.fromJson(notJson), "config.json is not JSON");
    assertThrows(java.nio.file.NoSuchFileException.class, () -> Sequential.fromJson(tmp.resolve("missing.json")));
    assertThrows(IllegalArgumentException.class, () -> Sequential.fromJson((String) null));
    assertThrows(IllegalArgumentException.class, () -> Sequential.fromConfig(null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Sequential.fromConfig(Map.of("layers", List.of(new Object()))));
    assertTrue(e.getMessage().contains("maps, lists, strings, numbers"), e.getMessage());
  }

  static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, call);
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }
}
