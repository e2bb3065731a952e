package dev.kerasj.saving.savedmodel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Sequential;
import dev.kerasj.saving.keras.KerasJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Leaves, for {@code python-interop/tests/test_java_savedmodel.py}, one trained SavedModel per case and what Java
 * predicts on a fixed input: {@code <interopDir>/savedmodel/<case>/} and {@code <interopDir>/savedmodel/<case>.json}.
 * The Python test loads the SavedModel with {@code tf.saved_model.load}, {@code keras.layers.TFSMLayer},
 * {@code saved_model_cli} and (from {@code assets/config.json}) {@code keras.models.model_from_json}, and requires the
 * same predictions.
 *
 * <p>{@code interopDir} is the system property {@code kerasj.interopDir} (Maven sets it to
 * {@code <build directory>/interop}), default {@code target/interop}.
 */
class PythonInteropSavedModelTest {
  static Path interopDir() {
    return Path.of(System.getProperty("kerasj.interopDir", "target/interop"));
  }

  @ParameterizedTest
  @EnumSource(ModelCases.class)
  void writeSavedModelAndPredictionsForPython(ModelCases c) throws IOException {
    Path out = interopDir().resolve("savedmodel");
    String name = c.name().toLowerCase();
    Object x = c.x(24, 7);
    ObjectNode expected = KerasJson.mapper().createObjectNode();
    try (Sequential model = c.build()) {
      c.fit(model, 0, 2);
      SavedModelWriter.write(model, out.resolve(name), TrainingState.afterEpoch(2));
      expected.put("case", name);
      expected.put("input_key", "input_layer");
      expected.put("output_key", "output_0");
      expected.put("input_dtype", c == ModelCases.EMBEDDING ? "int32" : "float32");
      expected.set("input", KerasJson.mapper().valueToTree(x));
      expected.set("predictions", KerasJson.mapper().valueToTree(
          org.tensorflow.ndarray.StdArrays.array2dCopyOf(model.predict(x))));
      expected.put("params", model.countParams());
    }
    Path json = out.resolve(name + ".json");
    Files.write(json, KerasJson.toBytes(expected));
    assertTrue(Files.isRegularFile(out.resolve(name).resolve("saved_model.pb")));
  }
}
