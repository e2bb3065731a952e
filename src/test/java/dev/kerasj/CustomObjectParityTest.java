package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Weight;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.saving.keras.KerasJson;
import dev.kerasj.testing.ScaledDense;
import dev.kerasj.testing.ScaledMeanAbsoluteError;
import dev.kerasj.testing.ScaledMeanSquaredError;
import dev.kerasj.testing.TensorBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * A registered custom layer ({@link ScaledDense}), custom loss ({@link ScaledMeanSquaredError}) and custom averaging
 * metric ({@link ScaledMeanAbsoluteError}) against Keras
 * 3.15.1 (testdata/custom, made by {@code python-interop/make_custom_fixtures.py}): Keras' {@code .keras} file loads
 * and predicts like Keras, trains its next epoch like Keras, Java trains the Keras fit itself from Keras' initial
 * weights, and Java's own files (.keras, .weights.h5, SavedModel, TF checkpoint) round-trip the custom objects. All
 * float comparisons within {@link KerasParityTest}'s tolerance ({@value KerasParityTest#RTOL} relative plus
 * {@value KerasParityTest#ATOL} absolute per value).
 */
class CustomObjectParityTest {
  static final Path DIR = Path.of("testdata", "custom");
  static final Path KERAS_FILE = DIR.resolve("scaled_dense.keras");
  static final Path INTEROP = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("custom");

  static TensorBundle bundle;
  static Map<String, HostArray> data;
  static int batchSize;

  @BeforeAll
  static void registerAndRead() {
    ScaledDense.register();
    ScaledMeanSquaredError.register();
    ScaledMeanAbsoluteError.register();
    bundle = new TensorBundle(DIR.resolve("train"));
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    for (String n : List.of("x", "y", "x_val", "y_val", "predict/x_val")) {
      want.put(n, TFloat32.class);
    }
    data = bundle.read(want);
    batchSize = bundle.read("meta/batch_size", org.tensorflow.types.TInt32.class).ints()[0];
  }

  private static Sequential javaModel() {
    Sequential model = new Sequential(Input.of(4), new ScaledDense(3, 0.5, null), new Dense(2));
    model.compile(new SGD(0.05), new ScaledMeanSquaredError(2.0, "scaled_mean_squared_error"),
        new ScaledMeanAbsoluteError(2.0, "scaled_mae"));
    return model;
  }

  private static FitOptions.Builder fit(int epochs) {
    return FitOptions.builder().epochs(epochs).batchSize(batchSize).shuffle(false)
        .validationData(data.get("x_val"), data.get("y_val")).verbose(0);
  }

  @Test
  void kerasFile_loadsTheCustomLayerAndLoss_andPredictsLikeKeras() throws IOException {
    try (Model model = Model.load(KERAS_FILE)) {
      assertInstanceOf(Sequential.class, model);
      ScaledDense layer = assertInstanceOf(ScaledDense.class, model.layers().get(0));
      assertEquals("scaled_dense", layer.name());
      assertEquals(0.5, layer.factor());
      ScaledMeanSquaredError loss = assertInstanceOf(ScaledMeanSquaredError.class, model.losses().get(0));
      assertEquals(2.0, loss.weight());
      ScaledMeanAbsoluteError metric = assertInstanceOf(ScaledMeanAbsoluteError.class, model.metrics().get(0));
      assertEquals(2.0, metric.scale());
      assertEquals("scaled_mae", metric.name());
      assertEquals(bundle.readStrings("meta/weight_names"), model.weights().stream().map(Weight::path).toList());
      KerasParityTest.Diff diff = new KerasParityTest.Diff("custom/load");
      compareWeights(diff, model, "final");
      diff.compare("predict/x_val", data.get("predict/x_val").floats(),
          KerasParityTest.toFloats(model.predict(data.get("x_val"), batchSize)));
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  @Test
  void kerasFile_trainsItsNextEpochLikeKeras() throws IOException {
    try (Model model = Model.load(KERAS_FILE)) {
      int epochs = bundle.read("meta/epochs", org.tensorflow.types.TInt32.class).ints()[0];
      History h = model.fit(data.get("x"), data.get("y"), fit(epochs + 1).initialEpoch(epochs).build());
      KerasParityTest.Diff diff = new KerasParityTest.Diff("custom/next_epoch");
      compareHistory(diff, h, "next");
      compareWeights(diff, model, "next");
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  @Test
  void fit_fromKerasInitialWeights_matchesKerasHistoryAndWeights() {
    try (Sequential model = javaModel()) {
      model.setWeights(KerasParityTest.stripPrefix(read("initial", model.weights()), "initial/"));
      int epochs = bundle.read("meta/epochs", org.tensorflow.types.TInt32.class).ints()[0];
      History h = model.fit(data.get("x"), data.get("y"), fit(epochs).build());
      KerasParityTest.Diff diff = new KerasParityTest.Diff("custom/fit");
      compareHistory(diff, h, "history");
      compareWeights(diff, model, "final");
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  @Test
  void javaKerasFile_namesTheRegisteredClasses_andLoadsBack() throws IOException {
    Path file = Files.createDirectories(INTEROP).resolve("scaled_dense_java.keras");
    try (Sequential model = javaModel()) {
      model.setWeights(KerasParityTest.stripPrefix(read("final", model.weights()), "final/"));
      model.save(file);
      JsonNode config = readConfig(file);
      JsonNode layer = config.path("config").path("layers").get(1);
      assertEquals("ScaledDense", layer.path("class_name").asText());
      assertEquals(ScaledDense.REGISTERED_NAME, layer.path("registered_name").asText());
      assertEquals(0.5, layer.path("config").path("factor").asDouble());
      assertEquals(3, layer.path("config").path("units").asInt());
      JsonNode loss = config.path("compile_config").path("loss");
      assertEquals(ScaledMeanSquaredError.REGISTERED_NAME, loss.path("registered_name").asText());
      assertEquals(2.0, loss.path("config").path("weight").asDouble());
      JsonNode metric = config.path("compile_config").path("metrics").get(0);
      assertEquals(ScaledMeanAbsoluteError.REGISTERED_NAME, metric.path("registered_name").asText());
      assertEquals(2.0, metric.path("config").path("scale").asDouble());
      float[] predicted = KerasParityTest.toFloats(model.predict(data.get("x_val"), batchSize));
      Map<String, Double> evaluated = model.evaluate(data.get("x_val"), data.get("y_val"), batchSize);
      try (Model back = Model.load(file)) {
        assertInstanceOf(ScaledDense.class, back.layers().get(0));
        assertInstanceOf(ScaledMeanSquaredError.class, back.losses().get(0));
        assertInstanceOf(ScaledMeanAbsoluteError.class, back.metrics().get(0));
        assertArrayEquals(predicted, KerasParityTest.toFloats(back.predict(data.get("x_val"), batchSize)));
      }
      // For python-interop/tests/test_java_custom_files.py: Keras must evaluate this file to Java's loss, and its
      // ScaledDense model must restore this TF checkpoint (keys resolved through the object graph) and predict alike.
      model.saveWeights(INTEROP.resolve("ckpt").resolve("scaled_dense"));
      ObjectNode out = KerasJson.mapper().createObjectNode();
      out.put("loss", evaluated.get("loss"));
      out.put("scaled_mae", evaluated.get("scaled_mae"));
      com.fasterxml.jackson.databind.node.ArrayNode p = out.putArray("predict");
      for (float v : predicted) {
        p.add(v);
      }
      Files.write(INTEROP.resolve("scaled_dense_java.json"), KerasJson.toBytes(out));
    }
  }

  @Test
  void savedModel_roundTripsTheCustomObjects() throws IOException {
    roundTrip(tmp.resolve("saved_model"), true);
  }

  @Test
  void weightsH5_restoresTheCustomLayersWeights() throws IOException {
    roundTrip(tmp.resolve("model.weights.h5"), false);
  }

  @Test
  void tfCheckpoint_restoresTheCustomLayersWeights() throws IOException {
    roundTrip(tmp.resolve("ckpt"), false);
  }

  @Test
  void functionalModel_ofTwoCustomLayers_roundTripsThroughKerasFilesAndJson() throws IOException {
    dev.kerasj.layers.KerasTensor in = Input.tensor(4);
    dev.kerasj.layers.KerasTensor hidden = new ScaledDense(3, 0.5, null).apply(in);
    dev.kerasj.layers.KerasTensor out = new ScaledDense(2, -1.5, "head").apply(hidden);
    Path file = tmp.resolve("functional.keras");
    try (Model model = new Model(in, out)) {
      model.compile(new SGD(0.05), new ScaledMeanSquaredError(0.5, "half_mse"),
          new ScaledMeanAbsoluteError(3.0, "triple_mae"));
      model.fit(data.get("x"), data.get("y"), fit(1).build());
      float[] predicted = KerasParityTest.toFloats(model.predict(data.get("x_val"), batchSize));
      model.save(file);
      JsonNode layers = readConfig(file).path("config").path("layers");
      assertEquals(List.of("scaled_dense", "head"), List.of(layers.get(1).path("name").asText(),
          layers.get(2).path("name").asText()));
      try (Model back = Model.load(file); Model fromJson = Model.fromJson(model.toJson())) {
        assertEquals(-1.5, assertInstanceOf(ScaledDense.class, back.getLayer("head")).factor());
        assertEquals("half_mse", back.losses().get(0).name());
        assertEquals(3.0, assertInstanceOf(ScaledMeanAbsoluteError.class, back.metrics().get(0)).scale());
        assertArrayEquals(predicted, KerasParityTest.toFloats(back.predict(data.get("x_val"), batchSize)));
        assertEquals(0.5, assertInstanceOf(ScaledDense.class, fromJson.getLayer("scaled_dense")).factor());
      }
    }
  }

  @TempDir Path tmp;

  /** Saves a Keras-trained model to {@code path} and restores it (a full model, or weights into a fresh one). */
  private void roundTrip(Path path, boolean fullModel) throws IOException {
    try (Sequential model = javaModel()) {
      model.setWeights(KerasParityTest.stripPrefix(read("final", model.weights()), "final/"));
      float[] predicted = KerasParityTest.toFloats(model.predict(data.get("x_val"), batchSize));
      if (fullModel) {
        model.save(path);
      } else {
        model.saveWeights(path);
      }
      try (Model back = fullModel ? Model.load(path) : javaModel()) {
        if (fullModel) {
          assertInstanceOf(ScaledDense.class, back.layers().get(0));
          assertEquals(2.0, assertInstanceOf(ScaledMeanSquaredError.class, back.losses().get(0)).weight());
          assertEquals(2.0, assertInstanceOf(ScaledMeanAbsoluteError.class, back.metrics().get(0)).scale());
        } else {
          back.loadWeights(path);
        }
        assertArrayEquals(predicted, KerasParityTest.toFloats(back.predict(data.get("x_val"), batchSize)),
            path.getFileName().toString());
      }
    }
  }

  private static JsonNode readConfig(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      return KerasJson.parse(zip.getInputStream(zip.getEntry("config.json")).readAllBytes());
    }
  }

  private static Map<String, HostArray> read(String stage, List<Weight> ws) {
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    ws.forEach(w -> want.put(stage + "/" + w.path(), TFloat32.class));
    return bundle.read(want);
  }

  private static void compareWeights(KerasParityTest.Diff diff, Model model, String stage) {
    List<Weight> ws = model.weights();
    Map<String, HostArray> expected = read(stage, ws);
    List<FloatNdArray> actual = model.getWeights();
    for (int i = 0; i < ws.size(); i++) {
      String key = stage + "/" + ws.get(i).path();
      diff.compare(key, expected.get(key).floats(), KerasParityTest.toFloats(actual.get(i)));
    }
  }

  private static void compareHistory(KerasParityTest.Diff diff, History h, String stage) {
    assertEquals(List.of("loss", "scaled_mae", "val_loss", "val_scaled_mae"), List.copyOf(h.history().keySet()));
    for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
      diff.compare(stage + "/" + e.getKey(), bundle.read(stage + "/" + e.getKey(), TFloat32.class).floats(),
          KerasParityTest.toFloats(e.getValue()));
    }
    assertTrue(h.history().get("loss").size() >= 1);
  }
}
