package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import dev.kerasj.testing.LossCases;
import dev.kerasj.testing.TensorBundle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Trains every case of {@code testdata/losses/train} (Keras 3.15.1 fits of a one-Dense model with each loss added
 * in issue 17, see testdata/README.md) from Keras' initial weights and compares the per-epoch {@code loss} and
 * {@code val_loss} and the final weights with Keras', within {@link KerasParityTest}'s tolerance
 * ({@value KerasParityTest#RTOL} relative plus {@value KerasParityTest#ATOL} absolute per value).
 */
class LossTrainingParityTest {
  static Stream<LossCases.Case> cases() {
    return LossCases.CASES.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fit_fromKerasInitialWeights_matchesKerasHistoryAndWeights(LossCases.Case c) {
    TensorBundle b = new TensorBundle(c.bundle());
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    for (String n : List.of("x", "y", "x_val", "y_val")) {
      want.put(n, TFloat32.class);
    }
    Map<String, HostArray> data = b.read(want);
    int epochs = b.read("meta/epochs", org.tensorflow.types.TInt32.class).ints()[0];
    int batchSize = b.read("meta/batch_size", org.tensorflow.types.TInt32.class).ints()[0];
    try (Sequential model = c.model()) {
      List<Weight> ws = model.weights();
      assertEquals(b.readStrings("meta/weight_names"), ws.stream().map(Weight::path).toList());
      model.setWeights(KerasParityTest.stripPrefix(KerasParityTest.readWeights(b, "initial", ws), "initial/"));
      History h = model.fit(data.get("x"), data.get("y"), FitOptions.builder().epochs(epochs).batchSize(batchSize)
          .shuffle(false).validationData(data.get("x_val"), data.get("y_val")).verbose(0).build());
      assertEquals(List.of("loss", "val_loss"), List.copyOf(h.history().keySet()));
      KerasParityTest.Diff diff = new KerasParityTest.Diff("losses/" + c.name());
      for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
        diff.compare("history/" + e.getKey(), b.read("history/" + e.getKey(), TFloat32.class).floats(),
            KerasParityTest.toFloats(e.getValue()));
      }
      KerasParityTest.compareFinalWeights(diff, b, model);
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }
}
