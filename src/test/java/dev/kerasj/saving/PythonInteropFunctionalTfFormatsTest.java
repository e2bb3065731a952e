package dev.kerasj.saving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Model;
import dev.kerasj.internal.HostArray;
import dev.kerasj.serving.ServedModel;
import dev.kerasj.testing.FunctionalCases;
import dev.kerasj.testing.TensorBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Every Functional case of {@code testdata/functional} ({@link FunctionalCases}) in the TensorFlow formats, Java side:
 * trained one epoch from Keras' initial weights on the fixture's data (inputs and labels by name), saved with
 * {@link Model#saveWeights} as a TF checkpoint and with {@link Model#save} as a SavedModel. In Java, the SavedModel's
 * {@code serving_default} (inputs by name, outputs {@code output_0}, {@code output_1} ... in output order) returns
 * {@link Model#predictOutputs} bitwise, and {@link Model#load} of it trains one more epoch exactly as the model that
 * never stopped.
 *
 * <p>Leaves for {@code python-interop/tests/test_java_functional_tf_formats.py}, under {@code <kerasj.interopDir>}:
 * {@code functional_ckpt/<case>/ckpt-1} (the checkpoint), {@code functional_savedmodel/<case>/} (the SavedModel) and
 * {@code functional_savedmodel/<case>-expected} (a tensor bundle: {@code x_val/<input>} and Java's
 * {@code output_<i>} for it, the same state as both files).
 */
class PythonInteropFunctionalTfFormatsTest {
  static final Path INTEROP = Path.of(System.getProperty("kerasj.interopDir", "target/interop"));
  private static final FitOptions ONE_EPOCH = FitOptions.builder().epochs(1).batchSize(32).shuffle(false).verbose(0)
      .build();

  static Stream<Arguments> cases() {
    return FunctionalCases.NAMES.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void checkpointAndSavedModel_serveAsPredictAndResumeBitwise(String name) throws IOException {
    TensorBundle f = new TensorBundle(FunctionalCases.bundle(name));
    Path checkpoint = INTEROP.resolve("functional_ckpt").resolve(name);
    Path savedModel = INTEROP.resolve("functional_savedmodel").resolve(name);
    Path expected = INTEROP.resolve("functional_savedmodel").resolve(name + "-expected");
    DurableFiles.deleteRecursively(checkpoint);
    DurableFiles.deleteRecursively(savedModel);
    Files.createDirectories(checkpoint);
    Map<String, HostArray> xVal;
    Map<String, FloatNdArray> predictions;
    List<float[]> uninterrupted;
    List<String> outputs;
    try (Model m = FunctionalCases.build(name)) {
      List<Object> initial = new ArrayList<>();
      for (int i = 0; i < m.weights().size(); i++) {
        initial.add(f.read("initial/" + i, TFloat32.class));
      }
      m.setWeights(initial);
      outputs = m.outputNames();
      Map<String, HostArray> x = byName(f, "x/", m, true);
      Map<String, HostArray> y = byName(f, "y/", m, false);
      xVal = byName(f, "x_val/", m, true);
      m.fit(x, y, ONE_EPOCH);
      m.saveWeights(checkpoint.resolve("ckpt-1"));
      m.save(savedModel);
      predictions = m.predictOutputs(xVal, 32);
      m.fit(x, y, ONE_EPOCH);
      uninterrupted = values(m);

      Map<String, HostArray> bundle = new LinkedHashMap<>();
      xVal.forEach((input, v) -> bundle.put("x_val/" + input, v));
      for (int i = 0; i < outputs.size(); i++) {
        FloatNdArray p = predictions.get(outputs.get(i));
        bundle.put("output_" + i, HostArray.ofFloats(p.shape().asArray(), flat(p)));
      }
      TensorBundle.write(expected, bundle);
    }

    try (ServedModel served = ServedModel.open(savedModel)) {
      Map<String, Object> feed = new LinkedHashMap<>();
      xVal.forEach((input, v) -> feed.put(input, matrix(v)));
      Map<String, NdArray<?>> served0 = served.call("serving_default", feed);
      assertEquals(outputs.size(), served0.size(), name + ": outputs " + served0.keySet());
      for (int i = 0; i < outputs.size(); i++) {
        assertArrayEquals(flat(predictions.get(outputs.get(i))), flat(served0.get("output_" + i)), 0f,
            name + ": output_" + i + " = " + outputs.get(i));
      }
    }

    try (Model loaded = Model.load(savedModel)) {
      assertEquals(outputs, loaded.outputNames());
      loaded.fit(byName(f, "x/", loaded, true), byName(f, "y/", loaded, false), ONE_EPOCH);
      List<float[]> resumed = values(loaded);
      assertEquals(uninterrupted.size(), resumed.size(), name + ": weight count");
      for (int i = 0; i < resumed.size(); i++) {
        assertArrayEquals(uninterrupted.get(i), resumed.get(i), 0f,
            name + ": weight " + loaded.weights().get(i).path() + " after one more epoch (bitwise)");
      }
    }
    assertTrue(Files.isRegularFile(checkpoint.resolve("ckpt-1.index")), name + ": checkpoint index");
  }

  /** The fixture's arrays under {@code prefix}, keyed by input or output name; sparse labels stay int. */
  private static Map<String, HostArray> byName(TensorBundle f, String prefix, Model model, boolean inputs) {
    List<String> names = inputs ? model.inputNames() : model.outputNames();
    Map<String, HostArray> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      boolean ints = !inputs && model.losses().get(i).sparseLabels();
      out.put(names.get(i), f.read(prefix + names.get(i), ints ? TInt32.class : TFloat32.class));
    }
    return out;
  }

  private static List<float[]> values(Model m) {
    return m.getWeights().stream().map(PythonInteropFunctionalTfFormatsTest::flat).toList();
  }

  private static float[] flat(NdArray<?> nd) {
    float[] v = new float[(int) nd.size()];
    ((FloatNdArray) nd).copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  private static float[][] matrix(HostArray a) {
    int rows = (int) a.shape()[0];
    int cols = (int) a.shape()[1];
    float[] all = a.floats();
    float[][] m = new float[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(all, r * cols, m[r], 0, cols);
    }
    return m;
  }
}
