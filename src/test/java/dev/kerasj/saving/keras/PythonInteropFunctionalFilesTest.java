package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.internal.HostArray;
import dev.kerasj.testing.FunctionalCases;
import dev.kerasj.testing.TensorBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.types.TFloat32;

/**
 * Writes, for {@code python-interop/tests/test_java_functional_files.py}, a {@code .keras} archive and a
 * {@code .weights.h5} file of every Functional case of {@code testdata/functional/}, built in Java
 * ({@link FunctionalCases}) with the fixture's trained weights, under {@code <kerasj.interopDir>/functional/}, with
 * {@code <case>.json}: the inputs {@code x} (by input name) and Java's predictions (by output name, in output order).
 */
class PythonInteropFunctionalFilesTest {
  static Path out() {
    return Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("functional");
  }

  static java.util.List<String> cases() {
    return FunctionalCases.NAMES;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void writeFunctionalFilesForPython(String name) throws IOException {
    Path dir = out();
    Files.createDirectories(dir);
    TensorBundle b = new TensorBundle(FunctionalCases.bundle(name));
    Map<String, Object> x = new LinkedHashMap<>();
    for (String input : b.readStrings("meta/input_names")) {
      x.put(input, b.read("x_val/" + input, TFloat32.class));
    }
    try (Model model = FunctionalCases.build(name)) {
      model.loadWeights(FunctionalCases.DIR.resolve(name + ".weights.h5"));
      model.save(dir.resolve(name + ".keras"));
      model.saveWeights(dir.resolve(name + ".weights.h5"));
      Map<String, FloatNdArray> predicted = model.predictOutputs(x);
      ObjectNode json = KerasJson.NODES.objectNode();
      ObjectNode xs = json.putObject("x");
      x.forEach((k, v) -> xs.set(k, rows((HostArray) v)));
      ObjectNode ps = json.putObject("predict");
      for (String output : model.outputNames()) {
        ps.set(output, rows(HostArray.from(predicted.get(output), output)));
      }
      json.putArray("output_names").addAll(model.outputNames().stream()
          .map(KerasJson.NODES::textNode).toList());
      Files.write(dir.resolve(name + ".json"), KerasJson.toBytes(json));
    }
  }

  private static com.fasterxml.jackson.databind.node.ArrayNode rows(HostArray a) {
    long[] shape = a.shape();
    int cols = shape.length > 1 ? (int) shape[1] : 1;
    float[] v = a.floats();
    com.fasterxml.jackson.databind.node.ArrayNode out = KerasJson.NODES.arrayNode();
    for (int r = 0; r < shape[0]; r++) {
      com.fasterxml.jackson.databind.node.ArrayNode row = out.addArray();
      for (int c = 0; c < cols; c++) {
        row.add(v[r * cols + c]);
      }
    }
    return out;
  }
}
