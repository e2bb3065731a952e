package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.Sequential;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.RandomNormal;
import dev.kerasj.initializers.RandomUniform;
import dev.kerasj.initializers.VarianceScaling;
import dev.kerasj.layers.Activation;
import dev.kerasj.layers.AveragePooling2D;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.GlobalAveragePooling2D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.MaxPooling2D;
import dev.kerasj.layers.Reshape;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.losses.Huber;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adagrad;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.AdamW;
import dev.kerasj.optimizers.RMSprop;
import dev.kerasj.optimizers.SGD;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kerasj's Keras config equals what Keras 3.15.1 writes ({@code model.to_json()}) for the same model: every case of
 * {@code python-interop/make_config_fixtures.py}, committed under {@code testdata/savedmodel/configs/}, is built
 * here the same way and compared tree for tree (numbers by value, so {@code 3} equals {@code 3.0}). Reading a
 * Keras-written config and writing it again gives it back unchanged.
 */
public class KerasConfigParityTest {
  public static final Path CONFIGS = Path.of("testdata", "savedmodel", "configs");

  /** The Java twin of each Python case, built and (when the Python one is) compiled. */
  static final Map<String, Supplier<Sequential>> CASES = Map.of(
      "mlp", () -> compiled(new Sequential(Input.of(64), new Dense(32, "relu"), new Dense(10, "softmax")),
          m -> m.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy")),
      "cnn_bn", () -> compiled(new Sequential(Input.of(8, 8, 1),
              Conv2D.builder(8, 3, 3).padding("same").activation("relu").build(), new BatchNormalization(),
              new MaxPooling2D(2), Conv2D.builder(16, 3, 3).padding("same").activation("relu").build(),
              new AveragePooling2D(2), new GlobalAveragePooling2D(), new Dense(10, "softmax")),
          m -> m.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy")),
      "embedding", () -> compiled(new Sequential(Input.of(Input.DType.INT32, 10), new Embedding(50, 8),
              new Flatten(), new Dense(1, "sigmoid")),
          m -> m.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy")),
      "all_layers", () -> compiled(new Sequential(Input.of(64), new Reshape(8, 8, 1),
              Conv2D.builder(4, 3, 2).strides(2, 1).padding("same").activation("tanh").useBias(false)
                  .kernelInitializer(VarianceScaling.heNormal(3L)).build(),
              new BatchNormalization(0.9, 1e-4, "bn"),
              new MaxPooling2D(new int[] {2, 2}, new int[] {1, 1}, "same", null), new AveragePooling2D(2),
              new Flatten(), new Dropout(0.25),
              Dense.builder(16).activation("gelu").kernelInitializer(new RandomNormal(0.0, 0.1, 5L))
                  .biasInitializer(new Constant(0.5f)).name("hidden").build(),
              new Activation("swish"),
              Dense.builder(3).kernelInitializer(new VarianceScaling(0.5, "fan_out", "untruncated_normal", null,
                  "variance_scaling")).biasInitializer(new RandomUniform(-0.1, 0.1, null)).build()),
          m -> m.compile(new SGD(0.05, 0.9, true), new SparseCategoricalCrossentropy(true), "accuracy",
              "sparse_categorical_accuracy")),
      "rmsprop_huber", () -> compiled(new Sequential(Input.of(8),
              Dense.builder(4).activation("elu").kernelInitializer(VarianceScaling.heUniform(null)).build(),
              Dense.builder(1).kernelInitializer(VarianceScaling.glorotNormal(null)).build()),
          m -> m.compile(new RMSprop(0.01, 0.8, 0.5, 1e-6, true), new Huber(), "mae")),
      "adagrad_binary_logits", () -> compiled(new Sequential(Input.of(6),
              Dense.builder(1).kernelInitializer(Constant.zeros()).biasInitializer(Constant.ones()).build()),
          m -> m.compile(new Adagrad(0.05, 0.2, 1e-6), new BinaryCrossentropy(true), "binary_accuracy")),
      "adamw_categorical_logits", () -> compiled(new Sequential(Input.of(5),
              Dense.builder(3).activation("selu").kernelInitializer(new RandomUniform()).build()),
          m -> m.compile(new AdamW(0.002, 0.01, 0.8, 0.99, 1e-6), new CategoricalCrossentropy(true),
              "categorical_accuracy", "mse")),
      "uncompiled", () -> compiled(new Sequential(Input.of(3), new Dense(2, "softplus")), m -> m.build()));

  private static Sequential compiled(Sequential m, java.util.function.Consumer<Sequential> setup) {
    m.setSeed(1);
    setup.accept(m);
    return m;
  }

  static Stream<Arguments> cases() {
    return CASES.keySet().stream().sorted().map(Arguments::of);
  }

  static JsonNode reference(String name) throws IOException {
    return KerasJson.parse(Files.readAllBytes(CONFIGS.resolve(name + ".json")));
  }

  static double learningRate(Sequential m) {
    return m.isCompiled() ? m.optimizer().learningRate() : 0;
  }

  @Test
  void everyCommittedConfig_hasAJavaTwin() throws IOException {
    try (Stream<Path> files = Files.list(CONFIGS)) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("_"))
          .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
      assertEquals(CASES.keySet().stream().sorted().toList(), names);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void toJson_equalsKerasModelToJson(String name) throws IOException {
    try (Sequential model = CASES.get(name).get()) {
      // Keras writes the learning-rate variable's float32 value; a fresh model's variable holds (float) lr.
      JsonNode java = SequentialConfig.toJson(model, (float) learningRate(model));
      assertEquivalent(reference(name), java, "$");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void parse_ofKerasConfig_rebuildsModelWithSameConfig(String name) throws IOException {
    JsonNode keras = reference(name);
    SequentialConfig.Spec spec = SequentialConfig.parse(keras, CONFIGS.resolve(name + ".json"));
    try (Sequential model = Sequential.fromJson(keras.toString(), 1)) {
      assertEquivalent(keras, SequentialConfig.toJson(model, (float) learningRate(model)), "$");
    }
  }

  /** The layer named {@code name} in a Functional config's {@code config.layers}; an AssertionError when none is. */
  static JsonNode layer(JsonNode config, String name) {
    for (JsonNode l : config.path("config").path("layers")) {
      if (l.path("name").asText().equals(name)) {
        return l;
      }
    }
    throw new AssertionError("no layer " + name + " in " + config);
  }

  /** Structural equality; numbers compare by value; the first difference is reported with its JSON path. */
  public static void assertEquivalent(JsonNode expected, JsonNode actual, String path) {
    List<String> diffs = new ArrayList<>();
    compare(expected, actual, path, diffs);
    assertTrue(diffs.isEmpty(), "Java config differs from Keras' at " + diffs.size() + " places:\n  "
        + String.join("\n  ", diffs.subList(0, Math.min(10, diffs.size()))));
  }

  private static void compare(JsonNode e, JsonNode a, String path, List<String> diffs) {
    if (e.isNumber() && a != null && a.isNumber()) {
      if (e.asDouble() != a.asDouble()) {
        diffs.add(path + ": keras " + e + ", kerasj " + a);
      }
      return;
    }
    if (a == null || e.getNodeType() != a.getNodeType()) {
      diffs.add(path + ": keras " + e + ", kerasj " + a);
      return;
    }
    if (e.isObject()) {
      Iterator<String> names = e.fieldNames();
      while (names.hasNext()) {
        String k = names.next();
        compare(e.get(k), a.get(k), path + "." + k, diffs);
      }
      a.fieldNames().forEachRemaining(k -> {
        if (!e.has(k)) {
          diffs.add(path + "." + k + ": only in kerasj (" + a.get(k) + ")");
        }
      });
    } else if (e.isArray()) {
      if (e.size() != a.size()) {
        diffs.add(path + ": keras " + e + ", kerasj " + a);
        return;
      }
      for (int i = 0; i < e.size(); i++) {
        compare(e.get(i), a.get(i), path + "[" + i + "]", diffs);
      }
    } else if (!e.equals(a)) {
      diffs.add(path + ": keras " + e + ", kerasj " + a);
    }
  }
}
