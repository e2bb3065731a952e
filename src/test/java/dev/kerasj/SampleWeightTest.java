package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.EarlyStopping;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.TrainingOutcome;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.metrics.Metric;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.Interrupts;
import dev.kerasj.testing.ToyData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * Sample and class weights in {@code fit} and {@code evaluate}: how they combine with shuffling, validation split,
 * resume and the weighted-metric names, and the errors for weights Keras would take silently or reject. The Keras
 * numbers themselves are checked by {@link WeightParityTest}.
 */
class SampleWeightTest {
  static final int N = 40;
  static final long SEED = 23;

  @TempDir
  Path tmp;

  static float[][] x() {
    return ToyData.features(5, N);
  }

  static int[] labels() {
    return ToyData.classes(x());
  }

  /** Weights in [0, 2), every fifth one 0. */
  static float[] weights() {
    SplittableRandom r = new SplittableRandom(9);
    float[] w = new float[N];
    for (int i = 0; i < N; i++) {
      w[i] = i % 5 == 0 ? 0f : (float) r.nextDouble(0, 2);
    }
    return w;
  }

  static Sequential model() {
    Sequential m = new Sequential(Input.of(4), new Dense(8, "relu"), new Dense(3, "softmax"));
    m.setSeed(SEED);
    m.compile(CompileOptions.builder(new Adam(0.02), "sparse_categorical_crossentropy").metrics("accuracy")
        .weightedMetrics("accuracy").build());
    return m;
  }

  static List<float[]> weightsOf(Model m) {
    List<float[]> out = new ArrayList<>();
    for (FloatNdArray w : m.getWeights()) {
      float[] v = new float[(int) w.size()];
      w.copyTo(DataBuffers.of(v, false, false));
      out.add(v);
    }
    return out;
  }

  static void assertBitwise(List<float[]> a, List<float[]> b) {
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i), 0f, "weight " + i + " (bitwise)");
    }
  }

  static FitOptions.Builder opts() {
    return FitOptions.builder().epochs(2).batchSize(8).shuffle(false).verbose(0);
  }

  @Test
  void weightsOfOne_trainBitwiseAsNoWeights() {
    float[] ones = new float[N];
    Arrays.fill(ones, 1f);
    try (Sequential plain = model(); Sequential weighted = model()) {
      History a = plain.fit(x(), labels(), opts().build());
      History b = weighted.fit(x(), labels(), opts().sampleWeight(ones).build());
      assertBitwise(weightsOf(plain), weightsOf(weighted));
      assertEquals(a.history().get("loss"), b.history().get("loss"));
      assertEquals(a.history().get("accuracy"), b.history().get("weighted_accuracy"));
    }
  }

  @Test
  void weights_changeTheLossAndTheWeightedMetricOnly() {
    try (Sequential plain = model(); Sequential weighted = model()) {
      Map<String, Double> p = plain.evaluate(x(), labels(), null, 8);
      Map<String, Double> w = weighted.evaluate(x(), labels(), weights(), 8);
      assertEquals(List.of("loss", "accuracy", "weighted_accuracy"), List.copyOf(w.keySet()));
      assertEquals(p.get("accuracy"), w.get("accuracy"), "the unweighted metric ignores the weights");
      assertNotEquals(p.get("loss"), w.get("loss"));
      assertNotEquals(p.get("weighted_accuracy"), w.get("weighted_accuracy"));
      // Keras' weighted Mean: sum(w * correct) / sum(w), computed here on the host from predict.
      float[][] probs = org.tensorflow.ndarray.StdArrays.array2dCopyOf(weighted.predict(x()));
      double num = 0;
      double den = 0;
      for (int i = 0; i < N; i++) {
        int arg = 0;
        for (int c = 1; c < 3; c++) {
          arg = probs[i][c] > probs[i][arg] ? c : arg;
        }
        num += weights()[i] * (arg == labels()[i] ? 1 : 0);
        den += weights()[i];
      }
      assertEquals(num / den, w.get("weighted_accuracy"), 1e-6);
    }
  }

  @Test
  void classWeight_isTheSampleWeightOfEachLabelsClass() {
    Map<Integer, Double> classWeight = Map.of(0, 0.5, 1, 2.0, 2, 1.25);
    float[] byHand = new float[N];
    int[] y = labels();
    for (int i = 0; i < N; i++) {
      byHand[i] = classWeight.get(y[i]).floatValue();
    }
    float[][] oneHot = new float[N][3];
    for (int i = 0; i < N; i++) {
      oneHot[i][y[i]] = 1f;
    }
    try (Sequential a = model(); Sequential b = model(); Sequential c = new Sequential(Input.of(4),
        new Dense(8, "relu"), new Dense(3, "softmax"))) {
      History ha = a.fit(x(), y, opts().classWeight(classWeight).build());
      History hb = b.fit(x(), y, opts().sampleWeight(byHand).build());
      assertBitwise(weightsOf(a), weightsOf(b));
      assertEquals(ha.history(), hb.history());
      c.setSeed(SEED);
      c.compile("adam", "categorical_crossentropy");
      c.fit(x(), oneHot, opts().classWeight(classWeight).build()); // one-hot labels: the class is the argmax
    }
  }

  @Test
  void shuffle_movesEachWeightWithItsSample() {
    // One batch of every sample: the shuffled order changes only the summation order, so the run matches the
    // unshuffled one within float rounding; weights left in place would pair with other samples and differ a lot.
    try (Sequential ordered = model(); Sequential shuffled = model()) {
      ordered.fit(x(), labels(), opts().batchSize(N).sampleWeight(weights()).build());
      shuffled.fit(x(), labels(), opts().batchSize(N).shuffle(true).seed(3).sampleWeight(weights()).build());
      List<float[]> a = weightsOf(ordered);
      List<float[]> b = weightsOf(shuffled);
      for (int i = 0; i < a.size(); i++) {
        assertArrayEquals(a.get(i), b.get(i), 1e-5f, "weight " + i);
      }
    }
  }

  @Test
  void validationSplit_holdsOutTheSameLastWeights() {
    int split = 30; // floor(40 * 0.75)
    float[][] x = x();
    int[] y = labels();
    float[] w = weights();
    try (Sequential a = model(); Sequential b = model()) {
      History ha = a.fit(x, y, opts().validationSplit(0.25).sampleWeight(w).build());
      History hb = b.fit(Arrays.copyOfRange(x, 0, split), Arrays.copyOfRange(y, 0, split), opts()
          .sampleWeight(Arrays.copyOfRange(w, 0, split))
          .validationData(Arrays.copyOfRange(x, split, N), Arrays.copyOfRange(y, split, N),
              Arrays.copyOfRange(w, split, N)).build());
      assertEquals(hb.history(), ha.history());
      assertTrue(ha.history().containsKey("val_weighted_accuracy"));
    }
  }

  @Test
  void resume_withWeightsAndShuffle_endsBitwiseEqualToUninterruptedRun() throws Exception {
    List<float[]> reference;
    Map<String, List<Double>> referenceHistory;
    try (Sequential m = model()) {
      referenceHistory = m.fit(x(), labels(), resumable(tmp.resolve("reference"), -1)).history();
      reference = weightsOf(m);
    }
    Path run = tmp.resolve("run");
    try (Sequential m = model()) {
      assertEquals(TrainingOutcome.INTERRUPTED, m.fit(x(), labels(), resumable(run, 6)).outcome());
    }
    try (Sequential m = model()) {
      History h = m.fit(x(), labels(), resumable(run, -1));
      assertEquals(TrainingOutcome.COMPLETED, h.outcome());
      assertBitwise(reference, weightsOf(m));
      assertEquals(referenceHistory, h.history());
    }
  }

  private FitOptions resumable(Path dir, int interruptAt) {
    BackupAndRestore backup = BackupAndRestore.builder(dir.resolve("backup")).build();
    Callback interrupter = Interrupts.afterBatch(backup, interruptAt);
    return FitOptions.builder().epochs(3).batchSize(8).shuffle(true).seed(11).verbose(0).sampleWeight(weights())
        .validationData(x(), labels(), weights()).callbacks(interrupter, backup).build();
  }

  @Test
  void sequenceOutput_takesTimestepWeightsOrOnePerSampleAsKerasDoes() {
    float[][][] x = new float[N][5][2];
    float[][][] y = new float[N][5][1];
    float[][] perStep = new float[N][5];
    float[][] perSample = new float[N][1];
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < N; i++) {
      perSample[i][0] = weights()[i];
      for (int t = 0; t < 5; t++) {
        x[i][t][0] = (float) r.nextDouble();
        x[i][t][1] = (float) r.nextDouble();
        y[i][t][0] = x[i][t][0] - x[i][t][1];
        perStep[i][t] = weights()[i];
      }
    }
    try (Sequential a = seqModel(); Sequential b = seqModel(); Sequential c = seqModel()) {
      History ha = a.fit(x, y, opts().sampleWeight(perStep).build());
      History hb = b.fit(x, y, opts().sampleWeight(perSample).build()); // (n, 1) broadcasts over the steps
      assertBitwise(weightsOf(a), weightsOf(b));
      assertEquals(ha.history(), hb.history());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> c.fit(x, y, opts().sampleWeight(weights()).build()));
      assertEquals("Output 'dense_1' has loss values of shape (40, 5): expected `sample_weight` of shape (40, 5) or "
          + "(40, 1). Received: sample_weight.shape=(40,)", e.getMessage().replaceAll("'dense_\\d+'", "'dense_1'"));
    }
  }

  @Test
  void lossReducingAnotherAxis_takesWeightsShapedLikeItsValues() {
    // CosineSimilarity(axis=1) on [n, 5, 2] outputs gives values [n, 2], not the labels' leading axes [n, 5].
    float[][][] x = new float[N][5][2];
    SplittableRandom r = new SplittableRandom(6);
    for (float[][] sample : x) {
      for (float[] step : sample) {
        step[0] = (float) r.nextDouble(-1, 1);
        step[1] = (float) r.nextDouble(-1, 1);
      }
    }
    float[][] perValue = new float[N][2];
    for (int i = 0; i < N; i++) {
      perValue[i][0] = weights()[i];
      perValue[i][1] = 1f;
    }
    try (Sequential plain = cosine(); Sequential weighted = cosine()) {
      History a = plain.fit(x, x, opts().build());
      History b = weighted.fit(x, x, opts().sampleWeight(perValue).build());
      assertTrue(Double.isFinite(a.history().get("loss").get(1)), a.history().toString());
      assertNotEquals(a.history().get("loss"), b.history().get("loss"));
    }
  }

  @Test
  void classWeight_onBinaryLabels_roundsEachLabelToItsClass() {
    float[][] y = new float[N][1];
    float[] byHand = new float[N];
    int[] labels = labels();
    for (int i = 0; i < N; i++) {
      y[i][0] = labels[i] == 2 ? 1f : 0f;
      byHand[i] = labels[i] == 2 ? 3f : 0.5f;
    }
    try (Sequential a = binary(); Sequential b = binary()) {
      History ha = a.fit(x(), y, opts().classWeight(Map.of(0, 0.5, 1, 3.0)).build());
      History hb = b.fit(x(), y, opts().sampleWeight(byHand).build());
      assertBitwise(weightsOf(a), weightsOf(b));
      assertEquals(ha.history(), hb.history());
    }
  }

  static Sequential binary() {
    Sequential m = new Sequential(Input.of(4), new Dense(1, "sigmoid"));
    m.setSeed(SEED);
    m.compile("sgd", "binary_crossentropy");
    return m;
  }

  @Test
  void lossWithoutPerSampleValues_refusesWeightsSayingWhy() {
    dev.kerasj.losses.Loss meanOnly = new dev.kerasj.losses.Loss() { // implements only the reduced call
      @Override
      public String name() {
        return "mean_only";
      }

      @Override
      public org.tensorflow.Operand<org.tensorflow.types.TFloat32> call(org.tensorflow.op.Ops tf,
          org.tensorflow.Operand<?> yTrue, org.tensorflow.Operand<org.tensorflow.types.TFloat32> yPred) {
        return tf.math.mean(tf.math.square(yPred), tf.constant(new int[] {0, 1}));
      }
    };
    try (Sequential m = new Sequential(Input.of(4), new Dense(2))) {
      m.compile(new Adam(0.02), meanOnly);
      float[][] y = new float[N][2];
      m.fit(x(), y, opts().build()); // trains unweighted as before
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.fit(x(), y, opts().sampleWeight(weights()).build()));
      assertTrue(e.getMessage().startsWith("The loss of output '") && e.getMessage().endsWith(
          "' gives no per-sample values, so it cannot take `sample_weight`"), e.getMessage());
    }
  }

  static Sequential cosine() {
    Sequential m = new Sequential(Input.of(5, 2), new Dense(2));
    m.setSeed(SEED);
    m.compile(new Adam(0.02), new dev.kerasj.losses.CosineSimilarity(1));
    return m;
  }

  static Sequential seqModel() {
    Sequential m = new Sequential(Input.of(5, 2), new Dense(4, "tanh"), new Dense(1));
    m.setSeed(SEED);
    m.compile(CompileOptions.builder(new Adam(0.02), "mse").weightedMetrics("mae").build());
    return m;
  }

  @Test
  void twoOutputs_oneArrayIsUsedForEveryOutput_aListPerOutput() {
    try (Model a = twoOutputs(); Model b = twoOutputs()) {
      Map<String, Object> ys = Map.of("cls", labels(), "reg", regression());
      History ha = a.fit(x(), ys, opts().sampleWeight(weights()).build());
      History hb = b.fit(x(), ys, opts().sampleWeight(List.of(weights(), weights())).build());
      assertBitwise(weightsOf(a), weightsOf(b));
      assertEquals(ha.history(), hb.history());
      assertEquals(List.of("loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"),
          List.copyOf(ha.history().keySet()));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> b.fit(x(), ys, opts().classWeight(Map.of(0, 1.0, 1, 1.0, 2, 1.0)).build()));
      assertTrue(e.getMessage().startsWith("`classWeight` is only supported for Models with a single output. "
          + "Received: a model with outputs [cls, reg]"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> b.fit(x(), ys, opts().sampleWeight(Map.of("cls", weights())).build()));
      assertEquals("You should provide one `sample_weight` array per output [cls, reg]. Received: keys [cls]",
          e.getMessage());
    }
  }

  static float[][] regression() {
    float[][] out = new float[N][1];
    float[][] x = x();
    for (int i = 0; i < N; i++) {
      out[i][0] = x[i][0] * x[i][3];
    }
    return out;
  }

  static Model twoOutputs() {
    KerasTensor in = Input.tensor("x", 4);
    KerasTensor h = new Dense(8, "relu").apply(in);
    KerasTensor cls = Dense.builder(3).activation("softmax").name("cls").build().apply(h);
    KerasTensor reg = Dense.builder(1).name("reg").build().apply(h);
    Model m = new Model(List.of(in), List.of(cls, reg));
    m.setSeed(SEED);
    m.compile(CompileOptions.builder(new Adam(0.02), Map.of("cls", "sparse_categorical_crossentropy", "reg", "mse"))
        .weightedMetrics(Map.of("cls", List.of("accuracy"), "reg", List.of("mae"))).build());
    return m;
  }

  @Test
  void weightedMetricName_isMonitoredWithItsDirection() {
    try (Sequential m = model()) {
      EarlyStopping stop = EarlyStopping.builder().monitor("val_weighted_accuracy").patience(0).build();
      m.fit(x(), labels(), opts().validationData(x(), labels(), weights()).callbacks(stop).build());
      assertEquals(Metric.Direction.MAX, m.logDirection("val_weighted_accuracy"));
      assertEquals(Metric.Direction.MAX, m.logDirection("weighted_accuracy"));
    }
  }

  @Test
  void badWeights_failNamingWhatWasReceivedAndExpected() {
    try (Sequential m = model()) {
      assertEquals("Expected `sample_weight` to hold one weight per sample, 40 samples. Received: "
          + "sample_weight.shape=(39,)", fails(m, opts().sampleWeight(Arrays.copyOf(weights(), N - 1))));
      float[] negative = weights();
      negative[7] = -1f;
      assertEquals("Expected finite, non-negative values in `sample_weight`. Received: -1.0 in sample 7",
          fails(m, opts().sampleWeight(negative)));
      float[] nan = weights();
      nan[3] = Float.NaN;
      assertEquals("Expected finite, non-negative values in `sample_weight`. Received: NaN in sample 3",
          fails(m, opts().sampleWeight(nan)));
      assertEquals("Output 'dense_1' has loss values of shape (40,): expected `sample_weight` of shape (40,) or "
          + "(40, 1). Received: sample_weight.shape=(40, 2)", fails(m, opts().sampleWeight(new float[N][2]))
          .replaceAll("'dense_\\d+'", "'dense_1'"));
      assertEquals("`classWeight` must contain all classes in the data. The classes [2] exist in the data but not "
          + "in `classWeight` {0=1.0, 1=3.0} (Keras 3 would weight them 1.0: add them with 1.0 to mean that)",
          fails(m, opts().classWeight(new java.util.TreeMap<>(Map.of(0, 1.0, 1, 3.0)))));
      assertEquals("Expected `validation_data sample_weight` to hold one weight per sample, 40 samples. Received: "
          + "validation_data sample_weight.shape=(2,)",
          fails(m, opts().validationData(x(), labels(), new float[] {1, 1})));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.evaluate(x(), labels(), new float[] {1}, 8));
      assertTrue(e.getMessage().contains("sample_weight.shape=(1,)"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> opts().sampleWeight(weights())
        .classWeight(Map.of(0, 1.0)).build());
    assertEquals("Expected classWeight values to be finite and >= 0. Received: class 1 -> -2.0",
        assertThrows(IllegalArgumentException.class, () -> opts().classWeight(Map.of(1, -2.0)).build())
            .getMessage());
  }

  private static String fails(Model m, FitOptions.Builder o) {
    return assertThrows(IllegalArgumentException.class, () -> m.fit(x(), labels(), o.build())).getMessage();
  }

  @Test
  void weightedMetric_withStateButNoWeightedUpdate_isRefusedAtCompile() {
    Metric batchCount = new Metric() { // a custom stateful metric that only overrides the unweighted update
      @Override
      public String name() {
        return "batches";
      }

      @Override
      public Direction direction() {
        return Direction.MAX;
      }

      @Override
      public List<org.tensorflow.Operand<org.tensorflow.types.TFloat32>> update(org.tensorflow.op.Ops tf,
          org.tensorflow.Operand<?> yTrue, org.tensorflow.Operand<org.tensorflow.types.TFloat32> yPred) {
        return List.of(tf.constant(1f), tf.constant(1f));
      }
    };
    try (Sequential m = new Sequential(Input.of(4), new Dense(3, "softmax"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.compile(CompileOptions
          .builder(new Adam(0.02), "categorical_crossentropy").weightedMetrics(batchCount).build()));
      assertTrue(e.getMessage().startsWith("Metric 'batches'") && e.getMessage().contains(
          "does not take sample weights in kerasj. Pass it in `metrics`, not `weightedMetrics`"), e.getMessage());
      m.compile(CompileOptions.builder(new Adam(0.02), "categorical_crossentropy").metrics(batchCount).build());
    }
  }
}
