package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Orthogonal;
import dev.kerasj.initializers.VarianceScaling;
import dev.kerasj.layers.Bidirectional;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.GRU;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.LSTM;
import dev.kerasj.layers.SimpleRNN;
import dev.kerasj.saving.IncompatibleModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The recurrent layers' Keras configs: {@code toJson} of each Java model equals Keras 3.15.1's {@code to_json()} of
 * its twin in python-interop/make_rnn_fixtures.py (testdata/rnn/configs), and Keras' config read back gives the same
 * config again. What kerasj does not implement is refused naming the field and the value.
 */
class RecurrentConfigTest {
  static final Path CONFIGS = Path.of("testdata", "rnn", "configs");

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "recurrent_defaults", () -> new Sequential(Input.of(6, 3), SimpleRNN.builder(4).returnSequences(true).build(),
          GRU.builder(3).returnSequences(true).build(), new LSTM(2)),
      "recurrent_options", () -> new Sequential(Input.of(6, 3),
          SimpleRNN.builder(4).activation("relu").useBias(false).returnSequences(true).goBackwards(true).name("srnn")
              .kernelInitializer(VarianceScaling.heNormal(null)).build(),
          LSTM.builder(5).recurrentActivation("tanh").unitForgetBias(false).returnSequences(true)
              .recurrentInitializer(new Orthogonal(0.5, 7L)).biasInitializer(Constant.ones()).build(),
          GRU.builder(3).activation("relu").goBackwards(true).useBias(false).build()),
      "bidirectional", () -> new Sequential(Input.of(6, 3),
          new Bidirectional(LSTM.builder(4).returnSequences(true).name("enc").build()),
          new Bidirectional(SimpleRNN.builder(2).returnSequences(true).build(), "mul", "bi_mul"),
          new Bidirectional(GRU.builder(3).activation("relu").build(), "ave")),
      "embedding_mask_zero", () -> new Sequential(Input.of(Input.DType.INT32, 6),
          Embedding.builder(30, 4).maskZero(true).build(), new LSTM(2)));

  static Stream<String> cases() {
    return CASES.keySet().stream().sorted();
  }

  static JsonNode reference(String name) throws IOException {
    return KerasJson.parse(Files.readAllBytes(CONFIGS.resolve(name + ".json")));
  }

  @Test
  void everyCommittedConfig_hasAJavaTwin() throws IOException {
    try (Stream<Path> files = Files.list(CONFIGS)) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("_"))
          .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
      assertEquals(cases().toList(), names);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void toJson_equalsKerasToJson(String name) throws IOException {
    try (Model model = CASES.get(name).get()) {
      KerasConfigParityTest.assertEquivalent(reference(name), KerasJson.parse(model.toJson().getBytes()), "$");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fromJson_ofKerasConfig_rebuildsTheSameConfig(String name) throws IOException {
    JsonNode keras = reference(name);
    try (Model model = Model.fromJson(keras.toString())) {
      KerasConfigParityTest.assertEquivalent(keras, KerasJson.parse(model.toJson().getBytes()), "$");
    }
  }

  /** Positions in recurrent_defaults' config layers, after Keras' InputLayer at 0. */
  private static final int GRU_INDEX = 2;
  private static final int LSTM_INDEX = 3;

  private static String withLayerField(int layer, String key, JsonNode value) throws IOException {
    ObjectNode root = (ObjectNode) reference("recurrent_defaults");
    ((ObjectNode) root.path("config").path("layers").get(layer).path("config")).set(key, value);
    return root.toString();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"stateful"}) // return_state: RecurrentStateConfigTest
  void fromJson_unimplementedFlagSet_isRefusedNamingTheField(String key) throws IOException {
    String json = withLayerField(LSTM_INDEX, key, KerasJson.NODES.booleanNode(true));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(json));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }

  @Test
  void fromJson_dropoutRates_roundTrip() throws IOException {
    String json = withLayerField(LSTM_INDEX, "recurrent_dropout", KerasJson.NODES.numberNode(0.25));
    json = json.replace("\"dropout\":0.0", "\"dropout\":0.5");
    try (Model model = Model.fromJson(json)) {
      LSTM lstm = (LSTM) model.layers().get(LSTM_INDEX - 1);
      assertEquals(0.25, lstm.recurrentDropout());
      KerasConfigParityTest.assertEquivalent(KerasJson.parse(json.getBytes()),
          KerasJson.parse(model.toJson().getBytes()), "$");
    }
  }

  @Test
  void fromJson_recurrentDropoutOfOne_isRefusedNamingTheValue() throws IOException {
    String json = withLayerField(LSTM_INDEX, "recurrent_dropout", KerasJson.NODES.numberNode(1.0));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(json));
    assertTrue(e.getMessage().contains("recurrent_dropout=1.0"), e.getMessage());
  }

  @Test
  void fromJson_gruResetAfterFalse_isRefused() throws IOException {
    String json = withLayerField(GRU_INDEX, "reset_after", KerasJson.NODES.booleanNode(false));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(json));
    assertTrue(e.getMessage().contains("reset_after"), e.getMessage());
  }

  @Test
  void fromJson_unrollTrue_loadsTheSameLayer() throws IOException {
    String json = withLayerField(LSTM_INDEX, "unroll", KerasJson.NODES.booleanNode(true));
    try (Model model = Model.fromJson(json)) {
      assertEquals("LSTM", model.layers().get(2).className());
    }
  }

  /** A Functional model with recurrent layers writes a config that rebuilds it: same config, same predictions. */
  @Test
  void functionalModel_withRecurrentLayers_roundTripsThroughItsConfig(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    dev.kerasj.layers.KerasTensor x = Input.tensor(6, 3);
    dev.kerasj.layers.KerasTensor h = new Bidirectional(LSTM.builder(4).returnSequences(true).build())
        .apply(new dev.kerasj.layers.Masking().apply(x));
    float[][][] data = new float[3][6][3];
    for (int i = 0; i < 3; i++) {
      for (int t = 0; t < 6 - 2 * i; t++) {
        data[i][t] = new float[] {0.1f * t, -0.2f * i, 0.3f};
      }
    }
    try (Model model = new Model(x, new dev.kerasj.layers.Dense(2).apply(new GRU(3).apply(h)))) {
      model.save(dir.resolve("m.keras"));
      try (Model back = Model.load(dir.resolve("m.keras"))) {
        KerasConfigParityTest.assertEquivalent(KerasJson.parse(model.toJson().getBytes()),
            KerasJson.parse(back.toJson().getBytes()), "$");
        org.junit.jupiter.api.Assertions.assertArrayEquals(floats(model.predict(data)), floats(back.predict(data)),
            0f);
      }
    }
  }

  private static float[] floats(org.tensorflow.ndarray.FloatNdArray nd) {
    float[] v = new float[(int) nd.size()];
    nd.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
    return v;
  }

  /** Keras' config.json of testdata/rnn/embedding_functional.keras (Embedding(mask_zero=True) -> pooling and LSTM). */
  private static ObjectNode kerasFunctionalEmbeddingConfig() throws IOException {
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(
        Path.of("testdata", "rnn", "embedding_functional.keras").toFile())) {
      return (ObjectNode) KerasJson.parse(zip.getInputStream(zip.getEntry("config.json")).readAllBytes());
    }
  }

  private static JsonNode layerNamed(JsonNode config, String name) {
    for (JsonNode l : config.path("config").path("layers")) {
      if (l.path("name").asText().equals(name)) {
        return l;
      }
    }
    throw new AssertionError("no layer " + name + " in " + config);
  }

  /**
   * Keras writes the Embedding's mask as a NotEqual(ids, 0) op layer passed as mask= to the pooling and the LSTM;
   * kerasj skips it (its Embedding computes the same mask) and rebuilds the Embedding with maskZero.
   */
  @Test
  void fromJson_functionalKerasConfig_skipsTheEmbeddingMaskOpLayer() throws IOException {
    JsonNode keras = kerasFunctionalEmbeddingConfig();
    assertEquals("NotEqual", layerNamed(keras, "not_equal").path("class_name").asText());
    try (Model model = Model.fromJson(keras.toString())) {
      assertEquals(
          List.of("input_layer", "embedding", "global_average_pooling1d", "lstm", "concatenate", "dense"),
          model.layers().stream().map(dev.kerasj.layers.Layer::name).toList());
      assertTrue(((Embedding) model.layers().get(1)).maskZero());
    }
  }

  /** The same NotEqual op on ids whose Embedding has no mask_zero is not a mask kerasj makes: refused. */
  @Test
  void fromJson_notEqualOpWithoutMaskZeroEmbedding_isRefused() throws IOException {
    ObjectNode keras = kerasFunctionalEmbeddingConfig();
    ((ObjectNode) layerNamed(keras, "embedding").path("config")).put("mask_zero", false);
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> Model.fromJson(keras.toString()));
    assertTrue(e.getMessage().contains("NotEqual"), e.getMessage());
  }

  /** Only NotEqual(ids, 0) is the Embedding's mask: another constant is refused. */
  @Test
  void fromJson_notEqualOpWithAnotherConstant_isRefused() throws IOException {
    ObjectNode keras = kerasFunctionalEmbeddingConfig();
    ((com.fasterxml.jackson.databind.node.ArrayNode) layerNamed(keras, "not_equal").path("inbound_nodes").path(0)
        .path("args")).set(1, KerasJson.NODES.numberNode(1));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> Model.fromJson(keras.toString()));
    assertTrue(e.getMessage().contains("NotEqual"), e.getMessage());
  }

  /** Keras' Embedding(mask_zero=True) -> LSTM Sequential config reads back with maskZero set. */
  @Test
  void fromJson_embeddingMaskZero_setsMaskZero() throws IOException {
    try (Model model = Model.fromJson(reference("embedding_mask_zero").toString())) {
      assertTrue(((Embedding) model.layers().get(0)).maskZero());
    }
  }
}
