package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.TrainingOutcome;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.serving.ServedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.StdArrays;

/**
 * Sizes at the edge of an int: a batch larger than the data is one batch of all samples, as in Keras (it used to
 * train nothing and report {@code loss=0.0, COMPLETED}); sizes that cannot be held fail with a typed error.
 */
class BadSizesTest {
  private static final float[][] X = {{0, 1}, {1, 0}, {1, 1}, {0, 0}, {0.5f, 0.5f}};
  private static final int[] Y = {0, 1, 2, 0, 1};

  private static Sequential classifier() {
    Sequential m = new Sequential(Input.of(2), new Dense(4, "relu"), new Dense(3, "softmax"));
    m.setSeed(5);
    m.compile(new Adam(0.01), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  /** Records the batches fit and evaluate run. */
  private static final class Batches implements Callback {
    final List<Integer> train = new ArrayList<>();
    final List<Integer> test = new ArrayList<>();
    Object steps;

    @Override
    public void setParams(Map<String, Object> params) {
      steps = params.get("steps");
    }

    @Override
    public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
      train.add(batch);
    }

    @Override
    public void onTestBatchEnd(int batch, Map<String, Double> logs) {
      test.add(batch);
    }
  }

  @Test
  void fit_withBatchSizeIntMax_trainsOneBatchOfAllSamples_likeBatchSizeN() {
    try (Sequential huge = classifier(); Sequential exact = classifier()) {
      Batches batches = new Batches();
      History h = huge.fit(X, Y, FitOptions.builder().epochs(2).batchSize(Integer.MAX_VALUE).shuffle(false).verbose(0)
          .callbacks(batches).build());
      History reference = exact.fit(X, Y, FitOptions.builder().epochs(2).batchSize(X.length).shuffle(false).verbose(0)
          .build());
      assertEquals(1, batches.steps);
      assertEquals(List.of(0, 0), batches.train);
      assertEquals(TrainingOutcome.COMPLETED, h.outcome());
      assertTrue(h.get("loss").get(0) > 0, h.toString());
      assertEquals(reference.get("loss"), h.get("loss"));
      assertEquals(exact.getWeights(), huge.getWeights());
    }
  }

  @Test
  void evaluateAndPredict_withBatchSizeIntMax_runOneBatchOfAllSamples() {
    try (Sequential m = classifier()) {
      Batches batches = new Batches();
      Map<String, Double> huge = m.evaluate(X, Y, Integer.MAX_VALUE, batches);
      assertEquals(List.of(0), batches.test);
      assertEquals(m.evaluate(X, Y, X.length), huge);
      float[][] all = StdArrays.array2dCopyOf(m.predict(X, Integer.MAX_VALUE));
      float[][] reference = StdArrays.array2dCopyOf(m.predict(X, 2));
      assertEquals(X.length, all.length);
      for (int i = 0; i < all.length; i++) {
        assertArrayEquals(reference[i], all[i], 1e-6f);
      }
    }
  }

  @Test
  void batchArithmetic_staysInRangeAtTheEdgesOfAnInt() {
    int max = Integer.MAX_VALUE;
    assertEquals(1, FitLoop.steps(5, max));
    assertEquals(1, FitLoop.steps(max, max));
    assertEquals(2, FitLoop.steps(max, max - 1));
    assertEquals(max, FitLoop.steps(max, 1));
    assertEquals(5, FitLoop.batchEnd(0, max, 5));
    assertEquals(max, FitLoop.batchEnd(max - 1, max - 1, max));
    assertEquals(max - 1, FitLoop.batchStart(1, max - 1));
  }

  @Test
  void weightLargerThanAJavaArray_isAnIllegalArgument_notAnArithmeticException() {
    try (Sequential m = new Sequential(Input.of(6), new Dense(Integer.MAX_VALUE))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, m::build);
      assertTrue(e.getMessage().contains("Weight 'dense/kernel' of shape [6, 2147483647] has more than 2147483639 "
          + "values"), e.getMessage());
    }
  }

  @Test
  void servedModelCall_withNullInputs_isAnIllegalArgument() throws Exception {
    try (ServedModel served = ServedModel.open(Path.of("testdata", "serving", "module_multi_io"))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> served.call("serving_default", null));
      assertTrue(e.getMessage().contains("Expected inputs for 'serving_default'. Received: null"), e.getMessage());
    }
  }
}
