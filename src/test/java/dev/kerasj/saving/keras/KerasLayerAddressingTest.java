package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.Sequential;
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
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.MaxPooling2D;
import dev.kerasj.layers.Reshape;
import dev.kerasj.saving.IncompatibleCheckpointException;
import dev.kerasj.saving.KerasPaths;
import dev.kerasj.testing.LogCapture;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * Keras 3 addresses a layer in {@code .weights.h5} and {@code .keras} files by the snake case of its class, numbered
 * per class in layer order, never by its name ({@link KerasPaths}); kerasj writes and reads that way. Files written
 * by kerasj before 2026-12 addressed layers by name and are still read that way (committed under
 * {@code testdata/keras/legacy/}).
 */
class KerasLayerAddressingTest {
  static final Path LEGACY = Path.of("testdata", "keras", "legacy");

  @TempDir Path tmp;

  @Test
  void snakeCase_isKerasToSnakeCase() {
    // Values from keras.src.utils.naming.to_snake_case (Keras 3.15.1).
    assertEquals("dense", KerasPaths.snakeCase("Dense"));
    assertEquals("conv2d", KerasPaths.snakeCase("Conv2D"));
    assertEquals("batch_normalization", KerasPaths.snakeCase("BatchNormalization"));
    assertEquals("global_average_pooling2d", KerasPaths.snakeCase("GlobalAveragePooling2D"));
    assertEquals("max_pooling2d", KerasPaths.snakeCase("MaxPooling2D"));
    assertEquals("rm_sprop", KerasPaths.snakeCase("RMSprop"));
    assertEquals("adam_w", KerasPaths.snakeCase("AdamW"));
    assertEquals("input_layer", KerasPaths.snakeCase("InputLayer"));
    assertEquals("my_layer", KerasPaths.snakeCase("My.Layer"));
  }

  @Test
  void everyLayerClass_defaultNamePrefixIsItsClassPath() {
    List<Layer> layers = List.of(new Dense(1), new Conv2D(1, 1), new BatchNormalization(), new Flatten(),
        new Dropout(0.5), new Activation("relu"), new Embedding(3, 2), new MaxPooling2D(2), new AveragePooling2D(2),
        new GlobalAveragePooling2D(), new Reshape(1));
    for (Layer layer : layers) {
      assertEquals(KerasPaths.snakeCase(layer.className()), layer.defaultNamePrefix(), layer.className());
    }
  }

  @Test
  void containerNames_numberPerClassInOrder() {
    assertEquals(List.of("dense", "batch_normalization", "dense_1", "conv2d", "dense_2", "batch_normalization_1"),
        KerasPaths.containerNames(List.of("Dense", "BatchNormalization", "Dense", "Conv2D", "Dense",
            "BatchNormalization")));
  }

  @Test
  void write_addressesLayersByClassAndKeepsNamesAsAttributes() throws IOException {
    Path file = tmp.resolve("named.weights.h5");
    try (Sequential model = customNames()) {
      KerasWeights.write(model, file);
    }
    try (HdfFile h5 = new HdfFile(file)) {
      assertEquals(List.of("layers/batch_normalization/vars/0", "layers/batch_normalization/vars/1",
          "layers/batch_normalization/vars/2", "layers/batch_normalization/vars/3", "layers/dense/vars/0",
          "layers/dense/vars/1", "layers/dense_1/vars/0", "layers/dense_1/vars/1"), datasetPaths(h5));
      assertEquals("encoder", h5.getByPath("layers/dense/vars").getAttribute("name").getData());
      assertEquals("norm", h5.getByPath("layers/batch_normalization/vars").getAttribute("name").getData());
      assertEquals("head", h5.getByPath("layers/dense_1/vars").getAttribute("name").getData());
      assertEquals(WeightsLayout.LAYOUT_VALUE, h5.getAttribute(WeightsLayout.LAYOUT_ATTRIBUTE).getData());
      assertEquals(WeightsLayout.Addressing.KERAS_CLASS_PATHS, KerasWeights.addressing(h5));
    }
  }

  /**
   * Two Dense layers of equal shapes named {@code dense_1} then {@code dense}: by class, the first is
   * {@code layers/dense}. A model with other names, built in another order of creation, reads them by position.
   */
  @Test
  void swappedNames_loadByPositionIntoModelWithOtherNames() throws IOException {
    Path file = tmp.resolve("swapped.weights.h5");
    float[][] x = {{0.5f, -1f, 2f, 0.25f}, {1f, 1f, -1f, 0f}};
    FloatNdArray expected;
    List<FloatNdArray> written;
    try (Sequential unrelated = new Sequential(Input.of(4), new Dense(4)); // shifts automatic names
        Sequential model = new Sequential(Input.of(4), Dense.builder(4).activation("tanh").name("dense_1").build(),
            Dense.builder(4).activation("relu").name("dense").build())) {
      unrelated.build();
      model.setSeed(3);
      expected = model.predict(x);
      written = model.getWeights();
      KerasWeights.write(model, file);
    }
    try (Sequential other = new Sequential(Input.of(4), Dense.builder(4).activation("tanh").name("first").build(),
        Dense.builder(4).activation("relu").name("second").build())) {
      other.setSeed(99);
      other.loadWeights(file);
      assertEquals(written, other.getWeights());
      assertEquals(expected, other.predict(x));
    }
  }

  /**
   * Keras' files of models with custom names ({@code encoder}, {@code bottleneck}, {@code head}) and swapped names
   * ({@code dense_1} then {@code dense}, equal shapes) load into Java models built with the Java API and automatic
   * names, and predict what Keras predicted.
   */
  @ParameterizedTest
  @ValueSource(strings = {"custom_names_sgd", "swapped_names_sgd"})
  void kerasWeightsFile_loadsIntoJavaModelWithOtherNames(String name) throws IOException {
    try (HdfFile expected = new HdfFile(KerasFilesFixturesTest.DIR.resolve(name + ".expected.h5"));
        Sequential model = name.startsWith("custom")
            ? new Sequential(Input.of(6), new Dense(8, "relu"), new Dense(5, "tanh"), new Dense(3, "softmax"))
            : new Sequential(Input.of(6), new Dense(6, "relu"), new Dense(6, "tanh"), new Dense(3, "softmax"))) {
      assertEquals(List.of("dense", "dense_1", "dense_2"), model.layers().stream().map(Layer::name).toList());
      model.loadWeights(KerasFilesFixturesTest.DIR.resolve(name + ".weights.h5"));
      Object x = expected.getDatasetByPath("x").getData();
      KerasFilesFixturesTest.assertClose(KerasFilesFixturesTest.flat(expected.getDatasetByPath("predict")),
          KerasFilesFixturesTest.flat(model.predict(x)), name + " predict");
    }
  }

  @Test
  void mismatch_listsBothSidesAndTheRule() throws IOException {
    Path file = tmp.resolve("named.weights.h5");
    try (Sequential model = customNames()) {
      KerasWeights.write(model, file);
    }
    try (Sequential other = new Sequential(Input.of(3), Dense.builder(5).name("encoder").build(),
        Dense.builder(2).name("head").build())) {
      other.build();
      List<FloatNdArray> before = other.getWeights();
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> other.loadWeights(file));
      String m = e.getMessage();
      assertTrue(m.contains("snake case of its class"), m);
      assertTrue(m.contains("encoder (Dense) -> layers/dense"), m);
      assertTrue(m.contains("head (Dense) -> layers/dense_1"), m);
      assertTrue(m.contains("layers/batch_normalization (name 'norm')"), m);
      assertTrue(m.contains("layers/dense_1 (name 'head')"), m);
      assertTrue(m.contains("in the file but not in the model: [layers/batch_normalization/vars/0"), m);
      assertEquals(before, other.getWeights(), "a refused file changed the model");
    }
  }

  /**
   * A {@code .weights.h5} and a {@code .keras} written by kerasj at commit efbb862 (before 2026-12), layers named
   * {@code encoder}, {@code norm}, {@code head}: stored under {@code layers/<name>/}. They still load, by name, with a
   * warning that Python misreads them.
   */
  @Test
  void legacyKerasjFiles_addressedByName_stillLoadWithWarning() throws IOException {
    try (HdfFile h5 = new HdfFile(LEGACY.resolve("custom_names.weights.h5"))) {
      assertEquals(WeightsLayout.Addressing.LAYER_NAMES, KerasWeights.addressing(h5));
      assertTrue(datasetPaths(h5).contains("layers/encoder/vars/0"), datasetPaths(h5).toString());
    }
    JsonNode expected = KerasJson.parse(Files.readAllBytes(LEGACY.resolve("custom_names.expected.json")));
    float[][] x = floats(expected.get("x"));
    float[][] predict = floats(expected.get("predict"));
    try (LogCapture log = LogCapture.start();
        Sequential fromArchive = Sequential.load(LEGACY.resolve("custom_names.keras"));
        Sequential model = customNames()) {
      assertArrayClose(predict, fromArchive.predict(x));
      model.loadWeights(LEGACY.resolve("custom_names.weights.h5"));
      assertArrayClose(predict, model.predict(x));
      List<String> warnings = log.messages(Level.WARN, KerasWeights.class);
      assertEquals(2, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("addressed layers by name"), warnings.toString());
    }
  }

  @Test
  void legacyFile_saveAgain_writesKerasLayout() throws IOException {
    Path file = tmp.resolve("resaved.weights.h5");
    try (Sequential model = customNames()) {
      model.loadWeights(LEGACY.resolve("custom_names.weights.h5"));
      model.saveWeights(file);
      try (HdfFile h5 = new HdfFile(file)) {
        assertEquals(WeightsLayout.Addressing.KERAS_CLASS_PATHS, KerasWeights.addressing(h5));
      }
      try (Sequential again = customNames()) {
        again.loadWeights(file);
        assertEquals(model.getWeights(), again.getWeights());
      }
    }
  }

  @Test
  void pythonFile_withoutMarker_isReadByClass() throws IOException {
    try (HdfFile h5 = new HdfFile(KerasFilesFixturesTest.DIR.resolve("mlp_adam.weights.h5"))) {
      assertEquals(WeightsLayout.Addressing.KERAS_CLASS_PATHS, KerasWeights.addressing(h5));
    }
  }

  static float[][] floats(JsonNode rows) {
    float[][] out = new float[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      out[i] = new float[rows.get(i).size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = (float) rows.get(i).get(j).asDouble();
      }
    }
    return out;
  }

  /** Dense "encoder", BatchNormalization "norm", Dense "head"; seed 5. */
  static Sequential customNames() {
    Sequential model = new Sequential(Input.of(3), Dense.builder(4).activation("relu").name("encoder").build(),
        new BatchNormalization(0.9, 1e-3, "norm"), Dense.builder(2).name("head").build());
    model.setSeed(5);
    return model;
  }

  static List<String> datasetPaths(HdfFile h5) {
    TreeMap<String, Boolean> out = new TreeMap<>();
    collect(h5, out);
    return new ArrayList<>(out.keySet());
  }

  private static void collect(Node node, TreeMap<String, Boolean> out) {
    if (node instanceof Group g) {
      g.getChildren().values().forEach(c -> collect(c, out));
    } else if (node instanceof Dataset) {
      out.put(node.getPath().substring(1), true);
    }
  }

  static void assertArrayClose(float[][] expected, FloatNdArray actual) {
    for (int i = 0; i < expected.length; i++) {
      for (int j = 0; j < expected[i].length; j++) {
        float a = actual.getFloat(i, j);
        assertTrue(Math.abs(expected[i][j] - a) <= 1e-5 * Math.abs(expected[i][j]) + 1e-6,
            "[" + i + "][" + j + "]: expected " + expected[i][j] + ", got " + a);
      }
    }
    assertNotEquals(0, expected.length);
    assertArrayEquals(new long[] {expected.length, expected[0].length}, actual.shape().asArray());
  }
}
