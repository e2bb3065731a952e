package dev.kerasj.saving.keras;

import static dev.kerasj.saving.keras.KerasConfigParityTest.layer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.Model;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.MultiHeadAttention;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MultiHeadAttention calls with an {@code attention_mask} and {@code return_attention_scores} in Keras 3.15.1's
 * {@code to_json()} (testdata/attention_mask/configs, python-interop/make_attention_mask_fixtures.py): the mask is a
 * {@code kwargs.attention_mask} tensor, the scores a second output {@code [layer, 0, 1]}, the build config has no
 * key shape when no key was given; kerasj reads and writes them so.
 */
class AttentionMaskConfigTest {
  static final Path CONFIGS = Path.of("testdata", "attention_mask", "configs");

  static JsonNode reference(String name) throws IOException {
    return KerasJson.parse(Files.readAllBytes(CONFIGS.resolve(name + ".json")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"mha_scores", "mha_mask_causal"})
  void fromJson_ofKerasConfig_keepsTheMaskAndScoresCallExactly(String name) throws IOException {
    JsonNode keras = reference(name);
    try (Model model = Model.fromJson(keras.toString())) {
      JsonNode java = KerasJson.parse(model.toJson().getBytes());
      KerasConfigParityTest.assertEquivalent(layer(keras, "multi_head_attention"),
          layer(java, "multi_head_attention"), "$.multi_head_attention");
      assertEquals(keras.path("config").path("input_layers"), java.path("config").path("input_layers"));
      if (name.equals("mha_scores")) { // the scores, output 1 of the call, feed Flatten
        KerasConfigParityTest.assertEquivalent(layer(keras, "flatten").path("inbound_nodes"),
            layer(java, "flatten").path("inbound_nodes"), "$.flatten");
      }
      try (Model again = Model.fromJson(java.toString())) {
        KerasConfigParityTest.assertEquivalent(java, KerasJson.parse(again.toJson().getBytes()), "$");
      }
    }
  }

  /** Given a key, Keras records it as the third positional argument and builds on its shape. */
  @Test
  void toJson_withKeyAndMask_writesKeyPositionallyAndMaskAsKwarg() throws IOException {
    KerasTensor q = Input.tensor("q", 4, 3);
    KerasTensor v = Input.tensor("v", 5, 3);
    KerasTensor k = Input.tensor("k", 5, 2);
    KerasTensor m = Input.tensor("m", Input.DType.INT32, 4, 5);
    try (Model model = new Model(List.of(q, v, k, m),
        List.of(MultiHeadAttention.builder(2, 2).build().apply(q, v, k, m)))) {
      JsonNode mha = layer(KerasJson.parse(model.toJson().getBytes()), "multi_head_attention");
      JsonNode call = mha.path("inbound_nodes").get(0);
      assertEquals(3, call.path("args").size());
      assertEquals("k", call.path("args").get(2).path("config").path("keras_history").get(0).asText());
      assertEquals("m", call.path("kwargs").path("attention_mask").path("config").path("keras_history").get(0)
          .asText());
      assertTrue(mha.path("build_config").path("shapes_dict").has("key_shape"));
      try (Model back = Model.fromJson(model.toJson())) {
        assertEquals(model.toJson(), back.toJson());
      }
    }
  }
}
