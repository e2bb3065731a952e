package dev.kerasj.saving.savedmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.CompileOptions;
import dev.kerasj.FitOptions;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.keras.KerasJson;
import dev.kerasj.serving.ServedModel;
import dev.kerasj.testing.FunctionalCases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.StdArrays;

/**
 * A Functional model of two inputs and two outputs as a SavedModel: the {@code serving_default} signature takes the
 * inputs by input layer name and returns {@code output_0}, {@code output_1} (Keras 3 {@code model.export()}'s keys
 * for a list of outputs); {@link ServedModel} serves it; {@link Model#load} rebuilds it and resumes training
 * bit for bit. Also leaves it for {@code python-interop/tests/test_java_savedmodel.py}.
 */
class FunctionalSavedModelTest {
  static final int N = 24;

  @TempDir
  Path tmp;

  /** {@code Model([a, b], [digit, size])}: a Dense per input, concatenated, Dropout, a softmax and a linear head. */
  static Model model() {
    FunctionalCases.TwoInputTrunk trunk = FunctionalCases.twoInputTrunk(0.2);
    KerasTensor h = trunk.features();
    KerasTensor digit = Dense.builder(3).activation("softmax").name("digit").build().apply(h);
    KerasTensor size = Dense.builder(1).name("size").build().apply(h);
    Model m = new Model(trunk.inputs(), List.of(digit, size));
    m.setSeed(5);
    m.compile(CompileOptions.builder(new Adam(0.02),
        Map.of("digit", "sparse_categorical_crossentropy", "size", "mse")).build());
    return m;
  }

  static Map<String, float[][]> x() {
    return FunctionalCases.randomTwoInputs(N, 9);
  }

  static Map<String, Object> y() {
    Map<String, float[][]> x = x();
    int[] digit = new int[N];
    float[][] size = new float[N][1];
    for (int i = 0; i < N; i++) {
      digit[i] = x.get("a")[i][0] > 0 ? 1 : x.get("b")[i][1] > 0 ? 2 : 0;
      size[i][0] = x.get("a")[i][1] + x.get("b")[i][2];
    }
    return Map.of("digit", digit, "size", size);
  }

  static void fit(Model m, int epochs) {
    m.fit(x(), y(), FitOptions.builder().epochs(epochs).batchSize(8).seed(3).verbose(0).build());
  }

  static List<float[]> values(Model m) {
    List<float[]> out = new ArrayList<>();
    for (FloatNdArray w : m.getWeights()) {
      float[] v = new float[(int) w.size()];
      w.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
      out.add(v);
    }
    return out;
  }

  static float[] flat(NdArray<?> nd) {
    float[] v = new float[(int) nd.size()];
    ((FloatNdArray) nd).copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
    return v;
  }

  @Test
  void servedInJava_takesInputsByLayerName_returnsOutput0And1_asPredict() throws IOException {
    Path dir = tmp.resolve("model");
    Map<String, FloatNdArray> expected;
    try (Model m = model()) {
      fit(m, 2);
      SavedModelWriter.write(m, dir, TrainingState.afterEpoch(2));
      expected = m.predictOutputs(x());
    }
    try (ServedModel served = ServedModel.open(dir)) {
      assertEquals(List.of("a", "b"), List.copyOf(new java.util.TreeSet<>(
          served.signature("serving_default").inputs().keySet())));
      Map<String, NdArray<?>> out = served.call("serving_default", x());
      assertEquals(java.util.Set.of("output_0", "output_1"), out.keySet());
      assertArrayEquals(flat(expected.get("digit")), flat(out.get("output_0")), 0f, "output_0 = digit");
      assertArrayEquals(flat(expected.get("size")), flat(out.get("output_1")), 0f, "output_1 = size");
    }
  }

  @Test
  void load_rebuildsFunctionalModel_andResumesTrainingBitwise() throws IOException {
    Path dir = tmp.resolve("model");
    List<float[]> reference;
    try (Model m = model()) {
      fit(m, 2);
      SavedModelWriter.write(m, dir, TrainingState.afterEpoch(2));
      fit(m, 1);
      reference = values(m);
    }
    try (Model loaded = Model.load(dir)) {
      assertEquals("Functional", loaded.className());
      assertEquals(List.of("a", "b"), loaded.inputNames());
      assertEquals(List.of("digit", "size"), loaded.outputNames());
      assertEquals(2, SavedModelLoader.readTrainingState(dir).epoch());
      fit(loaded, 1);
      List<float[]> resumed = values(loaded);
      assertEquals(reference.size(), resumed.size());
      for (int i = 0; i < reference.size(); i++) {
        assertArrayEquals(reference.get(i), resumed.get(i), 0f, "weight " + i + " (bitwise)");
      }
    }
  }

  @Test
  void sequentialLoad_ofAFunctionalSavedModel_namesModelLoad() throws IOException {
    Path dir = tmp.resolve("model");
    try (Model m = model()) {
      SavedModelWriter.write(m, dir);
    }
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(dir));
    assertTrue(e.getMessage().contains("Model.load"), e.getMessage());
    try (Model any = Model.load(dir)) {
      assertTrue(!(any instanceof Sequential));
    }
  }

  /** For python-interop/tests/test_java_savedmodel.py: the SavedModel and what Java predicts for x. */
  @Test
  void writeFunctionalSavedModelAndPredictionsForPython() throws IOException {
    Path out = PythonInteropSavedModelTest.interopDir().resolve("savedmodel");
    String name = "functional_two_in_two_out";
    ObjectNode expected = KerasJson.mapper().createObjectNode();
    try (Model m = model()) {
      fit(m, 2);
      SavedModelWriter.write(m, out.resolve(name), TrainingState.afterEpoch(2));
      Map<String, FloatNdArray> p = m.predictOutputs(x());
      expected.put("case", name);
      expected.set("inputs", KerasJson.mapper().valueToTree(x()));
      expected.set("output_0", KerasJson.mapper().valueToTree(StdArrays.array2dCopyOf(p.get("digit"))));
      expected.set("output_1", KerasJson.mapper().valueToTree(StdArrays.array2dCopyOf(p.get("size"))));
    }
    Files.write(out.resolve(name + ".json"), KerasJson.toBytes(expected));
    assertInstanceOf(Path.class, out.resolve(name).resolve("saved_model.pb"));
    assertTrue(Files.isRegularFile(out.resolve(name).resolve("saved_model.pb")));
  }
}
