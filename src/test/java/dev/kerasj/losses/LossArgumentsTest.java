package dev.kerasj.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.optimizers.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad loss arguments fail where they are given, naming the loss, the argument, what is expected and the value. */
class LossArgumentsTest {
  private static void assertRejected(String message, Executable e) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, e).getMessage());
  }

  @Test
  void labelSmoothing_outsideZeroToOne_isRejectedByEveryLossThatTakesIt() {
    assertRejected("BinaryCrossentropy expects label_smoothing in [0, 1]. Received: label_smoothing=1.5",
        () -> new BinaryCrossentropy(false, 1.5));
    assertRejected("CategoricalCrossentropy expects label_smoothing in [0, 1]. Received: label_smoothing=-0.1",
        () -> new CategoricalCrossentropy(true, -0.1));
    assertRejected("BinaryFocalCrossentropy expects label_smoothing in [0, 1]. Received: label_smoothing=NaN",
        () -> BinaryFocalCrossentropy.builder().labelSmoothing(Double.NaN).build());
    assertRejected("CategoricalFocalCrossentropy expects label_smoothing in [0, 1]. Received: label_smoothing=2.0",
        () -> CategoricalFocalCrossentropy.builder().labelSmoothing(2).build());
  }

  @Test
  void labelSmoothing_atTheBounds_isAccepted() {
    assertEquals(1.0, new BinaryCrossentropy(false, 1.0).labelSmoothing());
    assertEquals(0.0, new CategoricalCrossentropy(false, 0.0).labelSmoothing());
  }

  @Test
  void focalGamma_negativeOrInfinite_isRejected() {
    assertRejected("BinaryFocalCrossentropy expects gamma >= 0. Received: gamma=-1.0",
        () -> BinaryFocalCrossentropy.builder().gamma(-1).build());
    assertRejected("CategoricalFocalCrossentropy expects gamma >= 0. Received: gamma=Infinity",
        () -> CategoricalFocalCrossentropy.builder().gamma(Double.POSITIVE_INFINITY).build());
  }

  @Test
  void focalAlpha_outOfRange_isRejected() {
    assertRejected("BinaryFocalCrossentropy expects alpha in [0, 1]. Received: alpha=1.2",
        () -> BinaryFocalCrossentropy.builder().alpha(1.2).build());
    assertRejected("CategoricalFocalCrossentropy expects alpha >= 0. Received: alpha=-0.5",
        () -> CategoricalFocalCrossentropy.builder().alpha(-0.5).build());
  }

  @Test
  void unknownIdentifier_listsEveryKnownLoss() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.get("cosine"));
    assertEquals("Unknown loss: 'cosine'. Expected one of: " + String.join(", ", Losses.KNOWN), e.getMessage());
    for (String known : Losses.KNOWN) {
      Losses.get(known.split(" ")[0]); // every listed name resolves
    }
  }

  @Test
  void cosineAxis_outsideTheOutputRank_failsAtCompileNamingAxisAndShape() {
    try (Sequential model = new Sequential(Input.of(4), new Dense(3))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
        model.compile(new SGD(0.1), new CosineSimilarity(2)); // the loss graph is built here or by the first fit
        model.fit(new float[][] {{1, 2, 3, 4}}, new float[][] {{1, 0, 0}},
            dev.kerasj.FitOptions.builder().epochs(1).verbose(0).build());
      });
      assertEquals("CosineSimilarity expects axis in [-2, 1] for predictions of rank 2 (shape [-1, 3]). "
          + "Received: axis=2", e.getMessage());
    }
  }
}
