package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import dev.kerasj.testing.TensorBundle;
import dev.kerasj.testing.WeightCases;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Trains the cases of {@code testdata/weights/} ({@code python-interop/make_weight_fixtures.py}: Keras 3.15.1 fits
 * with {@code sample_weight}, {@code class_weight}, per-output weights of a two-output model, timestep weights and
 * {@code weighted_metrics}, see testdata/README.md) from Keras' initial weights, and compares every history value,
 * the final weights and the weighted {@code evaluate} with Keras', within {@link KerasParityTest}'s tolerance
 * ({@value KerasParityTest#RTOL} relative plus {@value KerasParityTest#ATOL} absolute per value).
 */
class WeightParityTest {
  private static final Path DIR = WeightCases.DIR;

  private final TensorBundle data = new TensorBundle(DIR.resolve("data"));
  private final HostArray x = data.read("x", TFloat32.class);
  private final HostArray y = data.read("y", TInt32.class);
  private final HostArray xVal = data.read("x_val", TFloat32.class);
  private final HostArray yVal = data.read("y_val", TInt32.class);

  @Test
  void sampleWeight_withWeightedValidationAndEvaluate_matchesKeras() {
    TensorBundle b = new TensorBundle(DIR.resolve("sample_weight"));
    try (Sequential model = WeightCases.sampleWeight()) {
      HostArray sw = b.read("sample_weight/output", TFloat32.class);
      HostArray swVal = b.read("val_sample_weight/output", TFloat32.class);
      KerasParityTest.Diff diff = start(b, model, "weights/sample_weight");
      History h = model.fit(x, y, options(b).sampleWeight(sw).validationData(xVal, yVal, swVal).build());
      finish(b, model, h, model.evaluate(xVal, yVal, swVal, 32), diff);
    }
  }

  @Test
  void classWeight_oneHotLabelsWithValidationSplit_matchesKeras() {
    TensorBundle b = new TensorBundle(DIR.resolve("class_weight"));
    int[] keys = b.read("class_weight/keys", TInt32.class).ints();
    float[] values = b.read("class_weight/values", TFloat32.class).floats();
    Map<Integer, Double> classWeight = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) {
      classWeight.put(keys[i], (double) values[i]);
    }
    float[][] allX = concat(x, xVal);
    int[] allLabels = java.util.stream.IntStream.concat(java.util.Arrays.stream(y.ints()),
        java.util.Arrays.stream(yVal.ints())).toArray();
    try (Sequential model = WeightCases.classWeight()) {
      KerasParityTest.Diff diff = start(b, model, "weights/class_weight");
      History h = model.fit(allX, WeightCases.oneHot(allLabels), options(b).classWeight(classWeight)
          .validationSplit(b.read("meta/validation_split", TFloat32.class).floats()[0]).build());
      finish(b, model, h, model.evaluate(xVal, WeightCases.oneHot(yVal.ints())), diff);
    }
  }

  @Test
  void twoOutput_perOutputWeightsAndWeightedMetrics_matchesKeras() {
    TensorBundle b = new TensorBundle(DIR.resolve("two_output"));
    try (Model model = WeightCases.twoOutput()) {
      Map<String, Object> sw = Map.of("digit", b.read("sample_weight/digit", TFloat32.class),
          "value", b.read("sample_weight/value", TFloat32.class));
      Map<String, Object> swVal = Map.of("digit", b.read("val_sample_weight/digit", TFloat32.class),
          "value", b.read("val_sample_weight/value", TFloat32.class));
      Map<String, Object> ys = Map.of("digit", y, "value", WeightCases.scaled(y));
      Map<String, Object> ysVal = Map.of("digit", yVal, "value", WeightCases.scaled(yVal));
      KerasParityTest.Diff diff = start(b, model, "weights/two_output");
      History h = model.fit(x, ys, options(b).sampleWeight(sw).validationData(xVal, ysVal, swVal).build());
      finish(b, model, h, model.evaluate(xVal, ysVal, swVal, 32), diff);
    }
  }

  @Test
  void sequence_timestepWeights_matchesKeras() {
    TensorBundle b = new TensorBundle(DIR.resolve("sequence"));
    HostArray seq = x.reshape(new long[] {x.samples(), 8, 8});
    HostArray seqVal = xVal.reshape(new long[] {xVal.samples(), 8, 8});
    try (Sequential model = WeightCases.sequence()) {
      HostArray sw = b.read("sample_weight/output", TFloat32.class);
      HostArray swVal = b.read("val_sample_weight/output", TFloat32.class);
      KerasParityTest.Diff diff = start(b, model, "weights/sequence");
      HostArray target = b.read("y", TFloat32.class);
      HostArray targetVal = b.read("y_val", TFloat32.class);
      History h = model.fit(seq, target, options(b).sampleWeight(sw).validationData(seqVal, targetVal, swVal).build());
      finish(b, model, h, model.evaluate(seqVal, targetVal, swVal, 32), diff);
    }
  }

  /**
   * A mask at the output (Embedding(maskZero) -> LSTM(returnSequences) -> Dense per step) with one weight per step:
   * Keras weighs the loss by sampleWeight * mask * total / valid, weighted_accuracy by sampleWeight * mask and
   * accuracy by the mask alone; labels at padded steps are random and weights there non-zero, so leaving the mask
   * out of any of the three moves the numbers.
   */
  @Test
  void maskedSequence_timestepWeightsWithWeightedValidationAndEvaluate_matchesKeras() {
    TensorBundle b = new TensorBundle(DIR.resolve("masked_sequence"));
    try (Sequential model = WeightCases.maskedSequence()) {
      fitMasked(b, model, "weights/masked_sequence", TInt32.class, TInt32.class);
    }
  }

  /**
   * A mask at the output (Masking -> GRU(returnSequences) -> Dense(1, sigmoid) per step) with one weight per
   * sequence, shape (n, 1): the loss and weighted accuracy take it times the mask, Precision the weight alone (Keras'
   * confusion metrics never read the mask).
   */
  @Test
  void maskedBinarySteps_perSequenceWeightsWithWeightedPrecision_matchesKeras() {
    TensorBundle b = new TensorBundle(DIR.resolve("masked_binary_steps"));
    try (Sequential model = WeightCases.maskedBinarySteps()) {
      fitMasked(b, model, "weights/masked_binary_steps", TFloat32.class, TFloat32.class);
    }
  }

  /**
   * Keras 3.15 turns class_weight into one weight per sample ({@code (n,)}, from the argmax of the per-step labels)
   * and then fails multiplying it into the masked per-step loss ({@code (32,)} against {@code (32, 10)}); kerasj
   * refuses before training, saying what the loss needs.
   */
  @Test
  void classWeight_onMaskedSequenceOutput_isRefusedAsKerasRefusesIt() {
    TensorBundle b = new TensorBundle(DIR.resolve("masked_sequence"));
    HostArray ids = b.read("x", TInt32.class);
    HostArray labels = b.read("y", TInt32.class);
    try (Sequential model = WeightCases.maskedSequence()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.fit(ids, labels,
          options(b).classWeight(Map.of(0, 1.0, 1, 2.0, 2, 3.0)).build()));
      assertEquals("`classWeight` needs one loss value per sample. Output 'dense' has loss values of per-sample "
          + "shape (None,) (Keras multiplies its one weight per sample into them and fails, or with a batch as long "
          + "as the steps weighs steps by other samples' classes); pass `sampleWeight` instead",
          e.getMessage().replaceAll("'dense_\\d+'", "'dense'"));
    }
  }

  /** One weight per sample, shape (n,), on the masked per-step loss: Keras fails to broadcast it, kerasj refuses. */
  @Test
  void perSampleWeights_onMaskedSequenceOutput_areRefusedNamingBothShapes() {
    TensorBundle b = new TensorBundle(DIR.resolve("masked_sequence"));
    HostArray ids = b.read("x", TInt32.class);
    HostArray labels = b.read("y", TInt32.class);
    float[] perSample = new float[ids.samples()];
    java.util.Arrays.fill(perSample, 1f);
    try (Sequential model = WeightCases.maskedSequence()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.fit(ids, labels,
          options(b).sampleWeight(perSample).build()));
      assertEquals("Output 'dense' has loss values of shape (250, None): expected `sample_weight` of shape "
          + "(250, None) or (250, 1). Received: sample_weight.shape=(250,)",
          e.getMessage().replaceAll("'dense_\\d+'", "'dense'"));
    }
  }

  /** Fits a masked case on its own data (x, y, x_val, y_val in its bundle) with its weights, then compares. */
  private static void fitMasked(TensorBundle b, Model model, String name, Class<? extends TType> xType,
      Class<? extends TType> yType) {
    HostArray mx = b.read("x", xType);
    HostArray my = b.read("y", yType);
    HostArray mxVal = b.read("x_val", xType);
    HostArray myVal = b.read("y_val", yType);
    HostArray sw = b.read("sample_weight/output", TFloat32.class);
    HostArray swVal = b.read("val_sample_weight/output", TFloat32.class);
    KerasParityTest.Diff diff = start(b, model, name);
    History h = model.fit(mx, my, options(b).sampleWeight(sw).validationData(mxVal, myVal, swVal).build());
    finish(b, model, h, model.evaluate(mxVal, myVal, swVal, 32), diff);
  }

  private static FitOptions.Builder options(TensorBundle b) {
    return FitOptions.builder().epochs(b.read("meta/epochs", TInt32.class).ints()[0])
        .batchSize(b.read("meta/batch_size", TInt32.class).ints()[0]).shuffle(false).verbose(0);
  }

  /** Checks the weight names against Keras' and loads Keras' initial weights. */
  private static KerasParityTest.Diff start(TensorBundle b, Model model, String name) {
    List<Weight> ws = model.weights();
    assertEquals(b.readStrings("meta/weight_names"), ws.stream().map(Weight::path).toList());
    model.setWeights(KerasParityTest.stripPrefix(KerasParityTest.readWeights(b, "initial", ws), "initial/"));
    return new KerasParityTest.Diff(name);
  }

  /** Compares history (same keys as Keras'), final weights and evaluate with Keras'. */
  private static void finish(TensorBundle b, Model model, History h, Map<String, Double> evaluate,
      KerasParityTest.Diff diff) {
    List<String> kerasKeys = b.readStrings("meta/history_keys");
    List<String> kerasEvaluate = b.readStrings("meta/evaluate_keys");
    assertEquals(new TreeSet<>(kerasKeys), new TreeSet<>(h.history().keySet()));
    assertEquals(new TreeSet<>(kerasEvaluate), new TreeSet<>(evaluate.keySet()));
    for (String k : kerasKeys) {
      diff.compare("history/" + k, b.read("history/" + k, TFloat32.class).floats(),
          KerasParityTest.toFloats(h.history().get(k)));
    }
    for (String k : kerasEvaluate) {
      diff.compare("evaluate/" + k, b.read("evaluate/" + k, TFloat32.class).floats(),
          new float[] {evaluate.get(k).floatValue()});
    }
    KerasParityTest.compareFinalWeights(diff, b, model);
    diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
  }

  private static float[][] concat(HostArray a, HostArray b) {
    int row = a.rowSize();
    float[][] out = new float[a.samples() + b.samples()][row];
    for (int i = 0; i < a.samples(); i++) {
      System.arraycopy(a.floats(), i * row, out[i], 0, row);
    }
    for (int i = 0; i < b.samples(); i++) {
      System.arraycopy(b.floats(), i * row, out[a.samples() + i], 0, row);
    }
    return out;
  }
}
