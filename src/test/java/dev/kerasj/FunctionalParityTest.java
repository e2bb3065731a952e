package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.KerasParityTest.Diff;
import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Weight;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.FunctionalCases;
import dev.kerasj.testing.TensorBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Trains every Functional fixture of {@code testdata/functional} (made by real Keras 3.15.1 with
 * python-interop/make_functional_fixtures.py) from Keras' initial weights, with inputs and labels passed as maps by
 * name, and compares history (per-output losses and metrics included), final weights, every output's predictions
 * and evaluate with Keras', within {@link KerasParityTest}'s tolerance.
 */
class FunctionalParityTest {
  static final Path FIXTURES = Path.of("testdata", "functional");

  static Stream<Arguments> cases() {
    return FunctionalCases.NAMES.stream().map(Arguments::of);
  }

  /**
   * The model of a case. For {@code transfer}, the user's path: load the base Python pretrained and saved
   * ({@code transfer_base.keras}), freeze it, and put a new head on it.
   */
  static Model build(String name) throws IOException {
    if (!name.equals("transfer")) {
      return FunctionalCases.build(name);
    }
    Model base = Model.load(FIXTURES.resolve("transfer_base.keras"));
    base.setTrainable(false);
    KerasTensor x = Input.tensor("pixels", 64);
    // Keras' recipe, as the fixture does: base(x, training=False).
    Model m = new Model(x, Dense.builder(10).activation("softmax").name("head").build().apply(base.apply(x, false)));
    m.compile(new Adam(1e-3), "sparse_categorical_crossentropy", "accuracy");
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fit_functionalModelFromKerasInitialWeights_matchesKeras(String name) throws IOException {
    TensorBundle f = new TensorBundle(FIXTURES.resolve(name));
    try (Model model = build(name)) {
      List<String> inputs = f.readStrings("meta/input_names");
      List<String> outputs = f.readStrings("meta/output_names");
      assertEquals(inputs, model.inputNames());
      assertEquals(outputs, model.outputNames());
      List<Weight> ws = model.weights();
      int[] trainable = f.read("meta/trainable", TInt32.class).ints();
      assertEquals(trainable.length, ws.size(), "weight count");
      List<String> kerasNames = f.readStrings("meta/weight_names");
      for (int i = 0; i < ws.size(); i++) {
        assertEquals(trainable[i] == 1, ws.get(i).trainable(), "trainable flag of " + ws.get(i).path());
        if (!name.equals("transfer")) { // Keras built the base before the model: its paths lack "base/"
          assertEquals(kerasNames.get(i), ws.get(i).path(), "weight " + i);
        }
      }
      List<Object> initial = new ArrayList<>();
      for (int i = 0; i < ws.size(); i++) {
        initial.add(f.read("initial/" + i, TFloat32.class));
      }
      if (name.equals("transfer")) { // the base's weights come from transfer_base.keras: they must be Keras' already
        Diff loaded = new Diff(name);
        List<FloatNdArray> fromFile = model.getWeights();
        for (int i = 0; i < 8; i++) {
          loaded.compare("transfer_base.keras/" + ws.get(i).path(), ((HostArray) initial.get(i)).floats(),
              KerasParityTest.toFloats(fromFile.get(i)));
        }
        loaded.assertWithin(0, 0);
      }
      model.setWeights(initial);
      int epochs = f.read("meta/epochs", TInt32.class).ints()[0];
      int batch = f.read("meta/batch_size", TInt32.class).ints()[0];
      Map<String, Object> x = byName(f, "x/", inputs, model, true);
      Map<String, Object> y = byName(f, "y/", outputs, model, false);
      Map<String, Object> xVal = byName(f, "x_val/", inputs, model, true);
      Map<String, Object> yVal = byName(f, "y_val/", outputs, model, false);
      History h = model.fit(x, y, FitOptions.builder().epochs(epochs).batchSize(batch).shuffle(false)
          .validationData(xVal, yVal).verbose(0).build());

      Diff diff = new Diff(name);
      assertEquals(historyKeys(name), h.history().keySet().stream().sorted().toList(), "history keys");
      for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
        diff.compare("history/" + e.getKey(), f.read("history/" + e.getKey(), TFloat32.class).floats(),
            KerasParityTest.toFloats(e.getValue()));
      }
      List<FloatNdArray> finals = model.getWeights();
      for (int i = 0; i < finals.size(); i++) {
        diff.compare("final/" + ws.get(i).path(), f.read("final/" + i, TFloat32.class).floats(),
            KerasParityTest.toFloats(finals.get(i)));
      }
      Map<String, FloatNdArray> predictions = model.predictOutputs(xVal, batch);
      for (String out : outputs) {
        diff.compare("predict/" + out, f.read("predict/" + out, TFloat32.class).floats(),
            KerasParityTest.toFloats(predictions.get(out)));
      }
      for (Map.Entry<String, Double> e : model.evaluate(xVal, yVal, batch).entrySet()) {
        diff.compare("evaluate/" + e.getKey(), f.read("evaluate/" + e.getKey(), TFloat32.class).floats(),
            new float[] {e.getValue().floatValue()});
      }
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  /** The keys of Keras' History.history for the case (make_functional_fixtures.py prints them), sorted. */
  private static List<String> historyKeys(String caseName) {
    if (caseName.equals("two_output")) {
      return List.of("digit_accuracy", "digit_loss", "loss", "val_digit_accuracy", "val_digit_loss", "val_loss",
          "val_value_loss", "val_value_mae", "value_loss", "value_mae");
    }
    return List.of("accuracy", "loss", "val_accuracy", "val_loss");
  }

  /** The fixture's arrays under {@code prefix}, keyed by input or output name; class ids stay int. */
  private static Map<String, Object> byName(TensorBundle f, String prefix, List<String> names, Model model,
      boolean inputs) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      boolean ints = !inputs && model.losses().get(i).sparseLabels();
      HostArray a = f.read(prefix + names.get(i), ints ? TInt32.class : TFloat32.class);
      out.put(names.get(i), a);
    }
    return out;
  }
}
