package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import dev.kerasj.testing.MetricCases;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Trains {@code testdata/metrics/train/digits} (a Keras 3.15.1 fit on the shipped digits with AUC, PR-AUC,
 * Precision, Recall, top-k accuracy, F1Score and accuracy in compile; see testdata/README.md) from Keras' initial
 * weights and compares every per-epoch metric and {@code val_} metric and the final weights with Keras', within
 * {@link KerasParityTest}'s tolerance ({@value KerasParityTest#RTOL} relative plus {@value KerasParityTest#ATOL}
 * absolute per value).
 */
class MetricTrainingParityTest {
  static final Path BUNDLE = MetricCases.DIGITS;

  @Test
  void fit_fromKerasInitialWeights_matchesKerasHistoryOfEveryMetricAndWeights() {
    TensorBundle b = new TensorBundle(BUNDLE);
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    for (String n : List.of("x", "y", "x_val", "y_val")) {
      want.put(n, TFloat32.class);
    }
    Map<String, HostArray> data = b.read(want);
    int epochs = b.read("meta/epochs", TInt32.class).ints()[0];
    int batchSize = b.read("meta/batch_size", TInt32.class).ints()[0];
    try (Sequential model = MetricCases.digitsModel()) {
      List<Weight> ws = model.weights();
      assertEquals(b.readStrings("meta/weight_names"), ws.stream().map(Weight::path).toList());
      model.setWeights(KerasParityTest.stripPrefix(KerasParityTest.readWeights(b, "initial", ws), "initial/"));
      History h = model.fit(data.get("x"), data.get("y"), FitOptions.builder().epochs(epochs).batchSize(batchSize)
          .shuffle(false).validationData(data.get("x_val"), data.get("y_val")).verbose(0).build());
      Set<String> kerasKeys = new TreeSet<>(b.readStrings("meta/history_keys"));
      assertEquals(kerasKeys, new TreeSet<>(h.history().keySet()));
      KerasParityTest.Diff diff = new KerasParityTest.Diff("metrics/digits");
      for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
        float[] keras = b.read("history/" + e.getKey(), TFloat32.class).floats();
        float[] java = KerasParityTest.toFloats(e.getValue());
        for (int i = 0; i < keras.length; i++) {
          System.out.printf("[metric training] %-32s epoch %d keras=%.9g java=%.9g%n", e.getKey(), i, keras[i],
              java[i]);
        }
        diff.compare("history/" + e.getKey(), keras, java);
      }
      KerasParityTest.compareFinalWeights(diff, b, model);
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }
}
