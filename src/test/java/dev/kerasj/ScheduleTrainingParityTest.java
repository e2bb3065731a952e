package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import dev.kerasj.optimizers.schedules.LearningRateSchedule;
import dev.kerasj.testing.ScheduleCases;
import dev.kerasj.testing.TensorBundle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Trains every case of {@code testdata/schedules/train} (Keras 3.15.1 fits of a one-Dense model, one schedule kind
 * per case over the five optimizers, see testdata/README.md) and compares with Keras within
 * {@link KerasParityTest}'s tolerance ({@value KerasParityTest#RTOL} relative plus {@value KerasParityTest#ATOL}
 * absolute per value): the fit from Keras' initial weights, and the epoch a model loaded from Keras'
 * {@code .keras} file (saved after that fit, the schedule in its compile_config) trains next.
 */
class ScheduleTrainingParityTest {
  static Stream<ScheduleCases.Case> cases() {
    return ScheduleCases.CASES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fit_fromKerasInitialWeights_matchesKerasHistoryAndWeights(ScheduleCases.Case c) {
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, HostArray> data = data(b);
    try (Sequential model = c.model()) {
      List<Weight> ws = model.weights();
      assertEquals(b.readStrings("meta/weight_names"), ws.stream().map(Weight::path).toList());
      model.setWeights(KerasParityTest.stripPrefix(read(b, "initial", ws), "initial/"));
      History h = model.fit(data.get("x"), data.get("y"), fitOptions(b, epochs(b)).build());
      KerasParityTest.Diff diff = new KerasParityTest.Diff("schedules/" + c.name());
      compare(diff, b, h, "history", model, "final");
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void kerasFile_writtenByPython_loadsWithItsSchedule_andTrainsTheNextEpochLikeKeras(ScheduleCases.Case c)
      throws Exception {
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, HostArray> data = data(b);
    float[] kerasValLoss = b.read("history/val_loss", TFloat32.class).floats();
    try (Model loaded = Model.load(c.kerasFile())) {
      LearningRateSchedule s = loaded.optimizer().learningRateSchedule();
      assertNotNull(s, c.name() + ": the file's schedule");
      LearningRateSchedule expected = c.schedule().get();
      assertEquals(expected.getClass(), s.getClass());
      assertEquals(expected.name(), s.name());
      for (long step = 0; step <= 40; step++) {
        assertEquals(expected.valueAt(step), s.valueAt(step), 0.0, c.name() + " at step " + step);
      }
      // The file holds the weights after fit: evaluating them is Keras' last val_loss.
      double val = loaded.evaluate(data.get("x_val"), data.get("y_val"), 32).get("loss");
      float keras = kerasValLoss[kerasValLoss.length - 1];
      assertEquals(keras, val, KerasParityTest.ATOL + KerasParityTest.RTOL * Math.abs(keras), c.name());
      // Its optimizer state (iterations, slots) continues: the next epoch is Keras' next epoch, schedule included.
      assertEquals(loaded.optimizer().learningRateSchedule().valueAt(9), loaded.learningRate(), 1e-7 + 1e-6
          * loaded.learningRate(), c.name() + ": the rate at iteration 9");
      History h = loaded.fit(data.get("x"), data.get("y"), fitOptions(b, 1).build());
      KerasParityTest.Diff diff = new KerasParityTest.Diff("schedules/" + c.name() + " next epoch");
      compare(diff, b, h, "next_history", loaded, "next");
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  private static void compare(KerasParityTest.Diff diff, TensorBundle b, History h, String historyPrefix,
      Model model, String weightsPrefix) {
    assertEquals(List.of("loss", "val_loss"), List.copyOf(h.history().keySet()));
    for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
      diff.compare(historyPrefix + "/" + e.getKey(), b.read(historyPrefix + "/" + e.getKey(), TFloat32.class)
          .floats(), KerasParityTest.toFloats(e.getValue()));
    }
    List<Weight> ws = model.weights();
    Map<String, HostArray> want = read(b, weightsPrefix, ws);
    List<FloatNdArray> javaWeights = model.getWeights();
    for (int i = 0; i < ws.size(); i++) {
      String key = weightsPrefix + "/" + ws.get(i).path();
      diff.compare(key, want.get(key).floats(), KerasParityTest.toFloats(javaWeights.get(i)));
    }
  }

  private static int epochs(TensorBundle b) {
    return b.read("meta/epochs", org.tensorflow.types.TInt32.class).ints()[0];
  }

  private static FitOptions.Builder fitOptions(TensorBundle b, int epochs) {
    int batchSize = b.read("meta/batch_size", org.tensorflow.types.TInt32.class).ints()[0];
    Map<String, HostArray> d = data(b);
    return FitOptions.builder().epochs(epochs).batchSize(batchSize).shuffle(false)
        .validationData(d.get("x_val"), d.get("y_val")).verbose(0);
  }

  private static Map<String, HostArray> data(TensorBundle b) {
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    for (String n : List.of("x", "y", "x_val", "y_val")) {
      want.put(n, TFloat32.class);
    }
    return b.read(want);
  }

  private static Map<String, HostArray> read(TensorBundle b, String stage, List<Weight> ws) {
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    ws.forEach(w -> want.put(stage + "/" + w.path(), TFloat32.class));
    return b.read(want);
  }
}
