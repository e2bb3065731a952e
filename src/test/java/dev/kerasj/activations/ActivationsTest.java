package dev.kerasj.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Activation;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.StdArrays;

/**
 * Every built-in activation, run in a model {@code Input.of(k), Activation(name)} by {@code predict}, against a
 * double-precision Java reference of Keras 3's formula.
 */
class ActivationsTest {
  static final float[] X = {-3f, -1.5f, -0.5f, -1e-3f, 0f, 1e-3f, 0.5f, 1.5f, 3f};
  static final double TOLERANCE = 1e-6;
  /** Keras' selu constants. */
  static final double SELU_ALPHA = 1.6732632423543772848170429916717;
  static final double SELU_SCALE = 1.0507009873554804934193349852946;

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** erf by its Maclaurin series; for |x| <= 2.2 it converges to double precision within 60 terms. */
  static double erf(double x) {
    double term = x;
    double sum = x;
    for (int n = 1; n < 60; n++) {
      term *= -x * x / n;
      sum += term / (2 * n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }

  static Stream<Arguments> elementwise() {
    return Stream.of(
        Arguments.of("linear", (DoubleUnaryOperator) x -> x),
        Arguments.of("relu", (DoubleUnaryOperator) x -> Math.max(0, x)),
        Arguments.of("sigmoid", (DoubleUnaryOperator) ActivationsTest::sigmoid),
        Arguments.of("tanh", (DoubleUnaryOperator) Math::tanh),
        Arguments.of("elu", (DoubleUnaryOperator) x -> x > 0 ? x : Math.expm1(x)),
        Arguments.of("selu", (DoubleUnaryOperator) x -> SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x))),
        Arguments.of("softplus", (DoubleUnaryOperator) x -> Math.log1p(Math.exp(x))),
        Arguments.of("swish", (DoubleUnaryOperator) x -> x * sigmoid(x)),
        Arguments.of("silu", (DoubleUnaryOperator) x -> x * sigmoid(x)),
        // Keras 3's gelu default is the exact form (approximate=False).
        Arguments.of("gelu", (DoubleUnaryOperator) x -> 0.5 * x * (1 + erf(x / Math.sqrt(2)))));
  }

  static float[] predict(String activation) {
    try (Sequential model = new Sequential(Input.of(X.length), new Activation(activation))) {
      return StdArrays.array2dCopyOf(model.predict(new float[][] {X}))[0];
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("elementwise")
  void activation_matchesReferenceFormula(String name, DoubleUnaryOperator reference) {
    float[] out = predict(name);

    for (int i = 0; i < X.length; i++) {
      assertEquals(reference.applyAsDouble(X[i]), out[i], TOLERANCE, name + "(" + X[i] + ")");
    }
  }

  @Test
  void softmax_normalizesExponentialsOverTheLastAxis() {
    double total = 0;
    for (float x : X) {
      total += Math.exp(x);
    }

    float[] out = predict("softmax");

    for (int i = 0; i < X.length; i++) {
      assertEquals(Math.exp(X[i]) / total, out[i], TOLERANCE, "softmax component " + i);
    }
  }

  @Test
  void dense_withActivation_appliesItAfterTheBias() {
    // kernel 1, bias -1: relu(x - 1).
    try (Sequential model = new Sequential(Input.of(1), new Dense(1, "relu"))) {
      model.setWeights(java.util.List.of(new float[][] {{1f}}, new float[] {-1f}));

      float[][] out = StdArrays.array2dCopyOf(model.predict(new float[][] {{0.5f}, {3f}}));

      assertEquals(0.0, out[0][0], TOLERANCE);
      assertEquals(2.0, out[1][0], TOLERANCE);
    }
  }

  @Test
  void get_silu_isSwish() {
    assertSame(Activations.SWISH, Activations.get("silu"));
  }

  @Test
  void get_null_isLinear() {
    assertSame(Activations.LINEAR, Activations.get(null));
  }

  @Test
  void get_eachKerasName_roundTrips() {
    for (Activations a : Activations.values()) {
      assertSame(a, Activations.get(a.kerasName()), a.kerasName());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "RELU", "relu6", ""})
  void get_unknownName_throwsListingChoices(String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activations.get(name));

    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
    for (Activations a : Activations.values()) {
      assertTrue(e.getMessage().contains(a.kerasName()), "choice " + a.kerasName() + " missing: " + e.getMessage());
    }
  }

  @Test
  void activationLayer_unknownName_throws() {
    assertThrows(IllegalArgumentException.class, () -> new Activation("bogus"));
  }

  @Test
  void dense_unknownActivation_throws() {
    assertThrows(IllegalArgumentException.class, () -> new Dense(3, "bogus"));
  }
}
