package dev.kerasj.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nadam, Adamax, Adadelta, Ftrl, Lion and Adam's amsgrad (issue 17): Keras 3.15's defaults and identifiers, slot
 * counts, and Keras-style errors that name the argument and the value received. Their training parity with Keras is
 * {@code saving/tfcheckpoint/OptimizerFixturesTest}.
 */
class NewOptimizersTest {
  @Test
  void defaults_areKeras315s() {
    Nadam n = new Nadam();
    assertEquals(List3.of(0.001, 0.9, 0.999, 1e-7), List3.of(n.learningRate(), n.beta1(), n.beta2(), n.epsilon()));
    Adamax a = new Adamax();
    assertEquals(List3.of(0.001, 0.9, 0.999, 1e-7), List3.of(a.learningRate(), a.beta1(), a.beta2(), a.epsilon()));
    Adadelta d = new Adadelta();
    assertEquals(List3.of(0.001, 0.95, 1e-7), List3.of(d.learningRate(), d.rho(), d.epsilon()));
    Ftrl f = new Ftrl();
    assertEquals(List3.of(0.001, -0.5, 0.1, 0.0, 0.0, 0.0, 0.0), List3.of(f.learningRate(), f.learningRatePower(),
        f.initialAccumulatorValue(), f.l1RegularizationStrength(), f.l2RegularizationStrength(),
        f.l2ShrinkageRegularizationStrength(), f.beta()));
    Lion l = new Lion();
    assertEquals(List3.of(0.001, 0.9, 0.99), List3.of(l.learningRate(), l.beta1(), l.beta2()));
    assertFalse(new Adam().amsgrad());
    assertFalse(new AdamW().amsgrad());
  }

  /** Shorthand for a list of numbers. */
  private static final class List3 {
    static java.util.List<Double> of(double... values) {
      return java.util.Arrays.stream(values).boxed().toList();
    }
  }

  @Test
  void identifiers_giveEachOptimizerWithKerasDefaults() {
    assertInstanceOf(Nadam.class, Optimizers.get("nadam"));
    assertInstanceOf(Adamax.class, Optimizers.get("adamax"));
    assertInstanceOf(Adadelta.class, Optimizers.get("Adadelta"));
    assertInstanceOf(Ftrl.class, Optimizers.get("ftrl"));
    assertInstanceOf(Lion.class, Optimizers.get("lion"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.get("lamb"));
    assertTrue(e.getMessage().contains("'lamb'") && e.getMessage().contains("nadam"), e.getMessage());
  }

  @Test
  void slotsPerVariable_countsWhatBuildCreates() {
    assertEquals(2, new Nadam().slotsPerVariable());
    assertEquals(2, new Adamax().slotsPerVariable());
    assertEquals(2, new Adadelta().slotsPerVariable());
    assertEquals(2, new Ftrl().slotsPerVariable());
    assertEquals(1, new Lion().slotsPerVariable());
    assertEquals(3, Adam.builder().amsgrad(true).build().slotsPerVariable());
    assertEquals(3, AdamW.builder().amsgrad(true).build().slotsPerVariable());
  }

  @Test
  void builders_setEachNamedValue() {
    AdamW w = AdamW.builder().amsgrad(true).weightDecay(0.01).beta2(0.98).build();
    assertTrue(w.amsgrad());
    assertEquals(0.98, w.beta2());
    Ftrl f = Ftrl.builder().learningRate(0.2).learningRatePower(-0.6).initialAccumulatorValue(0.05)
        .l1RegularizationStrength(0.01).l2RegularizationStrength(0.02).l2ShrinkageRegularizationStrength(0.03)
        .beta(0.1).build();
    assertEquals(java.util.List.of(0.2, -0.6, 0.05, 0.01, 0.02, 0.03, 0.1), java.util.List.of(f.learningRate(),
        f.learningRatePower(), f.initialAccumulatorValue(), f.l1RegularizationStrength(),
        f.l2RegularizationStrength(), f.l2ShrinkageRegularizationStrength(), f.beta()));
    Adadelta d = Adadelta.builder().learningRate(1.0).rho(0.9).epsilon(1e-6).build();
    assertEquals(java.util.List.of(1.0, 0.9, 1e-6), java.util.List.of(d.learningRate(), d.rho(), d.epsilon()));
    Lion l = Lion.builder().beta1(0.85).beta2(0.98).build();
    assertEquals(java.util.List.of(0.85, 0.98), java.util.List.of(l.beta1(), l.beta2()));
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        bad(() -> Nadam.builder().learningRate(-0.1).build(), "learningRate=-0.1"),
        bad(() -> Adamax.builder().learningRate(0).build(), "learningRate=0.0"),
        bad(() -> Nadam.builder().beta1(1.0).build(), "beta1=1.0"),
        bad(() -> Nadam.builder().beta2(-0.1).build(), "beta2=-0.1"),
        bad(() -> Adamax.builder().beta1(1.5).build(), "beta1=1.5"),
        bad(() -> Adamax.builder().epsilon(0).build(), "epsilon=0.0"),
        bad(() -> Adadelta.builder().rho(1.5).build(), "rho=1.5"),
        bad(() -> Adadelta.builder().rho(-0.5).build(), "rho=-0.5"),
        bad(() -> Ftrl.builder().learningRatePower(0.5).build(), "learning_rate_power=0.5"),
        bad(() -> Ftrl.builder().initialAccumulatorValue(-1).build(), "initial_accumulator_value=-1.0"),
        bad(() -> Ftrl.builder().l1RegularizationStrength(-0.1).build(), "l1_regularization_strength=-0.1"),
        bad(() -> Ftrl.builder().l2RegularizationStrength(-0.1).build(), "l2_regularization_strength=-0.1"),
        bad(() -> Ftrl.builder().l2ShrinkageRegularizationStrength(-0.1).build(),
            "l2_shrinkage_regularization_strength=-0.1"),
        bad(() -> Lion.builder().beta1(0).build(), "beta_1=0.0"),
        bad(() -> Lion.builder().beta1(1.1).build(), "beta_1=1.1"),
        bad(() -> Lion.builder().beta2(2).build(), "beta2=2.0"),
        bad(() -> Adam.builder().amsgrad(true).beta1(1).build(), "beta1=1.0"));
  }

  private static Arguments bad(Supplier<Optimizer> build, String received) {
    return Arguments.of(build, received);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("badArguments")
  void badArgument_isRejectedNamingTheValueReceived(Supplier<Optimizer> build, String received) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
    assertTrue(e.getMessage().contains("Received: ") && e.getMessage().contains(received), e.getMessage());
  }
}
