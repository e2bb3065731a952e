package dev.kerasj.regularizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.constraints.Constraint;
import dev.kerasj.constraints.Constraints;
import dev.kerasj.constraints.MaxNorm;
import dev.kerasj.constraints.MinMaxNorm;
import dev.kerasj.constraints.UnitNorm;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.Tensors;
import dev.kerasj.testing.RegularizerCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Every regularizer and constraint on the inputs of {@code testdata/regularizers/values} (Keras 3.15.1 in eager mode)
 * gives Keras' value within 1e-6 relative + 1e-7 absolute, and bad arguments get Keras-style errors.
 */
class KerasPenaltyValuesTest {
  static final TensorBundle VALUES = new TensorBundle(Path.of("testdata", "regularizers", "values"));
  static final double RTOL = 1e-6;
  static final double ATOL = 1e-7;

  static Stream<Arguments> valueCases() {
    return RegularizerCases.valueCases().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @Test
  void valueCases_areTheGeneratorsCases() {
    assertEquals(VALUES.readStrings("meta/cases"), java.util.List.copyOf(RegularizerCases.valueCases().keySet()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCases")
  void call_onKerasInput_givesKerasValue(String name, Supplier<Object> object) {
    HostArray x = VALUES.read(name + "/x", TFloat32.class);
    HostArray keras = VALUES.read(name + "/value", TFloat32.class);
    Object o = object.get();
    HostArray java;
    try (Graph g = new Graph(); Session s = new Session(g); Tensor in = Tensors.of(x, TFloat32.class)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> xin = tf.constantOf((TFloat32) in);
      Operand<TFloat32> out = o instanceof Regularizer r ? r.call(tf, xin) : ((Constraint) o).call(tf, xin);
      try (Result r = s.runner().fetch(out).run()) {
        java = Tensors.toHost(r.get(0));
      }
    }
    assertArrayEquals(keras.shape(), java.shape(), name + ": shape");
    float[] want = keras.floats();
    float[] got = java.floats();
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      double d = Math.abs(want[i] - got[i]);
      worst = Math.max(worst, d);
      assertTrue(d <= ATOL + RTOL * Math.abs(want[i]), name + "[" + i + "]: keras=" + want[i] + " java=" + got[i]);
    }
    System.out.printf("[penalty values] %s max|diff|=%.3e%n", name, worst);
  }

  static void assertMessage(Runnable r, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
    }
  }

  @Test
  void regularizers_negativeOrNonFiniteFactor_failLikeKeras() {
    assertMessage(() -> new L1(-0.1), "Invalid value for argument l1: expected a non-negative float", "l1=-0.1");
    assertMessage(() -> new L2(Double.NaN), "argument l2", "l2=NaN");
    assertMessage(() -> new L1L2(0.1, -1), "argument l2", "l2=-1.0");
    assertMessage(() -> new L1L2(Double.POSITIVE_INFINITY, 0), "argument l1", "l1=Infinity");
  }

  @Test
  void constraints_badArguments_failNamingTheArgumentAndValue() {
    assertMessage(() -> new MaxNorm(0), "max_value: expected a positive float", "max_value=0.0");
    assertMessage(() -> new MaxNorm(-2, 0), "max_value=-2.0");
    assertMessage(() -> new UnitNorm(new int[0]), "UnitNorm needs at least one axis", "axis=[]");
    assertMessage(() -> MinMaxNorm.builder().rate(1.5).build(), "rate: expected a float in [0, 1]", "rate=1.5");
    assertMessage(() -> MinMaxNorm.builder().rate(-0.1).build(), "rate=-0.1");
    assertMessage(() -> MinMaxNorm.builder().minValue(-1).build(), "min_value: expected a non-negative float",
        "min_value=-1.0");
    assertMessage(() -> MinMaxNorm.builder().minValue(2).maxValue(1).build(), "max_value: expected a float >= "
        + "min_value=2.0", "max_value=1.0");
  }

  @Test
  void identifiers_giveKerasDefaults_andUnknownOnesFail() {
    assertEquals(0.01f, (float) ((L1) Regularizers.get("l1")).l1());
    assertEquals(0.01, ((L2) Regularizers.get("l2")).l2());
    L1L2 both = (L1L2) Regularizers.get("l1l2");
    assertEquals(0.0, both.l1());
    assertEquals(0.0, both.l2());
    assertEquals(2.0, ((MaxNorm) Constraints.get("max_norm")).maxValue());
    assertEquals(1.0, ((MinMaxNorm) Constraints.get("min_max_norm")).maxValue());
    assertMessage(() -> Regularizers.get("l1_l2"), "Could not interpret regularizer identifier: l1_l2");
    assertMessage(() -> Constraints.get("nonneg"), "Could not interpret constraint identifier: nonneg");
  }

  @Test
  void l1_keepsItsFactorAsKerasDoes_roundedToFloat32() {
    assertEquals(0.009999999776482582, new L1(0.01).l1());
    assertEquals(0.01, new L2(0.01).l2());
  }
}
