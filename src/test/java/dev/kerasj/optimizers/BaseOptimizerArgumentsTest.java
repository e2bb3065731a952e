package dev.kerasj.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.Input;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Keras' base-optimizer arguments ({@code clipnorm}, {@code clipvalue}, {@code global_clipnorm}, {@code use_ema},
 * {@code ema_momentum}, {@code ema_overwrite_frequency}, {@code gradient_accumulation_steps}) on every optimizer's
 * builder: set values are kept, bad ones are refused with Keras-style messages. Numerical parity with Keras is in
 * {@code saving/tfcheckpoint/OptimizerFixturesTest} (its {@code testdata/clipping} cases).
 */
class BaseOptimizerArgumentsTest {
  /** A builder of each of the ten optimizers. */
  private static final List<Supplier<Optimizer.BaseBuilder<?>>> BUILDERS = List.of(SGD::builder, Adam::builder,
      AdamW::builder, RMSprop::builder, Adagrad::builder, Nadam::builder, Adamax::builder, Adadelta::builder,
      Ftrl::builder, Lion::builder);

  @Test
  void everyBuilder_keepsEachClippingOption_andDefaultsToNone() {
    for (Supplier<Optimizer.BaseBuilder<?>> b : BUILDERS) {
      Optimizer plain = b.get().build();
      assertNull(plain.clipnorm(), plain.className());
      assertNull(plain.clipvalue(), plain.className());
      assertNull(plain.globalClipnorm(), plain.className());
      assertEquals(1.5, b.get().clipnorm(1.5).build().clipnorm(), plain.className());
      assertEquals(0.25, b.get().clipvalue(0.25).build().clipvalue(), plain.className());
      assertEquals(2.0, b.get().globalClipnorm(2.0).build().globalClipnorm(), plain.className());
    }
  }

  @Test
  void adamWBuilder_keepsItsTypeAfterClippingSetters() {
    AdamW w = AdamW.builder().clipnorm(1.0).weightDecay(0.01).build();
    assertEquals(1.0, w.clipnorm());
    assertEquals(0.01, w.weightDecay());
  }

  @Test
  void twoClippingOptions_areRefusedWithKerasMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Adam.builder().clipnorm(1.0).clipvalue(0.5).build());
    assertEquals("Adam: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
        + "clipnorm=1.0, clipvalue=0.5, global_clipnorm=None", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SGD.builder().clipvalue(1).globalClipnorm(1).build());
  }

  @Test
  void nonPositiveOrNonFiniteThreshold_isRefusedNamingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SGD.builder().clipnorm(0).build());
    assertTrue(e.getMessage().contains("`clipnorm` must be a positive finite number"), e.getMessage());
    assertTrue(e.getMessage().endsWith("Received: clipnorm=0.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Lion.builder().clipvalue(-1).build());
    assertTrue(e.getMessage().endsWith("Received: clipvalue=-1.0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Ftrl.builder().globalClipnorm(Double.POSITIVE_INFINITY).build());
    assertTrue(e.getMessage().endsWith("Received: global_clipnorm=Infinity"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Adam.builder().clipnorm(Double.NaN).build());
  }

  @Test
  void setGradientClipping_afterCompile_isRefused() {
    Adam adam = new Adam();
    try (Sequential m = new Sequential(Input.of(2), new Dense(1))) {
      m.compile(adam, "mse");
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> adam.setGradientClipping(1.0, null, null));
      assertTrue(e.getMessage().contains("already compiled"), e.getMessage());
    }
  }

  @Test
  void clipvalue_onAnEmbeddingGradient_isRefusedAtCompile() {
    try (Sequential m = new Sequential(Input.of(Input.DType.INT32, 3), new Embedding(6, 2), new Flatten(),
        new Dense(1))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.compile(SGD.builder().clipvalue(0.1).build(), "mse"));
      assertTrue(e.getMessage().contains("clipvalue cannot be applied to the gradient of a weight read by table "
          + "lookups"), e.getMessage());
    }
  }

  @Test
  void everyBuilder_keepsItsEmaOptions_andDefaultsToKeras() {
    for (Supplier<Optimizer.BaseBuilder<?>> b : BUILDERS) {
      Optimizer plain = b.get().build();
      assertEquals(false, plain.useEma(), plain.className());
      assertEquals(0.99, plain.emaMomentum(), plain.className());
      assertNull(plain.emaOverwriteFrequency(), plain.className());
      Optimizer ema = b.get().useEma(true).emaMomentum(0.5).emaOverwriteFrequency(3).build();
      assertEquals(true, ema.useEma(), plain.className());
      assertEquals(0.5, ema.emaMomentum(), plain.className());
      assertEquals(3, ema.emaOverwriteFrequency(), plain.className());
    }
    AdamW w = AdamW.builder().useEma(true).emaMomentum(0.9).emaOverwriteFrequency(2).weightDecay(0.01).build();
    assertEquals(0.9, w.emaMomentum());
  }

  @Test
  void emaMomentumOutsideUnitInterval_isRefusedWithKerasMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Adam.builder().useEma(true).emaMomentum(1.5).build());
    assertEquals("Adam: `ema_momentum` must be in the range [0, 1]. Received: ema_momentum=1.5", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SGD.builder().useEma(true).emaMomentum(-0.1).build());
    assertThrows(IllegalArgumentException.class, () -> SGD.builder().useEma(true).emaMomentum(Double.NaN).build());
  }

  @Test
  void emaOverwriteFrequencyBelowOne_isRefusedWithKerasMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Nadam.builder().useEma(true).emaOverwriteFrequency(0).build());
    assertEquals("Nadam: `ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
        + "ema_overwrite_frequency=0", e.getMessage());
  }

  @Test
  void emaArguments_withoutUseEma_areKeptUncheckedLikeKeras() {
    Optimizer o = Adam.builder().emaMomentum(2.0).build();
    assertEquals(false, o.useEma());
    assertEquals(2.0, o.emaMomentum());
  }

  @Test
  void gradientAccumulationSteps_isKeptByEveryBuilder_andBelowTwoRefusedWithKerasMessage() {
    for (Supplier<Optimizer.BaseBuilder<?>> b : BUILDERS) {
      assertNull(b.get().build().gradientAccumulationSteps());
      assertEquals(4, b.get().gradientAccumulationSteps(4).build().gradientAccumulationSteps());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Adam.builder().gradientAccumulationSteps(1).build());
    assertEquals("Adam: `gradient_accumulation_steps` must be an integer >= 2. Received: "
        + "gradient_accumulation_steps=1", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SGD.builder().gradientAccumulationSteps(0).build());
    assertEquals(3, AdamW.builder().gradientAccumulationSteps(3).weightDecay(0.01).build().gradientAccumulationSteps());
  }
}
