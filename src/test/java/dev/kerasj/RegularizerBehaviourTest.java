package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.constraints.NonNeg;
import dev.kerasj.initializers.Constant;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Input;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.regularizers.L2;
import org.junit.jupiter.api.Test;

/**
 * Rules of Keras 3 that the Keras fixtures do not single out: only trainable weights are penalised and constrained
 * ({@code model.trainable_weights}, the optimizer's variables), and any layer's activity regularizer counts, divided
 * by the batch size. Values are computed by hand on constant weights and data; float32 sums of a few ones are exact.
 */
class RegularizerBehaviourTest {
  private static final float[][] X = {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}};
  private static final float[][] Y = {{3, 3}, {3, 3}, {3, 3}, {3, 3}};

  private static Sequential regularized(boolean frozen) {
    Dense dense = Dense.builder(2).kernelInitializer(new Constant(1f)).kernelRegularizer(new L2(10)).build();
    dense.setTrainable(!frozen);
    Sequential model = new Sequential(Input.of(3), dense);
    model.compile(new SGD(0.01), "mse");
    return model;
  }

  @Test
  void kernelPenalty_isInTheLoss_whileTheLayerIsTrainable() {
    try (Sequential model = regularized(false)) {
      // mse((3, 3), (3, 3)) = 0; penalty 10 * sum(ones(3, 2)^2) = 60.
      assertEquals(60.0, model.evaluate(X, Y, 4).get("loss"), 0.0);
    }
  }

  @Test
  void kernelPenalty_ofAFrozenLayer_isNotInTheLoss() {
    try (Sequential model = regularized(true)) {
      assertEquals(0.0, model.evaluate(X, Y, 4).get("loss"), 0.0);
    }
  }

  private static Sequential constrained(boolean frozen) {
    Dense dense = Dense.builder(2).kernelInitializer(new Constant(-1f)).kernelConstraint(new NonNeg()).build();
    dense.setTrainable(!frozen);
    Sequential model = new Sequential(Input.of(3), dense);
    model.compile(new SGD(0.01), "mse");
    return model;
  }

  @Test
  void constraint_isAppliedAfterTheFirstUpdate() {
    try (Sequential model = constrained(false)) {
      model.fit(X, Y, FitOptions.builder().epochs(1).batchSize(4).verbose(0).build());
      float[] kernel = KerasParityTest.toFloats(model.getWeights().get(0));
      for (float v : kernel) {
        assertTrue(v >= 0, "kernel after one step: " + java.util.Arrays.toString(kernel));
      }
    }
  }

  @Test
  void constraint_ofAFrozenLayer_isNotApplied() {
    try (Sequential model = constrained(true)) {
      model.fit(X, Y, FitOptions.builder().epochs(1).batchSize(4).verbose(0).build());
      for (float v : KerasParityTest.toFloats(model.getWeights().get(0))) {
        assertEquals(-1f, v, 0f);
      }
    }
  }

  @Test
  void activityRegularizer_onAnyLayer_isDividedByTheBatchSize() {
    Dropout dropout = new Dropout(0.5);
    dropout.setActivityRegularizer(new L2(0.5));
    try (Sequential model = new Sequential(Input.of(3), dropout)) {
      model.compile(new SGD(0.01), "mse");
      // Inference: Dropout is the identity, mse(X, X) = 0; penalty 0.5 * sum(ones(4, 3)) / 4 = 1.5.
      assertEquals(1.5, model.evaluate(X, X, 4).get("loss"), 0.0);
      // Two batches of 2: 0.5 * 6 / 2 = 1.5 each.
      assertEquals(1.5, model.evaluate(X, X, 2).get("loss"), 0.0);
    }
  }
}
