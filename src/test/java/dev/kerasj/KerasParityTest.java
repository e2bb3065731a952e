package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
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
import dev.kerasj.layers.Weight;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.losses.Huber;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.MeanAbsoluteError;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adagrad;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.AdamW;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.RMSprop;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.testing.LayerParityFixture;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Trains every fixture of {@code testdata/fixtures} (made by real Keras 3.15.1, see testdata/README.md) from Keras'
 * initial weights with the same data, batches and optimizer, and compares the per-epoch history, final weights,
 * predictions and evaluation with Keras'.
 *
 * <p>Tolerance: {@value #RTOL} relative plus {@value #ATOL} absolute, per value. Java and Python run different
 * TensorFlow builds (2.18 vs 2.21 runtimes) whose CPU kernels may round differently; the measured worst
 * differences are printed for every case.
 */
class KerasParityTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;
  static final Path FIXTURES = Path.of("testdata", "fixtures");

  /** One Keras fixture: how to build the same model in Java and which label dtype it uses. */
  record Case(String name, Supplier<Layer[]> layers, Supplier<Optimizer> optimizer, Supplier<Loss> loss,
      List<String> metrics, boolean intInputs, boolean sparseLabels, boolean trainsExactly) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Layer[] mlp(Layer out) {
    return new Layer[] {Input.of(64), new Dense(32, "relu"), out};
  }

  static Layer[] regressor() {
    return new Layer[] {Input.of(64), new Dense(16, "tanh"), new Dense(1)};
  }

  static Stream<Arguments> cases() {
    List<String> acc = List.of("accuracy");
    List<Case> cases = List.of(
        new Case("mlp_adam_sparse", () -> mlp(new Dense(10, "softmax")), () -> new Adam(1e-3),
            SparseCategoricalCrossentropy::new, acc, false, true, true),
        new Case("mlp_sgd_categorical", () -> mlp(new Dense(10, "softmax")), () -> new SGD(0.1),
            CategoricalCrossentropy::new, acc, false, false, true),
        new Case("mlp_sgd_momentum_logits", () -> mlp(new Dense(10)), () -> new SGD(0.05, 0.9, false),
            () -> new SparseCategoricalCrossentropy(true), acc, false, true, true),
        new Case("mlp_sgd_nesterov_logits", () -> mlp(new Dense(10)), () -> new SGD(0.05, 0.9, true),
            () -> new CategoricalCrossentropy(true), acc, false, false, true),
        new Case("mlp_adamw", () -> mlp(new Dense(10, "softmax")), () -> new AdamW(1e-3, 0.004),
            SparseCategoricalCrossentropy::new, acc, false, true, true),
        new Case("mlp_rmsprop", () -> mlp(new Dense(10, "softmax")), () -> new RMSprop(1e-3),
            SparseCategoricalCrossentropy::new, acc, false, true, true),
        new Case("mlp_rmsprop_momentum_centered", () -> mlp(new Dense(10, "softmax")),
            () -> new RMSprop(1e-3, RMSprop.DEFAULT_RHO, 0.5, RMSprop.DEFAULT_EPSILON, true),
            SparseCategoricalCrossentropy::new, acc, false, true, true),
        new Case("mlp_adagrad", () -> mlp(new Dense(10, "softmax")), () -> new Adagrad(0.05),
            SparseCategoricalCrossentropy::new, acc, false, true, true),
        new Case("mlp_activations", () -> new Layer[] {Input.of(64), new Dense(16, "elu"), new Dense(16, "selu"),
            new Dense(16, "softplus"), new Dense(16, "swish"), new Dense(16, "gelu"), new Dense(16, "tanh"),
            new Dense(16, "sigmoid"), new Dense(10), new Activation("softmax")}, () -> new Adam(1e-3),
            SparseCategoricalCrossentropy::new, List.of("sparse_categorical_accuracy"), false, true, true),
        new Case("regress_mse", KerasParityTest::regressor, () -> new Adam(1e-2), MeanSquaredError::new,
            List.of("mae"), false, false, true),
        new Case("regress_mae", KerasParityTest::regressor, () -> new SGD(0.05), MeanAbsoluteError::new,
            List.of("mse"), false, false, true),
        new Case("regress_huber", KerasParityTest::regressor, () -> new Adam(1e-2), () -> new Huber(1.0),
            List.of("mae"), false, false, true),
        new Case("binary_bce", () -> new Layer[] {Input.of(64), new Dense(16, "relu"), new Dense(1, "sigmoid")},
            () -> new Adam(1e-3), BinaryCrossentropy::new, acc, false, false, true),
        new Case("binary_bce_logits", () -> new Layer[] {Input.of(64), new Dense(16, "relu"), new Dense(1)},
            () -> new Adam(1e-3), () -> new BinaryCrossentropy(true), List.of("binary_accuracy"), false, false,
            true),
        new Case("cnn_bn", () -> new Layer[] {Input.of(8, 8, 1),
            Conv2D.builder(8, 3, 3).padding("same").activation("relu").build(), new BatchNormalization(),
            new MaxPooling2D(2), Conv2D.builder(16, 3, 3).padding("same").activation("relu").build(),
            new AveragePooling2D(2), new GlobalAveragePooling2D(), new Dense(10, "softmax")},
            () -> new Adam(1e-3), SparseCategoricalCrossentropy::new, acc, false, true, true),
        new Case("cnn_bn_dropout", () -> new Layer[] {Input.of(64), new Reshape(8, 8, 1), new Conv2D(4, 3, "relu"),
            new BatchNormalization(), new Flatten(), new Dropout(0.3), new Dense(10, "softmax")},
            () -> new Adam(1e-3), SparseCategoricalCrossentropy::new, acc, false, true, false),
        new Case("embedding", () -> new Layer[] {Input.of(Input.DType.INT32, 10), new Embedding(50, 8),
            new Flatten(), new Dense(1, "sigmoid")}, () -> new Adam(1e-2), BinaryCrossentropy::new, acc, true,
            false, true));
    return cases.stream().map(Arguments::of);
  }

  /** Everything a case needs from its fixture: x as int token ids or floats, y as class ids or floats. */
  static LayerParityFixture fixture(Case c) {
    return LayerParityFixture.load(FIXTURES, c.name(), c.intInputs() ? TInt32.class : TFloat32.class,
        c.sparseLabels() ? TInt32.class : TFloat32.class);
  }

  static Sequential build(Case c) {
    Sequential model = new Sequential(c.layers().get());
    model.setSeed(1);
    model.compile(c.optimizer().get(), c.loss().get(), c.metrics().toArray());
    return model;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fit_fromKerasInitialWeights_matchesKerasHistoryWeightsAndPredictions(Case c) {
    LayerParityFixture f = fixture(c);
    try (Sequential model = build(c)) {
      assertEquals(f.bundle().readStrings("meta/weight_names"), model.weights().stream().map(Weight::path).toList(),
          "Java weight names and order must equal Keras'");
      model.setWeights(f.weights("initial", model.weights()));
      History h = model.fit(f.x(), f.y(), FitOptions.builder().epochs(f.epochs()).batchSize(f.batchSize())
          .shuffle(false).validationData(f.xVal(), f.yVal()).verbose(0).build());
      if (!c.trainsExactly()) {
        assertDropoutCaseTrains(c, f, model, h);
        return;
      }
      Diff diff = new Diff(c.name());
      for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
        HostArray keras = f.bundle().read("history/" + e.getKey(), TFloat32.class);
        diff.compare("history/" + e.getKey(), keras.floats(), toFloats(e.getValue()));
      }
      Map<String, Object> finals = f.weights("final", model.weights());
      List<FloatNdArray> javaWeights = model.getWeights();
      for (int i = 0; i < javaWeights.size(); i++) {
        Weight w = model.weights().get(i);
        diff.compare("final/" + w.path(), ((HostArray) finals.get(w.path())).floats(),
            toFloats(javaWeights.get(i)));
      }
      diff.compare("predict", f.bundle().read("predict", TFloat32.class).floats(),
          toFloats(model.predict(f.xVal(), f.batchSize())));
      LayerParity.compareEvaluate(diff, f, model);
      diff.assertWithin(RTOL, ATOL);
    }
  }

  /** Dropout masks differ from Keras': check inference from Keras' final weights, and that training runs. */
  private static void assertDropoutCaseTrains(Case c, LayerParityFixture f, Sequential model, History h) {
    List<Double> loss = h.get("loss");
    assertEquals(f.epochs(), loss.size());
    assertTrue(loss.stream().allMatch(Double::isFinite), "losses must be finite: " + loss);
    model.setWeights(f.weights("final", model.weights()));
    Diff diff = new Diff(c.name());
    diff.compare("predict", f.bundle().read("predict", TFloat32.class).floats(),
        toFloats(model.predict(f.xVal(), f.batchSize())));
    LayerParity.compareEvaluate(diff, f, model);
    diff.assertWithin(RTOL, ATOL);
  }

  /** The bundle's {@code <stage>/<path>} float tensor of each weight of {@code ws}, keyed by that name, in order. */
  static Map<String, HostArray> readWeights(TensorBundle b, String stage, List<Weight> ws) {
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    ws.forEach(w -> want.put(stage + "/" + w.path(), TFloat32.class));
    return b.read(want);
  }

  /** Adds to {@code diff} each of the model's weights now against the bundle's {@code final/<path>} (after fit). */
  static void compareFinalWeights(Diff diff, TensorBundle b, Model model) {
    List<Weight> ws = model.weights();
    Map<String, HostArray> finals = readWeights(b, "final", ws);
    List<FloatNdArray> javaWeights = model.getWeights();
    for (int i = 0; i < ws.size(); i++) {
      String key = "final/" + ws.get(i).path();
      diff.compare(key, finals.get(key).floats(), toFloats(javaWeights.get(i)));
    }
  }

  static Map<String, Object> stripPrefix(Map<String, HostArray> tensors, String prefix) {
    Map<String, Object> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
    return out;
  }

  static float[] toFloats(List<Double> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).floatValue();
    }
    return out;
  }

  static float[] toFloats(FloatNdArray nd) {
    float[] out = new float[Math.toIntExact(nd.size())];
    nd.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /**
   * Collects every compared tensor and reports them all at once; {@link #assertWithin} checks each element against
   * the tolerances it is given ({@code assertWithin(0, 0)}: bit for bit).
   */
  static final class Diff {
    private final String caseName;
    private final List<String> lines = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<float[]> expectedValues = new ArrayList<>();
    private final List<float[]> actualValues = new ArrayList<>();

    Diff(String caseName) {
      this.caseName = caseName;
    }

    void compare(String what, float[] expected, float[] actual) {
      assertEquals(expected.length, actual.length, caseName + " " + what + ": length");
      double maxAbs = 0;
      for (int i = 0; i < expected.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs((double) expected[i] - actual[i]));
      }
      names.add(what);
      expectedValues.add(expected.clone());
      actualValues.add(actual.clone());
      lines.add(String.format("  %-40s max|diff|=%.3e", what, maxAbs));
    }

    /** Fails unless every element satisfies {@code |keras - java| <= atol + rtol * |keras|}; a NaN on either side fails. */
    void assertWithin(double rtol, double atol) {
      System.out.println("[parity] " + caseName + "\n" + String.join("\n", lines));
      List<String> failures = new ArrayList<>();
      for (int t = 0; t < names.size(); t++) {
        float[] expected = expectedValues.get(t);
        float[] actual = actualValues.get(t);
        for (int i = 0; i < expected.length; i++) {
          double d = Math.abs((double) expected[i] - actual[i]);
          if (Double.isNaN(d) || d > atol + rtol * Math.abs(expected[i])) {
            failures.add(names.get(t) + "[" + i + "]: keras=" + expected[i] + " java=" + actual[i]);
          }
        }
      }
      assertTrue(failures.isEmpty(), caseName + ": " + failures.size() + " values outside rtol=" + rtol + ", atol="
          + atol + "; first: " + failures.subList(0, Math.min(5, failures.size())));
    }
  }
}
