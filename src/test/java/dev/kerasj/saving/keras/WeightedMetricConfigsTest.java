package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import dev.kerasj.metrics.Metric;
import dev.kerasj.testing.TensorBundle;
import dev.kerasj.testing.WeightCases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * {@code weighted_metrics} in {@code compile_config}, both ways: Keras-written files of {@code testdata/weights/keras}
 * ({@code make_weight_fixtures.py}) load compiled with Keras' weighted metrics and evaluate to Keras' numbers; Java
 * writes them as Keras does (compared with Keras' own config); and Java leaves {@code .keras} files for
 * {@code python-interop/tests/test_java_weight_files.py}. Tolerance: 1e-5 relative + 1e-6 absolute.
 */
class WeightedMetricConfigsTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  @TempDir
  Path tmp;

  private final TensorBundle data = new TensorBundle(WeightCases.bundle("data"));
  private final HostArray xVal = data.read("x_val", TFloat32.class);
  private final HostArray yVal = data.read("y_val", TInt32.class);

  private static List<List<String>> names(List<List<Metric>> metrics) {
    return metrics.stream().map(l -> l.stream().map(Metric::name).toList()).toList();
  }

  private static void assertClose(TensorBundle b, Map<String, Double> java) {
    List<String> keys = b.readStrings("meta/evaluate_keys");
    assertEquals(new java.util.TreeSet<>(keys), new java.util.TreeSet<>(java.keySet()));
    for (String k : keys) {
      double keras = b.read("evaluate/" + k, TFloat32.class).floats()[0];
      assertEquals(keras, java.get(k), ATOL + RTOL * Math.abs(keras), k);
    }
  }

  @Test
  void kerasFile_withWeightedAucAndPrecision_loadsThemAndEvaluatesLikeKeras() throws Exception {
    try (Model model = Model.load(WeightCases.DIR.resolve("keras").resolve("class_weight.keras"))) {
      assertEquals(List.of(List.of("accuracy")), names(model.metricsByOutput()));
      assertEquals(List.of(List.of("accuracy", "auc", "precision")), names(model.weightedMetricsByOutput()));
      assertClose(new TensorBundle(WeightCases.bundle("class_weight")),
          model.evaluate(xVal, WeightCases.oneHot(yVal.ints())));
    }
  }

  @Test
  void kerasConfig_withWeightedMetricsByOutput_compilesThemAndWritesThemBackAsKeras() throws Exception {
    Path file = WeightCases.DIR.resolve("keras").resolve("two_output.json");
    JsonNode keras = KerasJson.parse(Files.readAllBytes(file)).get("compile_config");
    try (Model model = Model.fromJson(file)) {
      assertEquals(List.of(List.of("accuracy"), List.of()), names(model.metricsByOutput()));
      assertEquals(List.of(List.of("accuracy"), List.of("mae")), names(model.weightedMetricsByOutput()));
      JsonNode java = KerasJson.parse(model.toJson().getBytes(StandardCharsets.UTF_8)).get("compile_config");
      assertEquals(keras.get("weighted_metrics"), java.get("weighted_metrics"));
      assertEquals(keras.get("metrics").get("digit"), java.get("metrics").get("digit"));
    }
  }

  @Test
  void javaFile_keepsWeightedMetrics_acrossSaveAndLoad() throws Exception {
    Path file = tmp.resolve("m.keras");
    try (Model model = WeightCases.classWeight()) {
      model.save(file);
    }
    try (Model loaded = Model.load(file)) {
      assertEquals(List.of(List.of("accuracy", "auc", "precision")), names(loaded.weightedMetricsByOutput()));
    }
  }

  /**
   * Leaves {@code <case>.keras} (Keras' final weights, compiled like the case) and {@code <case>.json} (Java's
   * weighted {@code evaluate} on the validation rows with their weights) under {@code <kerasj.interopDir>/weights/}
   * for the sample_weight and two_output cases: Keras must load the weighted metrics and evaluate to Java's numbers.
   */
  @Test
  void kerasFiles_forPython_areLeftWithJavasWeightedEvaluation() throws Exception {
    Path dir = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("weights");
    Files.createDirectories(dir);
    try (Model model = WeightCases.sampleWeight()) {
      TensorBundle b = new TensorBundle(WeightCases.bundle("sample_weight"));
      Map<String, Double> java = leave(model, b, dir, "sample_weight",
          yVal, b.read("val_sample_weight/output", TFloat32.class));
      assertClose(b, java);
    }
    try (Model model = WeightCases.twoOutput()) {
      TensorBundle b = new TensorBundle(WeightCases.bundle("two_output"));
      Map<String, Double> java = leave(model, b, dir, "two_output",
          Map.of("digit", yVal, "value", WeightCases.scaled(yVal)),
          Map.of("digit", b.read("val_sample_weight/digit", TFloat32.class),
              "value", b.read("val_sample_weight/value", TFloat32.class)));
      assertClose(b, java);
    }
  }

  private Map<String, Double> leave(Model model, TensorBundle b, Path dir, String name, Object y, Object sw)
      throws Exception {
    Map<String, Object> finals = new LinkedHashMap<>();
    for (Weight w : model.weights()) {
      finals.put(w.path(), b.read("final/" + w.path(), TFloat32.class));
    }
    model.setWeights(finals);
    Map<String, Double> java = model.evaluate(xVal, y, sw, 32);
    model.save(dir.resolve(name + ".keras"));
    ObjectNode out = KerasJson.NODES.objectNode();
    java.forEach(out::put);
    Files.write(dir.resolve(name + ".json"), KerasJson.toBytes(out));
    return java;
  }
}
