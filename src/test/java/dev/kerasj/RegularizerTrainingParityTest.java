package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.constraints.NonNeg;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Weight;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.regularizers.L1;
import dev.kerasj.regularizers.L2;
import dev.kerasj.testing.RegularizerCases;
import dev.kerasj.testing.TensorBundle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Trains every case of {@code testdata/regularizers/train} (Keras 3.15.1 fits of small models with weight and activity
 * regularizers and weight constraints, see testdata/README.md) from Keras' initial weights and compares the per-epoch
 * {@code loss} and {@code val_loss} (both hold the penalties), {@code evaluate} after fit and the final weights (the
 * constraints' projections) with Keras', within {@link KerasParityTest}'s tolerance ({@value KerasParityTest#RTOL}
 * relative plus {@value KerasParityTest#ATOL} absolute per value).
 */
class RegularizerTrainingParityTest {
  static Stream<RegularizerCases.Case> cases() {
    return RegularizerCases.CASES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fit_fromKerasInitialWeights_matchesKerasHistoryEvaluateAndWeights(RegularizerCases.Case c) {
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    for (String n : List.of("x", "y", "x_val", "y_val")) {
      want.put(n, n.startsWith("x") ? c.xDtype() : TFloat32.class);
    }
    Map<String, HostArray> data = b.read(want);
    int epochs = b.read("meta/epochs", org.tensorflow.types.TInt32.class).ints()[0];
    int batchSize = b.read("meta/batch_size", org.tensorflow.types.TInt32.class).ints()[0];
    try (Sequential model = c.model().get()) {
      List<Weight> ws = model.weights();
      assertEquals(b.readStrings("meta/weight_names"), ws.stream().map(Weight::path).toList());
      model.setWeights(KerasParityTest.stripPrefix(KerasParityTest.readWeights(b, "initial", ws), "initial/"));
      History h = model.fit(data.get("x"), data.get("y"), FitOptions.builder().epochs(epochs).batchSize(batchSize)
          .shuffle(false).validationData(data.get("x_val"), data.get("y_val")).verbose(0).build());
      assertEquals(List.of("loss", "val_loss"), List.copyOf(h.history().keySet()));
      KerasParityTest.Diff diff = new KerasParityTest.Diff("regularizers/" + c.name());
      for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
        diff.compare("history/" + e.getKey(), b.read("history/" + e.getKey(), TFloat32.class).floats(),
            KerasParityTest.toFloats(e.getValue()));
      }
      double evaluated = model.evaluate(data.get("x_val"), data.get("y_val"), batchSize).get("loss");
      diff.compare("evaluate/loss", b.read("evaluate/loss", TFloat32.class).floats(),
          new float[] {(float) evaluated});
      KerasParityTest.compareFinalWeights(diff, b, model);
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  /**
   * {@code testdata/regularizers/multi_output/two_outputs}: a Functional model of two outputs with a kernel and an
   * activity regularizer on the shared layer, an L1 on one output and a NonNeg constraint on the other. Keras puts the
   * penalties in {@code loss} and {@code val_loss} only; {@code a_loss}, {@code b_loss} and their {@code val_} forms
   * must match Keras' too, so they hold no penalty.
   */
  @Test
  void fit_twoOutputs_penaltiesInLossOnly_matchesKeras() {
    TensorBundle b = new TensorBundle(RegularizerCases.DIR.resolve("multi_output").resolve("two_outputs"));
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    for (String n : List.of("x", "y_a", "y_b", "x_val", "y_a_val", "y_b_val")) {
      want.put(n, TFloat32.class);
    }
    Map<String, HostArray> d = b.read(want);
    KerasTensor x = Input.tensor("x", 4);
    KerasTensor h = Dense.builder(5).activation("relu").kernelRegularizer(new L2(0.05))
        .activityRegularizer(new L1(0.01)).build().apply(x);
    KerasTensor a = Dense.builder(2).kernelRegularizer(new L1(0.02)).name("a").build().apply(h);
    KerasTensor out = Dense.builder(1).kernelConstraint(new NonNeg()).name("b").build().apply(h);
    try (Model model = new Model(List.of(x), List.of(a, out))) {
      model.setSeed(1);
      model.compile(CompileOptions.builder(new SGD(0.05), Map.of("a", "mse", "b", "mse"))
          .lossWeights(Map.of("a", 1.0, "b", 0.5)).build());
      List<Weight> ws = model.weights();
      assertEquals(b.readStrings("meta/weight_names"), ws.stream().map(Weight::path).toList());
      model.setWeights(KerasParityTest.stripPrefix(KerasParityTest.readWeights(b, "initial", ws), "initial/"));
      History hist = model.fit(d.get("x"), Map.of("a", d.get("y_a"), "b", d.get("y_b")), FitOptions.builder()
          .epochs(3).batchSize(32).shuffle(false)
          .validationData(d.get("x_val"), Map.of("a", d.get("y_a_val"), "b", d.get("y_b_val"))).verbose(0).build());
      assertEquals(new java.util.TreeSet<>(b.readStrings("meta/history_keys")),
          new java.util.TreeSet<>(hist.history().keySet()));
      KerasParityTest.Diff diff = new KerasParityTest.Diff("regularizers/two_outputs");
      for (Map.Entry<String, List<Double>> e : hist.history().entrySet()) {
        diff.compare("history/" + e.getKey(), b.read("history/" + e.getKey(), TFloat32.class).floats(),
            KerasParityTest.toFloats(e.getValue()));
      }
      KerasParityTest.compareFinalWeights(diff, b, model);
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }
}
