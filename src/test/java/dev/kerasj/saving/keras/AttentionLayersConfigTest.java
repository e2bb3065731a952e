package dev.kerasj.saving.keras;

import static dev.kerasj.saving.keras.KerasConfigParityTest.layer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.layers.Attention;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.saving.IncompatibleModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configs of {@code Attention} and {@code AdditiveAttention} against Keras 3.15.1's {@code to_json()}
 * (testdata/attention_layers/configs, python-interop/make_attention_layers_fixtures.py): the layer's arguments, its
 * {@code build_config} (the list of its inputs' shapes) and its calls with {@code use_causal_mask} and
 * {@code return_attention_scores} in {@code kwargs}, both ways.
 */
class AttentionLayersConfigTest {
  static final Path CONFIGS = Path.of("testdata", "attention_layers", "configs");

  static JsonNode reference(String name) throws IOException {
    return KerasJson.parse(Files.readAllBytes(CONFIGS.resolve(name + ".json")));
  }

  /** A model without masks: kerasj writes every layer as Keras does. */
  @Test
  void toJson_ofConcatAttentionModel_equalsKerasLayers() throws IOException {
    JsonNode keras = reference("attention_concat");
    KerasTensor x = Input.tensor("input_layer", 8, 8);
    KerasTensor a = Attention.builder().scoreMode("concat").useScale(true).build()
        .apply(new Dense(8).apply(x), x, x);
    try (Model model = new Model(x, new Dense(10, "softmax").apply(new GlobalAveragePooling1D().apply(a)))) {
      JsonNode java = KerasJson.parse(model.toJson().getBytes());
      KerasConfigParityTest.assertEquivalent(keras.path("config").path("layers"),
          java.path("config").path("layers"), "$.config.layers");
    }
  }

  /**
   * Keras' config rebuilds the model; kerasj's config of it holds the attention layer exactly as Keras' (arguments,
   * build_config, calls with their kwargs), and reads back to the same config. Keras' mask op layers (NotEqual, and
   * the ConvertToTensor of the query's mask the attention layer passes on) are recomputed, not kept.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"attention_text", "attention_concat", "additive_text"})
  void fromJson_ofKerasConfig_keepsTheAttentionLayerAndItsCalls(String name) throws IOException {
    JsonNode keras = reference(name);
    String attention = name.startsWith("additive") ? "additive_attention" : "attention";
    try (Model model = Model.fromJson(keras.toString())) {
      JsonNode java = KerasJson.parse(model.toJson().getBytes());
      KerasConfigParityTest.assertEquivalent(layer(keras, attention), layer(java, attention), "$." + attention);
      try (Model again = Model.fromJson(java.toString())) {
        KerasConfigParityTest.assertEquivalent(java, KerasJson.parse(again.toJson().getBytes()), "$");
      }
    }
  }

  @Test
  void fromJson_keepsTheKwargsAsLayerOptions() throws IOException {
    try (Model text = Model.fromJson(reference("attention_text").toString());
        Model additive = Model.fromJson(reference("additive_text").toString())) {
      Attention a = (Attention) text.getLayer("attention");
      assertTrue(a.useCausalMask() && a.useScale() && !a.returnAttentionScores());
      assertEquals("dot", a.scoreMode());
      dev.kerasj.layers.AdditiveAttention b = (dev.kerasj.layers.AdditiveAttention) additive
          .getLayer("additive_attention");
      assertTrue(b.returnAttentionScores() && b.useScale() && !b.useCausalMask());
      assertEquals(List.of("attention", "additive_attention"), List.of(a.name(), b.name()));
    }
  }

  @Test
  void fromJson_unknownScoreMode_isRefusedNamingIt() throws IOException {
    ObjectNode keras = (ObjectNode) reference("attention_concat").deepCopy();
    ((ObjectNode) layer(keras, "attention").path("config")).put("score_mode", "sum");
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> Model.fromJson(keras.toString()));
    assertTrue(e.getMessage().contains("score_mode=sum"), e.getMessage());
  }
}
