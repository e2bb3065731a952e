package dev.kerasj.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.internal.HostArray;
import dev.kerasj.testing.LossCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Every loss of {@code testdata/losses/values} (Keras 3.15.1's {@code loss(y_true, y_pred)} in eager mode, see
 * testdata/README.md) computed by kerasj in a TF Java graph from the same inputs.
 *
 * <p>Tolerance per value: {@value #RTOL} relative plus {@value #ATOL} absolute, the project's Keras parity
 * tolerance: Java runs TF 2.18's kernels, the fixture TF 2.21's, and CPUs of other instruction sets round
 * differently. The worst difference seen is printed.
 */
class KerasLossValuesTest {
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;
  static final TensorBundle VALUES = new TensorBundle(Path.of("testdata", "losses", "values"));
  private static final Map<String, Double> MEASURED = new LinkedHashMap<>();

  static Stream<Arguments> cases() {
    return LossCases.valueCases().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  /** Runs {@code loss.call} on the given inputs in a fresh graph and returns the scalar. */
  static float compute(Loss loss, HostArray yTrue, HostArray yPred) {
    return compute(loss, yTrue, yPred, "");
  }

  /**
   * Like {@link #compute(Loss, HostArray, HostArray)}, with the predictions first passed through {@code activation}
   * ({@code sigmoid} or {@code softmax}) in the graph, as a model's output layer would.
   */
  static float compute(Loss loss, HostArray yTrue, HostArray yPred, String activation) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> pred = constant(tf, yPred);
      pred = switch (activation) {
        case "" -> pred;
        case "sigmoid" -> tf.math.sigmoid(pred);
        case "softmax" -> tf.nn.softmax(pred);
        default -> throw new IllegalArgumentException("activation " + activation);
      };
      Operand<?> labels = yTrue.isFloat() ? constant(tf, yTrue)
          : tf.constant(Shape.of(yTrue.shape()), DataBuffers.of(yTrue.ints(), true, false));
      Operand<TFloat32> out = loss.call(tf, labels, pred);
      try (Result r = s.runner().fetch(out).run()) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    }
  }

  static Operand<TFloat32> constant(Ops tf, HostArray a) {
    return tf.constant(Shape.of(a.shape()), DataBuffers.of(a.floats(), true, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void call_onKerasInputs_equalsKerasLossWithinTolerance(String name, Supplier<Loss> loss) {
    Loss javaLoss = loss.get();
    HostArray yTrue = VALUES.read(name + "/y_true",
        javaLoss.sparseLabels() ? org.tensorflow.types.TInt32.class : TFloat32.class);
    HostArray yPred = VALUES.read(name + "/y_pred", TFloat32.class);
    float keras = VALUES.read(name + "/loss", TFloat32.class).floats()[0];
    float java = compute(javaLoss, yTrue, yPred, VALUES.readStrings(name + "/activation").get(0));
    double diff = Math.abs((double) keras - java);
    MEASURED.put(name, diff);
    System.out.printf("[loss parity] %-42s keras=%.9g java=%.9g |diff|=%.3e%n", name, keras, java, diff);
    assertTrue(Float.isFinite(java), name + ": kerasj gave " + java);
    assertTrue(diff <= ATOL + RTOL * Math.abs(keras), name + ": keras=" + keras + " java=" + java + " |diff|="
        + diff + " > " + ATOL + " + " + RTOL + "*|keras|");
  }

  @Test
  void fixture_coversEveryJavaCase_andNoOther() {
    assertEquals(VALUES.readStrings("meta/cases"), java.util.List.copyOf(LossCases.valueCases().keySet()));
  }

  @Test
  void focalLosses_withGammaZeroAndNoBalancing_equalTheirCrossentropy() {
    HostArray yTrue = VALUES.read("binary_focal_default/y_true", TFloat32.class);
    HostArray yPred = VALUES.read("binary_focal_default/y_pred", TFloat32.class);
    assertEquals(compute(new BinaryCrossentropy(), yTrue, yPred),
        compute(BinaryFocalCrossentropy.builder().gamma(0).build(), yTrue, yPred), 1e-6);
    HostArray cTrue = VALUES.read("categorical_focal_default/y_true", TFloat32.class);
    HostArray cPred = VALUES.read("categorical_focal_default/y_pred", TFloat32.class);
    assertEquals(compute(new CategoricalCrossentropy(), cTrue, cPred),
        compute(CategoricalFocalCrossentropy.builder().gamma(0).alpha(1).build(), cTrue, cPred), 1e-6);
  }

  @AfterAll
  static void printWorst() {
    MEASURED.entrySet().stream().max(Map.Entry.comparingByValue()).ifPresent(e ->
        System.out.printf("[loss parity] worst |diff| %.3e (%s)%n", e.getValue(), e.getKey()));
  }
}
