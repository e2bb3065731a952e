package dev.kerasj.saving.keras;

import static dev.kerasj.saving.keras.KerasConfigParityTest.layer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.LSTM;
import dev.kerasj.saving.IncompatibleModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configs of Functional models whose recurrent layers return their states and start from given ones, against Keras
 * 3.15.1's {@code to_json()} of the same models (testdata/rnn_state/configs, python-interop/make_rnn_state_fixtures.py):
 * a state is addressed as Keras does, {@code keras_history [layer, node, tensor_index]}, and a call given states
 * writes them as Keras' {@code kwargs.initial_state}.
 */
class RecurrentStateConfigTest {
  static final Path CONFIGS = Path.of("testdata", "rnn_state", "configs");

  static JsonNode reference(String name) throws IOException {
    return KerasJson.parse(Files.readAllBytes(CONFIGS.resolve(name + ".json")));
  }

  /** The untrained seq2seq_reverse model, as make_rnn_state_fixtures.seq2seq_model builds it. */
  static Model seq2seq() {
    KerasTensor ids = Input.tensor("input_layer", Input.DType.INT32, 6);
    KerasTensor embedded = new Embedding(10, 8).apply(ids);
    List<KerasTensor> encoder = LSTM.builder(16).returnState(true).build().applyOutputs(embedded);
    KerasTensor decoded = LSTM.builder(16).returnSequences(true).build()
        .apply(embedded, List.of(encoder.get(1), encoder.get(2)));
    return new Model(ids, new Dense(10, "softmax").apply(decoded));
  }

  /**
   * The layers equal Keras', the kwargs of the encoder's call included: Keras records {@code {"training": false,
   * "mask": null}} for a recurrent call of one tensor, and so does kerasj.
   */
  @Test
  void toJson_ofSeq2seq_equalsKerasToJson() throws IOException {
    JsonNode keras = reference("seq2seq_reverse");
    assertEquals(KerasJson.parse("{\"training\": false, \"mask\": null}".getBytes()),
        layer(keras, "lstm").path("inbound_nodes").get(0).get("kwargs"));
    try (Model model = seq2seq()) {
      JsonNode java = KerasJson.parse(model.toJson().getBytes());
      KerasConfigParityTest.assertEquivalent(keras.path("config").path("layers"), java.path("config").path("layers"),
          "$.config.layers");
      // Keras writes a model of one input and one output with un-nested [name, node, index]; kerasj always writes
      // the list form, which Keras reads as well (see FunctionalConfig).
      assertEquals(keras.path("config").path("input_layers"), java.path("config").path("input_layers").get(0));
      assertEquals(keras.path("config").path("output_layers"), java.path("config").path("output_layers").get(0));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"seq2seq_reverse", "gru_state_masked", "bidirectional_state",
      "bidirectional_initial_state"})
  void fromJson_ofKerasConfig_keepsStateAddressesAndInitialStates(String name) throws IOException {
    JsonNode keras = reference(name);
    try (Model model = Model.fromJson(keras.toString())) {
      JsonNode java = KerasJson.parse(model.toJson().getBytes());
      // The layer called with initial_state: its config, build_config (sequences_shape, initial_state_shape) and call.
      String decoder = switch (name) {
        case "gru_state_masked" -> "simple_rnn";
        case "bidirectional_initial_state" -> "bidirectional_1";
        default -> "lstm_1";
      };
      KerasConfigParityTest.assertEquivalent(layer(keras, decoder), layer(java, decoder), "$." + decoder);
      if (name.equals("gru_state_masked")) { // the GRU's state h, [gru, 0, 1], feeds Dense and Concatenate
        KerasConfigParityTest.assertEquivalent(layer(keras, "dense").path("inbound_nodes"),
            layer(java, "dense").path("inbound_nodes"), "$.dense");
        KerasConfigParityTest.assertEquivalent(layer(keras, "concatenate").path("inbound_nodes"),
            layer(java, "concatenate").path("inbound_nodes"), "$.concatenate");
      }
      if (name.equals("bidirectional_state")) { // h_f, c_f, h_b, c_b are outputs 1..4 of the Bidirectional call
        for (String concat : List.of("concatenate", "concatenate_1", "concatenate_2")) {
          KerasConfigParityTest.assertEquivalent(layer(keras, concat).path("inbound_nodes"),
              layer(java, concat).path("inbound_nodes"), "$." + concat);
        }
        KerasConfigParityTest.assertEquivalent(layer(keras, "bidirectional").path("config"),
            layer(java, "bidirectional").path("config"), "$.bidirectional.config");
      }
      try (Model again = Model.fromJson(java.toString())) {
        KerasConfigParityTest.assertEquivalent(java, KerasJson.parse(again.toJson().getBytes()), "$");
      }
    }
  }

  @Test
  void fromJson_stateIndexBeyondTheCallsOutputs_isRefusedNamingIt() throws IOException {
    ObjectNode keras = (ObjectNode) reference("seq2seq_reverse").deepCopy();
    ArrayNode history = (ArrayNode) layer(keras, "lstm_1").path("inbound_nodes").get(0).path("kwargs")
        .path("initial_state").get(1).path("config").path("keras_history");
    history.set(2, KerasJson.NODES.numberNode(3));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> Model.fromJson(keras.toString()));
    assertTrue(e.getMessage().contains("[\"lstm\",0,3]") && e.getMessage().contains("returns 3 tensors"),
        e.getMessage());
  }

  @Test
  void fromJson_returnStateInASequential_isRefusedNamingTheField() throws IOException {
    ObjectNode root = (ObjectNode) KerasJson.parse(Files.readAllBytes(
        Path.of("testdata", "rnn", "configs", "recurrent_defaults.json")));
    ((ObjectNode) root.path("config").path("layers").get(3).path("config")).put("return_state", true);
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> Model.fromJson(root.toString()));
    assertTrue(e.getMessage().contains("return_state") && e.getMessage().contains("single output"),
        e.getMessage());
  }
}
