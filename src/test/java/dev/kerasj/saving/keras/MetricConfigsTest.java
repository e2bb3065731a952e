package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.metrics.Metric;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.testing.MetricCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.types.TFloat32;

/**
 * The metrics of issue 17 in Keras configs: kerasj reads the serialized metrics Keras 3.15.1 wrote
 * ({@code testdata/metrics/values}, {@code <case>/config}) and the {@code .keras} file Python compiled with them,
 * writes exactly what Keras writes, and leaves a Java-written {@code .keras} for Python to load
 * ({@code python-interop/tests/test_java_metric_files.py}).
 */
class MetricConfigsTest {
  static final TensorBundle VALUES = new TensorBundle(MetricCases.VALUES);
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  static Stream<Arguments> valueCases() {
    return MetricCases.valueCases().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  static JsonNode pythonConfig(String name) throws Exception {
    return KerasJson.parse(VALUES.readStrings(name + "/config").get(0).getBytes(StandardCharsets.UTF_8));
  }

  static Metric read(JsonNode node) {
    return MetricConfigs.metric(node, new ConfigFields(KerasJson.NODES.objectNode(), "compile_config", null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCases")
  void write_javaMetric_givesWhatKerasWrites(String name, Supplier<Metric> javaMetric) throws Exception {
    assertEquals(pythonConfig(name), MetricConfigs.metric(javaMetric.get()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCases")
  void read_kerasSerializedMetric_givesTheJavaMetric(String name, Supplier<Metric> javaMetric) throws Exception {
    Metric expected = javaMetric.get();
    Metric loaded = read(pythonConfig(name));
    assertEquals(expected.getClass(), loaded.getClass());
    assertEquals(expected.toString(), loaded.toString());
    assertEquals(MetricConfigs.metric(expected), MetricConfigs.metric(loaded));
  }

  /** The file holds the weights after fit, so evaluating them gives Keras' last val_ metrics. */
  @Test
  void kerasFile_writtenByPython_loadsWithItsMetrics_andEvaluatesLikeKeras() throws Exception {
    TensorBundle b = new TensorBundle(MetricCases.DIGITS);
    Map<String, HostArray> val = b.read(Map.of("x_val", TFloat32.class, "y_val", TFloat32.class));
    try (Model loaded = Model.load(MetricCases.DIGITS_KERAS); Sequential twin = MetricCases.digitsModel()) {
      assertEquals(twin.metrics().stream().map(MetricConfigs::metric).toList(),
          loaded.metrics().stream().map(MetricConfigs::metric).toList());
      Map<String, Double> logs = loaded.evaluate(val.get("x_val"), val.get("y_val"), 32);
      assertEquals(List.of("loss", "auc", "pr_auc", "precision", "recall_at_03", "top_k_categorical_accuracy",
          "f1_score", "accuracy"), List.copyOf(logs.keySet()));
      for (Map.Entry<String, Double> e : logs.entrySet()) {
        float[] history = b.read("history/val_" + e.getKey(), TFloat32.class).floats();
        float keras = history[history.length - 1];
        System.out.printf("[metric parity] digits.keras evaluate %-28s keras=%.9g java=%.9g%n", e.getKey(), keras,
            e.getValue());
        assertEquals(keras, e.getValue(), ATOL + RTOL * Math.abs(keras), e.getKey());
      }
    }
  }

  @Test
  void kerasFile_writtenByJava_readsBackTheSameMetrics(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.keras");
    List<JsonNode> written;
    try (Sequential model = MetricCases.digitsModel()) {
      written = model.metrics().stream().map(MetricConfigs::metric).toList();
      model.save(file);
    }
    try (Model loaded = Model.load(file)) {
      assertEquals(written, loaded.metrics().stream().map(MetricConfigs::metric).toList());
    }
  }

  /**
   * Leaves, for {@code python-interop/tests/test_java_metric_files.py}, {@code <kerasj.interopDir>/metrics/digits.keras}
   * (the digits model with Keras' final weights, compiled with every metric) and {@code digits.json} with Java's
   * evaluation of the validation rows and the metric configs Java wrote.
   */
  @Test
  void kerasFile_forPython_isLeftWithJavasEvaluation() throws Exception {
    Path out = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("metrics");
    Files.createDirectories(out);
    TensorBundle b = new TensorBundle(MetricCases.DIGITS);
    Map<String, HostArray> val = b.read(Map.of("x_val", TFloat32.class, "y_val", TFloat32.class));
    try (Sequential model = MetricCases.digitsModel()) {
      Map<String, Class<? extends org.tensorflow.types.family.TType>> want = new LinkedHashMap<>();
      model.weights().forEach(w -> want.put("final/" + w.path(), TFloat32.class));
      Map<String, Object> weights = new LinkedHashMap<>();
      b.read(want).forEach((k, v) -> weights.put(k.substring("final/".length()), v));
      model.setWeights(weights);
      Map<String, Double> logs = model.evaluate(val.get("x_val"), val.get("y_val"), 32);
      model.save(out.resolve("digits.keras"));
      ObjectNode json = KerasJson.NODES.objectNode();
      logs.forEach(json.putObject("evaluate")::put);
      model.metrics().forEach(m -> json.withArray("metrics").add(MetricConfigs.metric(m)));
      Files.write(out.resolve("digits.json"), KerasJson.toBytes(json));
    }
  }

  @Test
  void read_unknownMetricClass_failsNamingItAndTheSupportedOnes() throws Exception {
    JsonNode node = KerasJson.parse("{\"module\": \"keras.metrics\", \"class_name\": \"PrecisionAtRecall\", "
        .concat("\"config\": {\"recall\": 0.5}}").getBytes(StandardCharsets.UTF_8));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> read(node));
    assertTrue(e.getMessage().contains("PrecisionAtRecall") && e.getMessage().contains("AUC"), e.getMessage());
  }

  @Test
  void read_multiLabelAuc_failsNamingTheKey() throws Exception {
    JsonNode node = KerasJson.parse("{\"class_name\": \"AUC\", \"config\": {\"multi_label\": true}}"
        .getBytes(StandardCharsets.UTF_8));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> read(node));
    assertTrue(e.getMessage().contains("multi_label"), e.getMessage());
  }

  @Test
  void read_thresholdOutsideZeroOne_failsWithKerasMessage() throws Exception {
    JsonNode node = KerasJson.parse("{\"class_name\": \"Precision\", \"config\": {\"thresholds\": [0.5, 1.5]}}"
        .getBytes(StandardCharsets.UTF_8));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> read(node));
    assertTrue(e.getMessage().contains("Threshold values must be in [0, 1]. Received: [1.5]"), e.getMessage());
  }
}
