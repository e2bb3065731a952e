package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.VarianceScaling;
import dev.kerasj.layers.AveragePooling1D;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Conv1D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.GlobalAveragePooling1D;
import dev.kerasj.layers.GlobalMaxPooling1D;
import dev.kerasj.layers.GlobalMaxPooling2D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.LayerNormalization;
import dev.kerasj.layers.Masking;
import dev.kerasj.layers.MaxPooling1D;
import dev.kerasj.layers.Reshape;
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

/**
 * The sequence layers' Keras configs: {@code toJson} of each Java model equals Keras 3.15.1's {@code to_json()} of
 * its twin in python-interop/make_sequence_fixtures.py (testdata/sequence/configs), and Keras' config read back gives
 * the same config again. One Functional case pins how a Functional config records the calls (GlobalAveragePooling1D's
 * {@code mask=None}). Unsupported values are refused naming the field.
 */
class SequenceConfigTest {
  static final Path CONFIGS = Path.of("testdata", "sequence", "configs");

  static final Map<String, Supplier<Model>> CASES = Map.of(
      "conv1d", () -> new Sequential(Input.of(12, 3),
          Conv1D.builder(4, 3).padding("causal").dilationRate(2).activation("relu").name("causal").build(),
          Conv1D.builder(5, 2).strides(2).padding("same").useBias(false).kernelInitializer(VarianceScaling.heNormal(null))
              .build(),
          new Conv1D(2, 1)),
      "pooling1d", () -> new Sequential(Input.of(12, 3), new MaxPooling1D(), new MaxPooling1D(3, 1, "same", null),
          new AveragePooling1D(2), new AveragePooling1D(2, 1, "same", "avg")),
      "global_pooling", () -> new Sequential(Input.of(6, 5, 2), new Reshape(30, 2), new GlobalMaxPooling1D(),
          new Reshape(2, 1, 1), new GlobalMaxPooling2D("gmp2")),
      "masking_gap1d", () -> new Sequential(Input.of(7, 4), new Masking(-1.0), new Dense(3),
          new GlobalAveragePooling1D()),
      "layer_normalization", () -> new Sequential(Input.of(5, 4), new LayerNormalization(),
          LayerNormalization.builder().epsilon(1e-6).center(false).name("ln_scale_only").build(),
          LayerNormalization.builder().scale(false).betaInitializer(Constant.ones()).build()),
      "functional_pooling", SequenceConfigTest::functionalPooling);

  static Model functionalPooling() {
    KerasTensor x = Input.tensor(10, 3);
    KerasTensor h = new LayerNormalization().apply(Conv1D.builder(4, 3).padding("causal").build().apply(x));
    return new Model(x, new Concatenate().apply(List.of(new GlobalAveragePooling1D().apply(h),
        new GlobalMaxPooling1D().apply(h))));
  }

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

  private static String withLayerField(String name, int layer, String key, JsonNode value) throws IOException {
    ObjectNode root = (ObjectNode) reference(name);
    ((ObjectNode) root.path("config").path("layers").get(layer).path("config")).set(key, value);
    return root.toString();
  }

  @Test
  void fromJson_poolingWithCausalPadding_isRefusedNamingThePadding() throws IOException {
    String json = withLayerField("pooling1d", 1, "padding", KerasJson.NODES.textNode("causal"));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(json));
    assertTrue(e.getMessage().contains("padding=causal") && e.getMessage().contains("\"valid\" or \"same\""),
        e.getMessage());
  }

  @Test
  void fromJson_layerNormalizationOverAnotherAxis_isRefusedNamingTheAxis() throws IOException {
    String json = withLayerField("layer_normalization", 1, "axis", KerasJson.NODES.arrayNode().add(1));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(json));
    assertTrue(e.getMessage().contains("'axis'=[1]") && e.getMessage().contains("layer_normalization"),
        e.getMessage());
  }

  @Test
  void fromJson_conv1dWithGroups_isRefusedNamingTheField() throws IOException {
    String json = withLayerField("conv1d", 1, "groups", KerasJson.NODES.numberNode(2));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(json));
    assertTrue(e.getMessage().contains("groups"), e.getMessage());
  }

  @Test
  void fromJson_conv1dWithKernelSizeZero_isRefusedWithTheValueReceived() throws IOException {
    String json = withLayerField("conv1d", 1, "kernel_size", KerasJson.NODES.arrayNode().add(0));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Model.fromJson(json));
    assertTrue(e.getMessage().contains("kernel_size=0"), e.getMessage());
  }
}
