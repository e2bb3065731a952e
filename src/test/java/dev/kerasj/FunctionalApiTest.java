package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.layers.Add;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Concatenate;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Subtract;
import dev.kerasj.layers.Weight;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.FloatNdArray;

/** The Functional API as a user calls it: building, naming, data by name, errors, frozen layers, models as layers. */
class FunctionalApiTest {
  static final int N = 40;

  static float[][] randomRows(int n, int width, long seed) {
    Random r = new Random(seed);
    float[][] x = new float[n][width];
    for (float[] row : x) {
      for (int j = 0; j < width; j++) {
        row[j] = (float) r.nextGaussian();
      }
    }
    return x;
  }

  static int[] classes(int n, int k) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % k;
    }
    return y;
  }

  static Model twoInputs() {
    KerasTensor a = Input.tensor("a", 4);
    KerasTensor b = Input.tensor("b", 6);
    KerasTensor h = new Concatenate().apply(new Dense(8, "relu").apply(a), new Dense(8, "relu").apply(b));
    return new Model(List.of(a, b), List.of(Dense.builder(3).activation("softmax").name("out").build().apply(h)));
  }

  @Test
  void layers_followKerasOrderAndAutomaticNames() {
    try (Model m = twoInputs()) {
      assertEquals(List.of("a", "b", "dense", "dense_1", "concatenate", "out"),
          m.layers().stream().map(Layer::name).toList());
      assertEquals(List.of("a", "b"), m.inputNames());
      assertEquals(List.of("out"), m.outputNames());
      assertSame(m.layers().get(4), m.getLayer("concatenate"));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getLayer("nope"));
      assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("dense_1"), e.getMessage());
    }
  }

  @Test
  void fit_takesInputsAsMapOrListAndLabelsByName() {
    try (Model m = twoInputs()) {
      m.setSeed(3);
      m.compile("adam", new SparseCategoricalCrossentropy(), "accuracy"); // strings and objects mixed
      float[][] a = randomRows(N, 4, 1);
      float[][] b = randomRows(N, 6, 2);
      int[] y = classes(N, 3);
      FitOptions o = FitOptions.builder().epochs(2).batchSize(8).shuffle(false).verbose(0).build();
      var byMap = m.fit(Map.of("a", a, "b", b), Map.of("out", y), o);
      var byList = m.fit(List.of(a, b), y, o);
      assertEquals(List.of("loss", "accuracy"), List.copyOf(byMap.history().keySet()));
      assertEquals(2, byList.get("loss").size());
      assertArrayEquals(new long[] {N, 3}, m.predict(Map.of("a", a, "b", b)).shape().asArray());
    }
  }

  @Test
  void badData_namesTheInputsExpected() {
    try (Model m = twoInputs()) {
      m.compile("adam", "sparse_categorical_crossentropy");
      float[][] a = randomRows(N, 4, 1);
      int[] y = classes(N, 3);
      IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
          () -> m.fit(Map.of("a", a), y));
      assertTrue(missing.getMessage().contains("[a, b]"), missing.getMessage());
      IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> m.fit(a, y));
      assertTrue(one.getMessage().contains("2 inputs [a, b]"), one.getMessage());
      IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
          () -> m.fit(List.of(a, randomRows(N, 5, 2)), y));
      assertTrue(shape.getMessage().contains("x['b']"), shape.getMessage());
    }
  }

  @Test
  void wrongGraphs_failWhereTheyAreBuilt() {
    KerasTensor a = Input.tensor("a", 4);
    KerasTensor stray = Input.tensor("stray", 4);
    KerasTensor out = new Add().apply(new Dense(4).apply(a), new Dense(4).apply(stray));
    IllegalArgumentException disconnected = assertThrows(IllegalArgumentException.class,
        () -> new Model(a, out));
    assertTrue(disconnected.getMessage().contains("Graph disconnected") && disconnected.getMessage().contains("stray"),
        disconnected.getMessage());

    IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
        () -> new Add().apply(a, Input.tensor(5)));
    assertTrue(shapes.getMessage().contains("(None, 4)") && shapes.getMessage().contains("(None, 5)"),
        shapes.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Subtract().apply(a, a, a));
    assertThrows(IllegalArgumentException.class, () -> new Dense(3).apply(a, a));

    Dense shared = new Dense(3);
    shared.apply(a);
    IllegalArgumentException sharedShape = assertThrows(IllegalArgumentException.class,
        () -> shared.apply(Input.tensor(7)));
    assertTrue(sharedShape.getMessage().contains("shared"), sharedShape.getMessage());

    KerasTensor x = Input.tensor("x", 4);
    KerasTensor twins = new Add().apply(Dense.builder(4).name("twin").build().apply(x),
        Dense.builder(4).name("twin").build().apply(x));
    IllegalArgumentException names = assertThrows(IllegalArgumentException.class, () -> new Model(x, twins));
    assertTrue(names.getMessage().contains("twin"), names.getMessage());
  }

  @Test
  void predict_ofSeveralOutputs_pointsToPredictOutputs() {
    KerasTensor x = Input.tensor("x", 4);
    KerasTensor h = new Dense(5, "relu").apply(x);
    try (Model m = new Model(List.of(x), List.of(Dense.builder(2).name("p").build().apply(h),
        Dense.builder(1).name("q").build().apply(h)))) {
      float[][] data = randomRows(N, 4, 5);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.predict(data));
      assertTrue(e.getMessage().contains("predictOutputs"), e.getMessage());
      Map<String, FloatNdArray> outs = m.predictOutputs(data);
      assertEquals(List.of("p", "q"), List.copyOf(outs.keySet()));
      assertArrayEquals(new long[] {N, 1}, outs.get("q").shape().asArray());
      m.compile(CompileOptions.builder(new Adam(1e-2), List.of("mse", "mse")).lossWeights(List.of(1.0, 2.0))
          .build());
      var h2 = m.fit(data, Map.of("p", randomRows(N, 2, 6), "q", randomRows(N, 1, 7)),
          FitOptions.builder().epochs(1).verbose(0).build());
      assertEquals(List.of("loss", "p_loss", "q_loss"), List.copyOf(h2.history().keySet()));
      assertEquals(dev.kerasj.metrics.Metric.Direction.MIN, m.logDirection("val_q_loss")); // EarlyStopping's mode auto
      assertEquals(null, m.logDirection("val_r_loss"));
      IllegalArgumentException badKey = assertThrows(IllegalArgumentException.class, () -> m.compile(
          CompileOptions.builder("adam", Map.of("p", "mse", "r", "mse")).build()));
      assertTrue(badKey.getMessage().contains("'r'"), badKey.getMessage());
    }
  }

  @Test
  void compile_takesKerasListAndDictFormsPerOutput() {
    KerasTensor x = Input.tensor("x", 4);
    KerasTensor h = new Dense(5, "relu").apply(x);
    KerasTensor p = Dense.builder(3).activation("softmax").name("p").build().apply(h);
    KerasTensor q = Dense.builder(1).name("q").build().apply(h);
    float[][] data = randomRows(N, 4, 5);
    Map<String, Object> labels = Map.of("p", classes(N, 3), "q", randomRows(N, 1, 7));
    FitOptions once = FitOptions.builder().epochs(1).verbose(0).build();
    try (Model m = new Model(List.of(x), List.of(p, q))) {
      // Keras' list form: one loss and one metric list per output, in output order.
      m.compile(CompileOptions.builder("sgd", List.of("sparse_categorical_crossentropy", "mse"))
          .metrics(List.of(List.of("accuracy"), List.of("mae"))).build());
      assertEquals(List.of("loss", "p_loss", "q_loss", "p_accuracy", "q_mae"),
          List.copyOf(m.fit(data, labels, once).history().keySet()));
      // The dict form through compile's varargs: a Map of metrics by output name.
      m.compile(new dev.kerasj.optimizers.SGD(0.01), new dev.kerasj.losses.MeanSquaredError(),
          Map.of("q", List.of("mae")));
      assertEquals(List.of("loss", "p_loss", "q_loss", "q_mae"), List.copyOf(m.fit(data,
          Map.of("p", randomRows(N, 3, 8), "q", randomRows(N, 1, 7)), once).history().keySet()));
      IllegalArgumentException flat = assertThrows(IllegalArgumentException.class,
          () -> m.compile("sgd", "mse", "mae"));
      assertTrue(flat.getMessage().contains("List of one list per output"), flat.getMessage());
    }
  }

  @Test
  void sharedDropout_dropsDifferentUnitsAtEachCallSite() {
    // x -> shared Dropout at two sites -> Subtract: zero only when both sites drop the same units.
    KerasTensor x = Input.tensor("x", 64);
    dev.kerasj.layers.Dropout shared = new dev.kerasj.layers.Dropout(0.5);
    KerasTensor diff = new Subtract().apply(shared.apply(x), shared.apply(x));
    KerasTensor out = Dense.builder(1).kernelInitializer(dev.kerasj.initializers.Constant.ones())
        .name("out").build().apply(new dev.kerasj.layers.Activation("relu").apply(diff));
    try (Model m = new Model(x, out)) {
      m.setSeed(3);
      m.compile(new dev.kerasj.optimizers.SGD(1e-9), "mse");
      float[][] ones = new float[8][64];
      for (float[] row : ones) {
        java.util.Arrays.fill(row, 1f);
      }
      double loss = m.evaluate(ones, new float[8][1]).get("loss"); // inference: no dropout, diff is 0
      assertEquals(0.0, loss, 0.0);
      double trained = m.fit(ones, new float[8][1], FitOptions.builder().epochs(1).batchSize(8).shuffle(false)
          .verbose(0).build()).get("loss").get(0);
      assertTrue(trained > 1.0, "the two call sites must draw different masks; loss=" + trained);
    }
  }

  @Test
  void trainingFalseCall_keepsANestedModelInInferenceModeDuringFit() {
    // A base with heavy Dropout, called the Keras transfer-learning way: base(x, training=False).
    float[][] x = randomRows(N, 4, 1);
    float[][] y = randomRows(N, 1, 2);
    FitOptions once = FitOptions.builder().epochs(1).batchSize(N).shuffle(false).verbose(0).build();
    for (boolean trainingFalse : new boolean[] {true, false}) {
      Sequential base = new Sequential("base", Input.of(4), new Dense(6, "relu"), new dev.kerasj.layers.Dropout(0.9));
      KerasTensor in = Input.tensor("x", 4);
      KerasTensor h = trainingFalse ? base.apply(in, false) : base.apply(in);
      try (Model m = new Model(in, Dense.builder(1).name("head").build().apply(h))) {
        m.setSeed(4);
        m.compile(new dev.kerasj.optimizers.SGD(1e-12), "mse"); // too small to move the weights
        double inference = m.evaluate(x, y, N).get("loss");
        double training = m.fit(x, y, once).get("loss").get(0);
        if (trainingFalse) {
          assertEquals(inference, training, 1e-6 * inference, "Dropout must stay off in the base");
        } else {
          assertNotEquals(inference, training, "without training=false, the base's Dropout is on during fit");
        }
      }
    }
  }

  @Test
  void summary_listsConnections() {
    try (Model m = twoInputs()) {
      String s = m.summary();
      assertTrue(s.contains("Connected to"), s);
      assertTrue(s.contains("dense[0][0],"), s);
      assertTrue(s.contains("dense_1[0][0]"), s);
      assertTrue(s.contains("concatenate[0][0]"), s);
      assertTrue(s.contains("Total params: 147"), s); // 4*8+8 + 6*8+8 + 16*3+3
    }
  }

  @Test
  void frozenLayer_keepsItsWeightsAndGetsNoOptimizerSlots() {
    KerasTensor x = Input.tensor("x", 4);
    Dense frozen = Dense.builder(6).activation("relu").name("frozen").build();
    BatchNormalization bn = new BatchNormalization(0.9, 1e-3, "bn");
    KerasTensor h = bn.apply(frozen.apply(x));
    try (Model m = new Model(x, Dense.builder(3).activation("softmax").name("head").build().apply(h))) {
      m.setSeed(11);
      frozen.setTrainable(false);
      bn.setTrainable(false);
      m.compile("adam", "sparse_categorical_crossentropy");
      assertEquals(List.of("head/kernel", "head/bias"), m.trainableWeights().stream().map(Weight::path).toList());
      assertEquals(6, m.nonTrainableWeights().size());
      Map<String, FloatNdArray> before = m.getWeightsByPath();
      m.fit(randomRows(N, 4, 1), classes(N, 3), FitOptions.builder().epochs(2).batchSize(8).verbose(0).build());
      Map<String, FloatNdArray> after = m.getWeightsByPath();
      for (String frozenPath : List.of("frozen/kernel", "frozen/bias", "bn/gamma", "bn/beta", "bn/moving_mean",
          "bn/moving_variance")) {
        assertEquals(before.get(frozenPath), after.get(frozenPath), frozenPath + " must not change");
      }
      assertNotEquals(before.get("head/kernel"), after.get("head/kernel"));
      List<String> slots = m.graphForInternalUse().variables().stream().map(v -> v.name())
          .filter(n -> n.startsWith("adam/") && !n.endsWith("learning_rate") && !n.endsWith("iterations")).toList();
      assertEquals(4, slots.size(), "Adam's m and v for head's kernel and bias only: " + slots);

      frozen.setTrainable(true); // Keras: takes effect at the next compile
      m.compile("adam", "sparse_categorical_crossentropy");
      m.fit(randomRows(N, 4, 1), classes(N, 3), FitOptions.builder().epochs(1).batchSize(8).verbose(0).build());
      assertNotEquals(after.get("frozen/kernel"), m.getWeightsByPath().get("frozen/kernel"));
    }
  }

  @Test
  void builtModel_usedAsLayer_carriesItsWeightsAndHandsThemOver() {
    Sequential encoder = new Sequential("encoder", Input.of(4), new Dense(5, "relu"));
    encoder.setSeed(2);
    encoder.build();
    FloatNdArray kernel = encoder.getWeights().get(0);
    KerasTensor x = Input.tensor("x", 4);
    try (Model outer = new Model(x, new Dense(2).apply(encoder.apply(x)))) {
      assertEquals(List.of("encoder/dense/kernel", "encoder/dense/bias", "dense/kernel", "dense/bias"),
          outer.weights().stream().map(Weight::path).toList());
      assertEquals(kernel, outer.getWeights().get(0), "the nested model starts from its own current values");
      IllegalStateException e = assertThrows(IllegalStateException.class, encoder::getWeights);
      assertTrue(e.getMessage().contains("gave its layers to another model"), e.getMessage());
    } finally {
      encoder.close();
    }
  }

  @Test
  void sequential_inSequential_trains() {
    Sequential inner = new Sequential("block", Input.of(4), new Dense(6, "relu"));
    try (Sequential outer = new Sequential(Input.of(4), inner, new Dense(3, "softmax"))) {
      outer.setSeed(5);
      outer.compile("sgd", "sparse_categorical_crossentropy");
      var h = outer.fit(randomRows(N, 4, 1), classes(N, 3), FitOptions.builder().epochs(1).verbose(0).build());
      assertTrue(Double.isFinite(h.get("loss").get(0)));
      assertEquals(List.of("block/dense/kernel", "block/dense/bias", "dense/kernel", "dense/bias"),
          outer.weights().stream().map(Weight::path).toList());
    }
  }
}
