package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Layer;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.testing.FunctionalCases;
import dev.kerasj.testing.TensorBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.types.TFloat32;

/**
 * Functional models in Keras 3's config JSON, {@code .keras} and {@code .weights.h5}, against the files real Keras
 * 3.15.1 wrote in {@code testdata/functional/} ({@code python-interop/make_functional_fixtures.py}), and round trips
 * of the files kerasj writes.
 */
class FunctionalKerasFilesTest {
  /**
   * What kerasj's config of an equivalent model legitimately differs in from Keras', removed from both sides before
   * comparing (see {@link FunctionalConfig}):
   * <ul>
   *   <li>{@code shared_object_id}: Python object identities Keras adds to repeated dtype policies;</li>
   *   <li>the form of {@code input_layers}/{@code output_layers}: the fixtures give outputs as a dict and a nested
   *       model's single input/output as one {@code [name, node, 0]}; kerasj writes lists (compared as lists);</li>
   *   <li>{@code compile_config.optimizer.config.name}: Keras numbers optimizer names per session
   *       ({@code adam_1});</li>
   *   <li>a loss identifier's alias: Keras keeps what {@code compile} was given ({@code "mse"}), kerasj writes the
   *       loss' name ({@code "mean_squared_error"}); both name one loss.</li>
   * </ul>
   */
  private static final Map<String, String> LOSS_ALIASES = Map.of("mse", "mean_squared_error",
      "mae", "mean_absolute_error");

  static JsonNode normalized(JsonNode config) {
    JsonNode copy = config.deepCopy();
    normalize(copy);
    JsonNode optimizer = copy.path("compile_config").path("optimizer").path("config");
    if (optimizer.isObject()) {
      ((ObjectNode) optimizer).remove("name");
    }
    JsonNode compile = copy.path("compile_config");
    if (compile.isObject()) {
      JsonNode loss = compile.get("loss");
      if (loss != null && loss.isTextual()) {
        ((ObjectNode) compile).put("loss", LOSS_ALIASES.getOrDefault(loss.asText(), loss.asText()));
      } else if (loss instanceof ObjectNode byOutput && !byOutput.has("class_name")) {
        List<String> keys = new ArrayList<>();
        byOutput.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
          JsonNode v = byOutput.get(k);
          if (v.isTextual()) {
            byOutput.put(k, LOSS_ALIASES.getOrDefault(v.asText(), v.asText()));
          }
        }
      }
    }
    return copy;
  }

  private static void normalize(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      o.remove("shared_object_id");
      for (String key : List.of("input_layers", "output_layers")) {
        JsonNode v = o.get(key);
        if (v != null && v.isObject()) {
          ArrayNode list = o.putArray(key);
          v.forEach(list::add);
        } else if (v != null && v.isArray() && v.size() == 3 && v.get(0).isTextual()) {
          o.putArray(key).add(v);
        }
      }
      List<JsonNode> children = new ArrayList<>();
      o.elements().forEachRemaining(children::add);
      children.forEach(FunctionalKerasFilesTest::normalize);
    } else if (node.isArray()) {
      node.forEach(FunctionalKerasFilesTest::normalize);
    }
  }

  static List<String> cases() {
    return FunctionalCases.NAMES;
  }

  private static TensorBundle bundle(String name) {
    return new TensorBundle(FunctionalCases.bundle(name));
  }

  private static Map<String, Object> xVal(TensorBundle b) {
    Map<String, Object> x = new LinkedHashMap<>();
    for (String input : b.readStrings("meta/input_names")) {
      x.put(input, b.read("x_val/" + input, TFloat32.class));
    }
    return x;
  }

  private static void assertPredicts(Model model, TensorBundle b, String what) {
    Map<String, FloatNdArray> predicted = model.predictOutputs(xVal(b));
    for (String out : b.readStrings("meta/output_names")) {
      float[] expected = b.read("predict/" + out, TFloat32.class).floats();
      float[] actual = HostArray.from(predicted.get(out), out).floats();
      assertEquals(expected.length, actual.length, what + " " + out + " size");
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], 1e-5 * Math.abs(expected[i]) + 1e-6, what + " " + out + "[" + i + "]");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void load_kerasArchive_predictsWhatKerasPredicted(String name) throws IOException {
    try (Model model = Model.load(FunctionalCases.DIR.resolve(name + ".keras"))) {
      assertEquals("Functional", model.className());
      assertTrue(model.isCompiled(), name + " compiled");
      assertPredicts(model, bundle(name), name);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void loadWeights_kerasWeightsFile_givesKerasFinalWeightsExactly(String name) throws IOException {
    TensorBundle b = bundle(name);
    try (Model model = FunctionalCases.build(name)) {
      model.loadWeights(FunctionalCases.DIR.resolve(name + ".weights.h5"));
      List<FloatNdArray> weights = model.getWeights();
      assertEquals(b.readStrings("meta/weight_names").size(), weights.size(), name + " weight count");
      for (int i = 0; i < weights.size(); i++) {
        HostArray expected = b.read("final/" + i, TFloat32.class);
        HostArray actual = HostArray.from(weights.get(i), "w");
        assertArrayEquals(expected.shape(), actual.shape(), name + " weight " + i + " shape");
        assertArrayEquals(expected.floats(), actual.floats(), name + " weight " + i);
      }
      assertPredicts(model, b, name + " (weights file)");
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void toJson_javaBuiltModel_equalsKerasConfig(String name) throws IOException {
    JsonNode keras = KerasJson.mapper().readTree(bundle(name).readStrings("meta/config_json").get(0));
    try (Model model = FunctionalCases.build(name)) {
      JsonNode java = KerasJson.mapper().readTree(model.toJson());
      assertEquals(normalized(keras).toPrettyString(), normalized(java).toPrettyString(), name);
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void fromJson_kerasConfig_rebuildsLayersInOrderWithShapes(String name) {
    String json = bundle(name).readStrings("meta/config_json").get(0);
    try (Model keras = Model.fromJson(json, 7); Model java = FunctionalCases.build(name)) {
      assertEquals("Functional", keras.className());
      java.build();
      assertEquals(describe(java), describe(keras), name);
      assertEquals(java.outputNames(), keras.outputNames(), name + " outputs");
      assertEquals(java.inputNames(), keras.inputNames(), name + " inputs");
      assertTrue(keras.isCompiled(), name + " compiled");
    }
  }

  private static List<String> describe(Model model) {
    List<String> out = new ArrayList<>();
    for (Layer l : model.layers()) {
      out.add(l.name() + ":" + l.className() + ":" + Layer.formatShape(l.outputShape()) + ":" + l.trainable());
    }
    model.weights().forEach(w -> out.add(w.path() + java.util.Arrays.toString(w.shape()) + w.trainable()));
    return out;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void saveAndLoad_javaWrittenArchive_roundTripsWeightsAndPredictions(String name, @TempDir Path dir)
      throws IOException {
    TensorBundle b = bundle(name);
    Path file = dir.resolve(name + ".keras");
    Path weights = dir.resolve(name + ".weights.h5");
    try (Model model = FunctionalCases.build(name)) {
      model.loadWeights(FunctionalCases.DIR.resolve(name + ".weights.h5"));
      model.save(file);
      model.saveWeights(weights);
    }
    try (Model loaded = Model.load(file)) {
      assertPredicts(loaded, b, name + " (Java .keras)");
    }
    try (Model other = FunctionalCases.build(name)) {
      other.loadWeights(weights);
      assertPredicts(other, b, name + " (Java .weights.h5)");
    }
  }

  @Test
  void fromJson_functionalConfigTooLargeForMemoryBudget_refusedBeforeAllocating() {
    String json = bundle("two_input_concat").readStrings("meta/config_json").get(0);
    String huge = json.replace("\"units\": 16", "\"units\": 50000000");
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(huge, 7));
    assertTrue(e.getMessage().contains("memory budget") && e.getMessage().contains("a_dense"), e.getMessage());
  }

  @Test
  void fromJson_unknownInboundTensor_namesTheLayer() {
    String json = bundle("residual_add").readStrings("meta/config_json").get(0);
    String broken = json.replace("\"keras_history\": [\"dense_1\", 0, 0]", "\"keras_history\": [\"nowhere\", 0, 0]");
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(broken, 7));
    assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
  }

  @Test
  @SuppressWarnings("unchecked")
  void fromConfig_getConfigDictOfSharedLayerModel_rebuildsBothCallsUncompiled() throws IOException {
    JsonNode keras = KerasJson.mapper().readTree(bundle("shared_layer").readStrings("meta/config_json").get(0));
    Map<String, Object> getConfig = KerasJson.mapper().convertValue(keras.get("config"), Map.class);
    try (Model model = Model.fromConfig(getConfig, 3); Model java = FunctionalCases.build("shared_layer")) {
      java.build();
      assertEquals(describe(java), describe(model));
      assertEquals(false, model.isCompiled());
      assertEquals(2, model.topologyForInternalUse().nodes().stream()
          .filter(t -> t.layer().name().equals("shared")).count(), "calls of the shared layer");
    }
  }

  @Test
  void sequentialLoad_functionalArchive_refusesNamingModelLoad() {
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> Sequential.load(FunctionalCases.DIR.resolve("two_input_concat.keras")));
    assertTrue(e.getMessage().contains("Model.load"), e.getMessage());
  }

  @Test
  void load_transferBase_isFunctionalAndFreezesIntoTransferWeights() throws IOException {
    try (Model base = Model.load(FunctionalCases.DIR.resolve("transfer_base.keras"))) {
      assertInstanceOf(Model.class, base);
      assertEquals("base", base.name());
      assertEquals(List.of("pixels", "base_dense", "base_bn", "base_features"),
          base.layers().stream().map(Layer::name).toList());
    }
  }
}
