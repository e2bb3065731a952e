package dev.kerasj.optimizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Builders name each optimizer argument where it is set, start at Keras' defaults and validate like constructors. */
class OptimizerBuildersTest {
  @Test
  void rmsprop_builder_setsEachNamedValue() {
    RMSprop r = RMSprop.builder().learningRate(0.01).rho(0.8).momentum(0.5).epsilon(1e-6).centered(true).build();
    assertEquals(0.01, r.learningRate());
    assertEquals(0.8, r.rho());
    assertEquals(0.5, r.momentum());
    assertEquals(1e-6, r.epsilon());
    assertTrue(r.centered());
  }

  @Test
  void builders_startAtKerasDefaults() {
    RMSprop r = RMSprop.builder().build();
    assertEquals(RMSprop.DEFAULT_LEARNING_RATE, r.learningRate());
    assertEquals(RMSprop.DEFAULT_RHO, r.rho());
    assertEquals(0.0, r.momentum());
    Adam a = Adam.builder().build();
    assertEquals(Adam.DEFAULT_LEARNING_RATE, a.learningRate());
    assertEquals(SGD.DEFAULT_LEARNING_RATE, SGD.builder().build().learningRate());
    assertEquals(Adagrad.DEFAULT_LEARNING_RATE, Adagrad.builder().build().learningRate());
  }

  @Test
  void adamW_builder_buildsAnAdamWWhateverTheOrderOfSetters() {
    AdamW w = AdamW.builder().beta1(0.8).learningRate(0.002).weightDecay(0.01).build();
    assertEquals(0.002, w.learningRate());
    assertEquals(0.01, w.weightDecay());
    assertEquals("AdamW", w.className());
  }

  @Test
  void builder_rejectsBadValuesLikeTheConstructor() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RMSprop.builder().rho(1.5).build());
    assertTrue(e.getMessage().contains("rho=1.5"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SGD.builder().learningRate(-1).build());
  }
}
