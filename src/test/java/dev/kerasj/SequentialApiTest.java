package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.LambdaCallback;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.MaxPooling2D;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.SGD;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.IntNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;

/** The user-facing contract of {@link Sequential}: naming, summary, weights, fit inputs and options, lifecycle. */
class SequentialApiTest {
  static final long SEED = 2024;
  static final int SAMPLES = 24;
  static final int FEATURES = 4;
  static final int CLASSES = 3;

  /** Seeded features; the label of a sample is the argmax of its first three features. */
  static float[][] features() {
    Random rng = new Random(SEED);
    float[][] x = new float[SAMPLES][FEATURES];
    for (float[] row : x) {
      for (int j = 0; j < FEATURES; j++) {
        row[j] = (float) rng.nextGaussian();
      }
    }
    return x;
  }

  static int[] labels(float[][] x) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      for (int c = 1; c < CLASSES; c++) {
        if (x[i][c] > x[i][y[i]]) {
          y[i] = c;
        }
      }
    }
    return y;
  }

  /** A small classifier with Dropout, so that the seed drives initial weights, masks and shuffling. */
  static Sequential classifier(long seed) {
    Sequential model = new Sequential(Input.of(FEATURES), new Dense(8, "relu"), new Dropout(0.25),
        new Dense(CLASSES, "softmax"));
    model.setSeed(seed);
    model.compile(new SGD(0.1), new SparseCategoricalCrossentropy(), "accuracy");
    return model;
  }

  static FitOptions.Builder quiet() {
    return FitOptions.builder().epochs(3).batchSize(5).verbose(0);
  }

  static Map<String, List<Double>> train(long modelSeed, Object x, Object y, FitOptions options) {
    try (Sequential model = classifier(modelSeed)) {
      return model.fit(x, y, options).history();
    }
  }

  static float[] flat(FloatNdArray a) {
    float[] out = new float[Math.toIntExact(a.size())];
    a.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  static List<float[]> flatWeights(Sequential model) {
    return model.getWeights().stream().map(SequentialApiTest::flat).toList();
  }

  static void assertSameWeights(List<float[]> expected, List<float[]> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), what + ", weight " + i);
    }
  }

  // ---- names ----

  @Test
  void automaticNames_areKerasSnakeCaseCountedPerType() {
    try (Sequential model = new Sequential(Input.of(8, 8, 1), new Conv2D(4, 3), new BatchNormalization(),
        new Conv2D(4, 3), new MaxPooling2D(), new Flatten(), new Dense(8), new Dropout(0.5), new Dense(2))) {
      assertEquals(List.of("conv2d", "batch_normalization", "conv2d_1", "max_pooling2d", "flatten", "dense",
          "dropout", "dense_1"), model.layers().stream().map(Layer::name).toList());
    }
  }

  @Test
  void automaticNames_restartInEachModel() {
    try (Sequential first = new Sequential(Input.of(2), new Dense(2));
        Sequential second = new Sequential(Input.of(2), new Dense(2))) {
      assertEquals("dense", first.layers().get(0).name());
      assertEquals("dense", second.layers().get(0).name());
    }
  }

  @Test
  void automaticName_skipsANameTakenExplicitly() {
    try (Sequential model = new Sequential(Input.of(2), Dense.builder(2).name("dense").build(), new Dense(2))) {
      assertEquals(List.of("dense", "dense_1"), model.layers().stream().map(Layer::name).toList());
    }
  }

  @Test
  void duplicateExplicitNames_areRejectedNamingTheName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sequential(Input.of(3),
        Dense.builder(2).name("head").build(), Dense.builder(2).name("head").build()));

    assertTrue(e.getMessage().contains("'head'"), e.getMessage());
  }

  // ---- summary ----

  static Sequential summaryModel() {
    return new Sequential(Input.of(FEATURES), new Dense(10, "relu"), new BatchNormalization(),
        new Dense(CLASSES, "softmax"));
  }

  @Test
  void summary_listsEachLayerWithOutputShapeAndParamCount() {
    try (Sequential model = summaryModel()) {
      String summary = model.summary();

      assertTrue(summary.startsWith("Model: \"sequential\""), summary);
      // dense: 4*10 + 10; batch_normalization: 4 * 10; dense_1: 10*3 + 3.
      assertTrue(summary.matches("(?s).*│ dense \\(Dense\\) +│ \\(None, 10\\) +│ +50 │.*"), summary);
      // The type may be cut to fit the 33-character column ("BatchNorma"); the name and count must be whole.
      assertTrue(summary.matches("(?s).*│ batch_normalization \\(BatchNorma\\S* +│ \\(None, 10\\) +│ +40 │.*"), summary);
      assertTrue(summary.matches("(?s).*│ dense_1 \\(Dense\\) +│ \\(None, 3\\) +│ +33 │.*"), summary);
    }
  }

  @Test
  void summary_countsBatchNormalizationMovingStatisticsAsNonTrainable() {
    try (Sequential model = summaryModel()) {
      String summary = model.summary();

      assertTrue(summary.contains("Total params: 123 (492 B)"), summary);
      assertTrue(summary.contains("Trainable params: 103 (412 B)"), summary);
      assertTrue(summary.contains("Non-trainable params: 20 (80 B)"), summary);
      assertEquals(123, model.countParams());
    }
  }

  // ---- weights ----

  static Sequential weightsModel(long seed) {
    Sequential model = new Sequential(Input.of(3), new Dense(2), new BatchNormalization());
    model.setSeed(seed);
    return model;
  }

  static List<Object> distinctWeights() {
    return List.of(new float[][] {{1, 2}, {3, 4}, {5, 6}}, new float[] {7, 8}, new float[] {9, 10},
        new float[] {11, 12}, new float[] {13, 14}, new float[] {15, 16});
  }

  @Test
  void setWeightsList_thenGetWeights_returnsTheSameValuesInKerasOrder() {
    try (Sequential model = weightsModel(SEED)) {
      model.setWeights(distinctWeights());

      List<float[]> w = flatWeights(model);

      assertSameWeights(List.of(new float[] {1, 2, 3, 4, 5, 6}, new float[] {7, 8}, new float[] {9, 10},
          new float[] {11, 12}, new float[] {13, 14}, new float[] {15, 16}), w, "after setWeights");
      assertEquals(List.of("dense/kernel", "dense/bias", "batch_normalization/gamma", "batch_normalization/beta",
          "batch_normalization/moving_mean", "batch_normalization/moving_variance"),
          new ArrayList<>(model.getWeightsByPath().keySet()));
    }
  }

  @Test
  void getWeights_intoAnotherModel_givesTheSamePredictions() {
    float[][] x = {{0.5f, -1f, 2f}, {3f, 0f, -0.25f}};
    try (Sequential source = weightsModel(SEED); Sequential target = weightsModel(SEED + 1)) {
      source.setWeights(distinctWeights());

      target.setWeights(source.getWeights());

      assertArrayEquals(flat(source.predict(x)), flat(target.predict(x)), "seeds " + SEED + " -> " + (SEED + 1));
    }
  }

  @Test
  void setWeightsByPath_changesOnlyTheNamedWeights() {
    try (Sequential model = weightsModel(SEED)) {
      List<float[]> before = flatWeights(model);

      model.setWeights(Map.of("dense/bias", new float[] {5, 6}));

      List<float[]> after = new ArrayList<>(flatWeights(model));
      assertArrayEquals(new float[] {5, 6}, after.get(1));
      after.set(1, before.get(1));
      assertSameWeights(before, after, "weights other than dense/bias, seed=" + SEED);
    }
  }

  @Test
  void setWeights_withOneWrongShape_throwsAndChangesNothing() {
    try (Sequential model = weightsModel(SEED)) {
      List<float[]> before = flatWeights(model);
      List<Object> values = new ArrayList<>(distinctWeights());
      values.set(1, new float[] {7, 8, 9});

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.setWeights(values));

      assertTrue(e.getMessage().contains("dense/bias") && e.getMessage().contains("Received"), e.getMessage());
      assertSameWeights(before, flatWeights(model), "after a rejected setWeights (kernel must not be written)");
    }
  }

  @Test
  void setWeights_withWrongCount_throwsAndChangesNothing() {
    try (Sequential model = weightsModel(SEED)) {
      List<float[]> before = flatWeights(model);

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.setWeights(distinctWeights().subList(0, 2)));

      assertTrue(e.getMessage().contains("length 2") && e.getMessage().contains("6 weights"), e.getMessage());
      assertSameWeights(before, flatWeights(model), "after a rejected setWeights");
    }
  }

  @Test
  void setWeightsByPath_withUnknownPath_throwsAndChangesNothing() {
    try (Sequential model = weightsModel(SEED)) {
      List<float[]> before = flatWeights(model);
      Map<String, Object> values = new LinkedHashMap<>();
      values.put("dense/bias", new float[] {5, 6});
      values.put("dense/kernal", new float[][] {{1, 2}, {3, 4}, {5, 6}});

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.setWeights(values));

      assertTrue(e.getMessage().contains("'dense/kernal'") && e.getMessage().contains("dense/kernel"),
          e.getMessage());
      assertSameWeights(before, flatWeights(model), "after a rejected setWeights (bias must not be written)");
    }
  }

  // ---- fit inputs ----

  @Test
  void fit_withNdArrays_matchesFitWithJavaArrays() {
    float[][] x = features();
    int[] y = labels(x);
    FloatNdArray xNd = StdArrays.ndCopyOf(x);
    IntNdArray yNd = NdArrays.vectorOf(y);
    FitOptions options = quiet().build();

    Map<String, List<Double>> arrays = train(SEED, x, y, options);
    Map<String, List<Double>> ndArrays = train(SEED, xNd, yNd, options);

    assertEquals(arrays, ndArrays, "seed=" + SEED);
  }

  @Test
  void fit_withDoubleArrays_matchesFitWithFloatArrays() {
    float[][] x = features();
    double[][] xd = new double[SAMPLES][FEATURES];
    for (int i = 0; i < SAMPLES; i++) {
      for (int j = 0; j < FEATURES; j++) {
        xd[i][j] = x[i][j];
      }
    }
    FitOptions options = quiet().build();

    Map<String, List<Double>> floats = train(SEED, x, labels(x), options);
    Map<String, List<Double>> doubles = train(SEED, xd, labels(x), options);

    assertEquals(floats, doubles, "seed=" + SEED);
  }

  // ---- fit options ----

  @Test
  void validationSplit_holdsOutTheLastSamples() {
    // y is 0 for the first 8 samples and 100 for the last 2: only the last rows give a validation loss near 1e4.
    float[][] x = new float[10][1];
    float[][] y = new float[10][1];
    for (int i = 0; i < 10; i++) {
      x[i][0] = i / 10f;
      y[i][0] = i >= 8 ? 100f : 0f;
    }
    List<Integer> batchesSeen = new ArrayList<>();
    Callback counter = LambdaCallback.builder().onBatchEnd((batch, logs) -> batchesSeen.add(batch)).build();
    try (Sequential model = new Sequential(Input.of(1), new Dense(1))) {
      model.setSeed(SEED);
      model.compile(new SGD(1e-3), new MeanSquaredError());

      History h = model.fit(x, y, FitOptions.builder().epochs(1).batchSize(1).validationSplit(0.2).verbose(0)
          .callbacks(counter).build());

      double valLoss = h.get("val_loss").get(0);
      double lastRows = model.evaluate(Arrays.copyOfRange(x, 8, 10), Arrays.copyOfRange(y, 8, 10), 1).get("loss");
      double firstRows = model.evaluate(Arrays.copyOfRange(x, 0, 2), Arrays.copyOfRange(y, 0, 2), 1).get("loss");
      assertEquals(lastRows, valLoss, 1e-9, "val_loss vs evaluate on the last 2 rows, seed=" + SEED);
      assertNotEquals(firstRows, valLoss, 1.0, "val_loss must not be the first rows' loss, seed=" + SEED);
      assertEquals(8, batchesSeen.size(), "training batches of size 1: the first 8 of 10 samples");
    }
  }

  @Test
  void fit_sameSeeds_giveIdenticalHistory() {
    float[][] x = features();
    FitOptions options = quiet().build();

    assertEquals(train(SEED, x, labels(x), options), train(SEED, x, labels(x), options), "seed=" + SEED);
  }

  @Test
  void fit_otherShuffleSeed_givesOtherHistory() {
    float[][] x = features();

    Map<String, List<Double>> first = train(SEED, x, labels(x), quiet().seed(1).build());
    Map<String, List<Double>> second = train(SEED, x, labels(x), quiet().seed(2).build());

    assertNotEquals(first.get("loss"), second.get("loss"), "model seed=" + SEED + ", shuffle seeds 1 and 2");
  }

  @Test
  void fit_initialEpoch2Epochs4_runsEpochs2And3() {
    float[][] x = features();
    List<Integer> begun = new ArrayList<>();
    Callback recorder = LambdaCallback.builder().onEpochBegin((epoch, logs) -> begun.add(epoch)).build();
    try (Sequential model = classifier(SEED)) {
      History h = model.fit(x, labels(x), quiet().initialEpoch(2).epochs(4).callbacks(recorder).build());

      assertEquals(List.of(2, 3), h.epochs());
      assertEquals(List.of(2, 3), begun);
      assertEquals(2, h.get("loss").size());
    }
  }

  @Test
  void historyGet_unknownKey_throwsListingTheKeys() {
    float[][] x = features();
    try (Sequential model = classifier(SEED)) {
      History h = model.fit(x, labels(x), quiet().epochs(1).build());

      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.get("val_loss"));

      assertTrue(e.getMessage().contains("'val_loss'"), e.getMessage());
      assertTrue(e.getMessage().contains("loss") && e.getMessage().contains("accuracy"), e.getMessage());
    }
  }

  // ---- predict ----

  @Test
  void predict_modelWhoseOutputIsItsInput_returnsTheInput() {
    // Dropout is the identity at inference, so the inference output is the input placeholder itself.
    float[][] x = {{1f, 2f, 3f}};
    try (Sequential model = new Sequential(Input.of(3), new Dropout(0.5))) {
      assertArrayEquals(x[0], flat(model.predict(x)));
    }
  }

  // ---- device ----

  @Test
  void setDeviceGpu_withoutAGpu_stillTrainsBySoftPlacement() {
    float[][] x = features();
    Sequential model = new Sequential(Input.of(FEATURES), new Dense(8, "relu"), new Dense(CLASSES, "softmax"));
    try (model) {
      model.setSeed(SEED).setDevice("/GPU:0");
      model.compile(new SGD(0.1), new SparseCategoricalCrossentropy(), "accuracy");
      List<float[]> before = flatWeights(model);

      History h = model.fit(x, labels(x), quiet().build());

      assertTrue(h.get("loss").stream().allMatch(Double::isFinite), h.toString());
      assertNotEquals(Arrays.toString(before.get(0)), Arrays.toString(flatWeights(model).get(0)),
          "kernel unchanged after training on /GPU:0, seed=" + SEED);
    }
  }

  @Test
  void setDevice_bogusName_throwsIllegalArgument() {
    try (Sequential model = new Sequential(Input.of(FEATURES), new Dense(2))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.setDevice("bogus"));

      assertTrue(e.getMessage().contains("bogus"), e.getMessage());
    }
  }

  // ---- lifecycle ----

  @Test
  void close_isIdempotent() {
    Sequential model = classifier(SEED);
    model.build();

    model.close();

    assertDoesNotThrow(model::close);
  }

  @Test
  void predict_afterClose_throwsNamingTheModel() {
    Sequential model = new Sequential("my_model", Input.of(FEATURES), new Dense(2));
    model.build();
    model.close();

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.predict(new float[1][FEATURES]));

    assertTrue(e.getMessage().contains("'my_model'"), e.getMessage());
  }

  @Test
  void fit_afterClose_throwsNamingTheModel() {
    Sequential model = new Sequential("my_model", Input.of(FEATURES), new Dense(CLASSES, "softmax"));
    model.compile(new SGD(0.1), new SparseCategoricalCrossentropy());
    model.close();
    float[][] x = features();

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> model.fit(x, labels(x), quiet().build()));

    assertTrue(e.getMessage().contains("'my_model'"), e.getMessage());
  }

  @Test
  void getWeights_afterClose_throwsNamingTheModel() {
    Sequential model = new Sequential("my_model", Input.of(FEATURES), new Dense(2));
    model.build();
    model.close();

    IllegalStateException e = assertThrows(IllegalStateException.class, model::getWeights);

    assertTrue(e.getMessage().contains("'my_model'"), e.getMessage());
  }
}
