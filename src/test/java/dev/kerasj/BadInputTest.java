package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.MaxPooling2D;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.SGD;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every kind of bad input from the issue gets an IllegalArgumentException/IllegalStateException in Keras'
 * "Received: ..." style before any native call, and leaves the model usable.
 */
class BadInputTest {
  private static final float[][] X = {{0, 1}, {1, 0}, {1, 1}, {0, 0}};
  private static final int[] Y = {0, 1, 2, 0};
  private static final FitOptions QUIET = FitOptions.builder().epochs(1).verbose(0).build();

  private static Sequential classifier() {
    Sequential m = new Sequential(Input.of(2), new Dense(4, "relu"), new Dense(3, "softmax"));
    m.setSeed(5);
    m.compile(new Adam(), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** Asserts that {@code call} throws {@code type} with every fragment in its message. */
  private static <T extends Throwable> T assertMessage(Class<T> type, Executable call, String... fragments) {
    T e = assertThrows(type, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
    }
    return e;
  }

  private static void withClassifier(Consumer<Sequential> body) {
    try (Sequential m = classifier()) {
      body.accept(m);
      // The model is still usable after the rejected call.
      assertEquals(1, m.fit(X, Y, QUIET).epochs().size());
    }
  }

  @Test
  void fit_beforeCompile_throwsIllegalState() {
    try (Sequential m = new Sequential(Input.of(2), new Dense(3))) {
      assertMessage(IllegalStateException.class, () -> m.fit(X, Y, QUIET), "compile()");
      assertMessage(IllegalStateException.class, () -> m.evaluate(X, Y), "compile()");
    }
  }

  @Test
  void fit_withDifferentSampleCounts_namesBothCounts() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class, () -> m.fit(X, new int[] {0, 1, 2}, QUIET),
        "same number of samples", "x.shape[0]=4", "y.shape[0]=3"));
  }

  @Test
  void fit_withWrongFeatureCount_namesExpectedAndReceivedShapes() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(new float[][] {{1, 2, 3}}, new int[] {0}, QUIET), "(None, 2)", "Received: x.shape=(1, 3)"));
  }

  @Test
  void fit_withWrongRank_namesExpectedAndReceivedShapes() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(new float[][][] {{{1, 2}}}, new int[] {0}, QUIET), "(None, 2)", "Received: x.shape=(1, 1, 2)"));
  }

  @Test
  void fit_withNonNumericData_namesTheElementType() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(new String[][] {{"a", "b"}}, new int[] {0}, QUIET), "java.lang.String"));
    withClassifier(m -> assertMessage(IllegalArgumentException.class, () -> m.fit("not an array", Y, QUIET),
        "Received: java.lang.String"));
  }

  @Test
  void fit_withRaggedArray_namesTheLengths() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(new float[][] {{1, 2}, {1}}, new int[] {0, 1}, QUIET), "ragged", "length 2", "length 1"));
  }

  @Test
  void fit_withLabelOutOfRange_namesLabelAndValidRange() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(X, new int[] {0, 1, 3, 0}, QUIET), "label value of 3", "[0, 3)"));
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(X, new int[] {0, -1, 2, 0}, QUIET), "label value of -1"));
  }

  @Test
  void fit_withFractionalSparseLabels_isRejected() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(X, new float[] {0, 1.5f, 2, 0}, QUIET), "integer class ids", "1.5"));
  }

  @Test
  void fit_withNaNOrInfinity_namesTheSample() {
    float[][] nan = {{0, 1}, {Float.NaN, 0}};
    withClassifier(m -> assertMessage(IllegalArgumentException.class, () -> m.fit(nan, new int[] {0, 1}, QUIET),
        "finite", "NaN", "sample 1"));
    float[][] inf = {{0, Float.POSITIVE_INFINITY}};
    withClassifier(m -> assertMessage(IllegalArgumentException.class, () -> m.fit(inf, new int[] {0}, QUIET),
        "Infinity", "sample 0"));
  }

  @Test
  void fit_withNaNInRegressionTargets_isRejected() {
    try (Sequential m = new Sequential(Input.of(2), new Dense(1))) {
      m.compile(new SGD(), new MeanSquaredError());
      assertMessage(IllegalArgumentException.class,
          () -> m.fit(X, new float[][] {{1}, {Float.NaN}, {0}, {1}}, QUIET), "`y`", "NaN", "sample 1");
    }
  }

  @Test
  void fit_withEmptyData_isRejected() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(new float[0][2], new int[0], QUIET), "at least one sample", "x.shape=(0,"));
  }

  @Test
  void fitOptions_withNonPositiveBatchSize_isRejectedAtBuild() {
    assertMessage(IllegalArgumentException.class, () -> FitOptions.builder().batchSize(0).build(),
        "batchSize", "Received: batchSize=0");
    assertMessage(IllegalArgumentException.class, () -> FitOptions.builder().batchSize(-3).build(),
        "Received: batchSize=-3");
    withClassifier(m -> assertMessage(IllegalArgumentException.class, () -> m.predict(X, 0),
        "Received: batchSize=0"));
  }

  @Test
  void fitOptions_withBadValues_nameTheField() {
    assertMessage(IllegalArgumentException.class, () -> FitOptions.builder().validationSplit(1.0).build(),
        "validationSplit=1.0");
    assertMessage(IllegalArgumentException.class, () -> FitOptions.builder().epochs(-1).build(), "epochs=-1");
    assertMessage(IllegalArgumentException.class, () -> FitOptions.builder().verbose(3).build(), "verbose=3");
  }

  @Test
  void validationData_withMismatchedCounts_isRejected() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(X, Y, FitOptions.builder().verbose(0).validationData(X, new int[] {1}).build()),
        "validation_data x.shape[0]=4", "validation_data y.shape[0]=1"));
  }

  @Test
  void validationSplit_leavingNoTrainingData_isRejected() {
    withClassifier(m -> assertMessage(IllegalArgumentException.class,
        () -> m.fit(new float[][] {{1, 2}}, new int[] {0},
            FitOptions.builder().verbose(0).validationSplit(0.5).build()), "empty training or validation"));
  }

  @Test
  void layer_whoseInputShapeCannotWork_isRejectedWhenAdded() {
    assertMessage(IllegalArgumentException.class,
        () -> new Sequential(Input.of(10), new Conv2D(4, 3)), "conv2d", "rank 4", "Received: input shape (None, 10)");
    assertMessage(IllegalArgumentException.class,
        () -> new Sequential(Input.of(2, 2, 1), new Conv2D(4, 3)), "conv2d", "Received: input shape (None, 2, 2, 1)");
    assertMessage(IllegalArgumentException.class,
        () -> new Sequential(Input.of(1, 1, 3), new MaxPooling2D(2)), "max_pooling2d", "(None, 1, 1, 3)");
  }

  @Test
  void model_withoutInputShape_explainsHowToDeclareIt() {
    try (Sequential m = new Sequential(new Dense(3))) {
      m.compile(new Adam(), new MeanSquaredError());
      assertMessage(IllegalStateException.class, () -> m.fit(X, new float[][] {{1, 2, 3}}, QUIET),
          "input shape is unknown", "Input.of");
    }
  }

  @Test
  void embedding_withFloatInputsOrIdsOutOfRange_isRejected() {
    try (Sequential m = new Sequential(Input.of(Input.DType.INT32, 2), new Embedding(5, 2), new Flatten(),
        new Dense(1))) {
      m.compile(new SGD(), new MeanSquaredError());
      float[][] y = {{0}};
      assertMessage(IllegalArgumentException.class, () -> m.fit(new float[][] {{0.5f, 1}}, y, QUIET),
          "int token ids", "Received: float values");
      assertMessage(IllegalArgumentException.class, () -> m.fit(new int[][] {{0, 5}}, y, QUIET),
          "[0, 5)", "Received: 5");
      assertEquals(1, m.fit(new int[][] {{0, 4}}, y, QUIET).epochs().size());
    }
  }

  @Test
  void regressionTargets_withWrongShape_namesModelOutputShape() {
    try (Sequential m = new Sequential(Input.of(2), new Dense(2))) {
      m.compile(new SGD(), new MeanSquaredError());
      assertMessage(IllegalArgumentException.class, () -> m.fit(X, new float[][] {{1}, {1}, {1}, {1}}, QUIET),
          "(None, 2)", "Received: y.shape=(4, 1)");
    }
  }

  @Test
  void unknownIdentifiers_listTheValidChoices() {
    try (Sequential m = new Sequential(Input.of(2), new Dense(2))) {
      assertMessage(IllegalArgumentException.class, () -> m.compile("adafactor", "mse"), "adafactor", "sgd, adam");
      assertMessage(IllegalArgumentException.class, () -> m.compile("adam", "categorical_hinge"), "categorical_hinge", "mse");
      assertMessage(IllegalArgumentException.class, () -> m.compile("adam", "mse", "f1"), "f1", "accuracy");
      assertTrue(!m.isCompiled(), "a rejected compile leaves the model uncompiled");
    }
  }

  @Test
  void setWeights_withWrongShape_writesNothing() {
    try (Sequential m = classifier()) {
      List<org.tensorflow.ndarray.FloatNdArray> before = m.getWeights();
      java.util.Map<String, Object> bad = new java.util.LinkedHashMap<>();
      bad.put("dense/bias", new float[] {9, 9, 9, 9});
      bad.put("dense_1/bias", new float[] {1, 2});
      assertMessage(IllegalArgumentException.class, () -> m.setWeights(bad), "dense_1/bias", "(3,)",
          "Received: a value of shape (2,)");
      assertEquals(before, m.getWeights());
    }
  }
}
