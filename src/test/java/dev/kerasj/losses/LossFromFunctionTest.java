package dev.kerasj.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.History;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.optimizers.SGD;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * {@link Losses#fromFunction}: Keras' {@code compile(loss=fn)}. A function restating a built-in loss trains bit for
 * bit like that loss (whose Keras parity {@code KerasParityTest} proves), so the wrapper reduces as Keras'
 * {@code LossFunctionWrapper} does; it has no Keras config, so a full-model save is refused by name.
 */
class LossFromFunctionTest {
  private static final Losses.PerSample SQUARED_ERROR =
      (tf, yTrue, yPred) -> tf.math.mean(tf.math.square(tf.math.sub(yTrue, yPred)), tf.constant(-1));

  @TempDir
  Path tmp;

  private static Sequential model() {
    Sequential m = new Sequential(Input.of(3), new Dense(4, "tanh"), new Dense(2));
    m.setSeed(11);
    return m;
  }

  private static float[][] x() {
    float[][] x = new float[40][3];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 3; j++) {
        x[i][j] = (float) Math.sin(1.3 * i + 0.7 * j);
      }
    }
    return x;
  }

  private static float[][] y(float[][] x) {
    float[][] y = new float[x.length][2];
    for (int i = 0; i < x.length; i++) {
      y[i][0] = x[i][0] - 0.5f * x[i][1];
      y[i][1] = x[i][2] * x[i][0];
    }
    return y;
  }

  @Test
  void functionRestatingMse_trainsBitForBitLikeMeanSquaredError() {
    float[][] x = x();
    FitOptions o = FitOptions.builder().epochs(3).batchSize(8).seed(5).verbose(0).build();
    try (Sequential builtIn = model(); Sequential fromFunction = model()) {
      builtIn.compile(new SGD(0.1), new MeanSquaredError());
      Loss mine = Losses.fromFunction("my_mse", SQUARED_ERROR);
      fromFunction.compile(new SGD(0.1), mine);
      assertEquals("my_mse", mine.name());
      History a = builtIn.fit(x, y(x), o);
      History b = fromFunction.fit(x, y(x), o);
      assertEquals(a.get("loss"), b.get("loss"));
      assertTrue(a.get("loss").get(2) < a.get("loss").get(0), "it trains: " + a.get("loss"));
      List<FloatNdArray> wa = builtIn.getWeights();
      List<FloatNdArray> wb = fromFunction.getWeights();
      for (int i = 0; i < wa.size(); i++) {
        assertEquals(wa.get(i), wb.get(i), "weight " + i);
      }
      assertEquals(builtIn.evaluate(x, y(x)), fromFunction.evaluate(x, y(x)));
    }
  }

  @Test
  void everyValueTheFunctionReturns_countsOnceInTheMean() {
    // Per-element values (no mean over the last axis): Keras' sum_over_batch_size divides by their count, so the
    // loss equals the mean-over-last-axis form on outputs of equal width.
    float[][] x = x();
    FitOptions o = FitOptions.builder().epochs(1).batchSize(8).shuffle(false).verbose(0).build();
    try (Sequential perSample = model(); Sequential perElement = model()) {
      perSample.compile(new SGD(0.1), Losses.fromFunction("a", SQUARED_ERROR));
      perElement.compile(new SGD(0.1), Losses.fromFunction("b",
          (tf, yTrue, yPred) -> tf.math.square(tf.math.sub(yTrue, yPred))));
      double a = perSample.evaluate(x, y(x)).get("loss");
      double b = perElement.evaluate(x, y(x)).get("loss");
      assertEquals(a, b, 1e-6 * Math.abs(a));
      perSample.fit(x, y(x), o);
    }
  }

  @Test
  void fullModelSave_isRefusedNamingTheLoss_weightsStillSave() throws Exception {
    try (Sequential m = model()) {
      m.compile(new SGD(0.1), Losses.fromFunction("my_mse", SQUARED_ERROR));
      m.fit(x(), y(x()), FitOptions.builder().epochs(1).verbose(0).build());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.save(tmp.resolve("m.keras")));
      assertTrue(e.getMessage().contains("'my_mse'") && e.getMessage().contains("Losses.fromFunction")
          && e.getMessage().contains("CustomObjects.register(\"my_package\", \"MyClass\""), e.getMessage());
      try (java.util.stream.Stream<Path> left = java.nio.file.Files.list(tmp)) {
        assertEquals(List.of(), left.toList(), "a refused save leaves nothing behind");
      }
      m.saveWeights(tmp.resolve("w.weights.h5"));
      m.saveWeights(tmp.resolve("ckpt"));
    }
  }

  @Test
  void badArguments_nameWhatWasReceived() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Losses.fromFunction(" ", SQUARED_ERROR));
    assertTrue(e.getMessage().contains("needs a name") && e.getMessage().contains("' '"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Losses.fromFunction("x", null));
    assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("null"), e.getMessage());
  }
}
