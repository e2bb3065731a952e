package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.KerasParityTest.Diff;
import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Add;
import dev.kerasj.layers.Average;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Maximum;
import dev.kerasj.layers.Minimum;
import dev.kerasj.layers.Multiply;
import dev.kerasj.layers.Subtract;
import dev.kerasj.layers.Weight;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.RMSprop;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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

  /** One case: builds the same model as the generator and compiles it the same way. */
  record Case(String name, Function<TensorBundle, Model> build) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Dense dense(int units, String activation, String name) {
    Dense.Builder b = Dense.builder(units).name(name);
    return activation == null ? b.build() : b.activation(activation).build();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case("two_input_concat", f -> {
          KerasTensor a = Input.tensor("a", 32);
          KerasTensor b = Input.tensor("b", 32);
          KerasTensor h = new Concatenate().apply(dense(16, "relu", "a_dense").apply(a),
              dense(16, "relu", "b_dense").apply(b));
          Model m = new Model(List.of(a, b), List.of(dense(10, "softmax", "digit").apply(h)));
          m.compile(new Adam(1e-3), "sparse_categorical_crossentropy", "accuracy");
          return m;
        }),
        new Case("two_output", f -> {
          KerasTensor x = Input.tensor("pixels", 64);
          KerasTensor h = dense(32, "relu", "trunk").apply(x);
          Model m = new Model(List.of(x), List.of(dense(10, "softmax", "digit").apply(h),
              dense(1, null, "value").apply(h)));
          m.compile(CompileOptions.builder(new SGD(0.05, 0.9, false),
                  Map.of("digit", "sparse_categorical_crossentropy", "value", "mse"))
              .lossWeights(Map.of("digit", 1.0, "value", 0.5))
              .metrics(Map.of("digit", List.of("accuracy"), "value", List.of("mae")))
              .build());
          return m;
        }),
        new Case("residual_add", f -> {
          KerasTensor x = Input.tensor("pixels", 64);
          KerasTensor h = new Dense(32, "relu").apply(x);
          KerasTensor r = new Dense(32, "relu").apply(h);
          Model m = new Model(x, dense(10, "softmax", "digit").apply(new Add().apply(h, r)));
          m.compile(new RMSprop(1e-3), "sparse_categorical_crossentropy", "accuracy");
          return m;
        }),
        new Case("shared_layer", f -> {
          KerasTensor a = Input.tensor("a", 32);
          KerasTensor b = Input.tensor("b", 32);
          Dense shared = dense(16, "relu", "shared");
          KerasTensor h = new Concatenate().apply(shared.apply(a), shared.apply(b));
          Model m = new Model(List.of(a, b), List.of(dense(10, "softmax", "digit").apply(h)));
          m.compile(new Adam(1e-3), "sparse_categorical_crossentropy", "accuracy");
          return m;
        }),
        new Case("merge_layers", f -> {
          KerasTensor a = Input.tensor("a", 32);
          KerasTensor b = Input.tensor("b", 32);
          KerasTensor pa = dense(16, "tanh", "pa").apply(a);
          KerasTensor pb = dense(16, "tanh", "pb").apply(b);
          KerasTensor h = new Concatenate().apply(new Add().apply(pa, pb), new Subtract().apply(pa, pb),
              new Multiply().apply(pa, pb), new Average().apply(pa, pb), new Maximum().apply(pa, pb),
              new Minimum().apply(pa, pb));
          Model m = new Model(List.of(a, b), List.of(dense(10, "softmax", "digit").apply(h)));
          m.compile(new Adam(1e-3), "sparse_categorical_crossentropy", "accuracy");
          return m;
        }),
        new Case("nested_model", f -> {
          Sequential encoder = new Sequential("encoder", Input.of(64), new Dense(32, "relu"), new Dense(16, "relu"));
          KerasTensor x = Input.tensor("pixels", 64);
          Model m = new Model(x, dense(10, "softmax", "digit").apply(encoder.apply(x)));
          m.compile(new SGD(0.1), "sparse_categorical_crossentropy", "accuracy");
          return m;
        }),
        new Case("transfer", f -> {
          // The base Python pretrained, with the weights it saved (initial/0..7), then frozen.
          KerasTensor bx = Input.tensor("pixels", 64);
          KerasTensor bh = new BatchNormalization(0.99, 1e-3, "base_bn").apply(dense(32, "relu", "base_dense").apply(bx));
          Model base = new Model("base", List.of(bx), List.of(dense(16, "relu", "base_features").apply(bh)));
          List<Object> pretrained = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            pretrained.add(f.read("initial/" + i, TFloat32.class));
          }
          base.setWeights(pretrained);
          base.setTrainable(false);
          KerasTensor x = Input.tensor("pixels", 64);
          Model m = new Model(x, dense(10, "softmax", "head").apply(base.apply(x)));
          m.compile(new Adam(1e-3), "sparse_categorical_crossentropy", "accuracy");
          return m;
        }))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fit_functionalModelFromKerasInitialWeights_matchesKeras(Case c) {
    TensorBundle f = new TensorBundle(FIXTURES.resolve(c.name()));
    try (Model model = c.build().apply(f)) {
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
        if (!c.name().equals("transfer")) { // Keras built the base before the model: its paths lack "base/"
          assertEquals(kerasNames.get(i), ws.get(i).path(), "weight " + i);
        }
      }
      List<Object> initial = new ArrayList<>();
      for (int i = 0; i < ws.size(); i++) {
        initial.add(f.read("initial/" + i, TFloat32.class));
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

      Diff diff = new Diff(c.name());
      assertEquals(historyKeys(c.name()), h.history().keySet().stream().sorted().toList(), "history keys");
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
