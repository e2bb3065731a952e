package dev.kerasj.saving.tfcheckpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.internal.Tensors;
import dev.kerasj.layers.Activation;
import dev.kerasj.layers.AveragePooling2D;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.GlobalAveragePooling2D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.MaxPooling2D;
import dev.kerasj.layers.Reshape;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.Loss;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adagrad;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.AdamW;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.RMSprop;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.optimizers.schedules.ExponentialDecay;
import dev.kerasj.testing.TensorBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Models and file helpers shared by the checkpoint tests. The models mirror, layer for layer and optimizer for
 * optimizer, the cases of {@code python-interop/make_checkpoint_fixtures.py} (same Keras names, same order).
 */
final class CheckpointTesting {
  static final Path CHECKPOINT_FIXTURES = Path.of("testdata", "checkpoints");

  private CheckpointTesting() {}

  /** A Java model of one fixture case; {@code optimizer == null} leaves it built but uncompiled. */
  record Case(String name, Supplier<Layer[]> layers, Supplier<Optimizer> optimizer, Supplier<Loss> loss,
      boolean intInputs) {
    Sequential build(long seed) {
      Sequential m = new Sequential(layers.get());
      m.setSeed(seed);
      if (optimizer == null) {
        m.build();
      } else {
        m.compile(optimizer.get(), loss.get());
      }
      return m;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Layer[] mlp() {
    return new Layer[] {Input.of(64), new Dense(32, "relu"), new Dense(10, "softmax")};
  }

  static Layer[] cnnBn() {
    return new Layer[] {Input.of(8, 8, 1), Conv2D.builder(8, 3, 3).padding("same").activation("relu").build(),
        new BatchNormalization(), new MaxPooling2D(2),
        Conv2D.builder(16, 3, 3).padding("same").activation("relu").build(), new AveragePooling2D(2),
        new GlobalAveragePooling2D(), new Dense(10, "softmax")};
  }

  static Layer[] embedding() {
    return new Layer[] {Input.of(Input.DType.INT32, 10), new Embedding(50, 8), new Flatten(), new Dense(1, "sigmoid")};
  }

  static Layer[] allLayers() {
    return new Layer[] {Input.of(64), new Reshape(8, 8, 1), new Conv2D(4, 3, "relu"), new BatchNormalization(),
        new MaxPooling2D(2), new AveragePooling2D(1), new Flatten(), new Dropout(0.3), new Dense(10),
        new Activation("softmax")};
  }

  /** Every case of make_checkpoint_fixtures.py, by name. */
  static final Map<String, Case> CASES = cases();

  private static Map<String, Case> cases() {
    Supplier<Loss> scce = SparseCategoricalCrossentropy::new;
    List<Case> all = List.of(
        new Case("mlp_adam", CheckpointTesting::mlp, () -> new Adam(1e-3), scce, false),
        new Case("cnn_bn_sgd_momentum", CheckpointTesting::cnnBn, () -> new SGD(0.05, 0.9, false), scce, false),
        new Case("layout_mlp_adam_exponential_decay", CheckpointTesting::mlp,
            () -> new Adam(1e-3).setLearningRateSchedule(new ExponentialDecay(1e-3, 2, 0.5)), scce, false),
        new Case("embedding_adam", CheckpointTesting::embedding, () -> new Adam(1e-2), BinaryCrossentropy::new, true),
        new Case("layout_mlp_sgd", CheckpointTesting::mlp, () -> new SGD(0.1), scce, false),
        new Case("layout_mlp_rmsprop", CheckpointTesting::mlp, () -> new RMSprop(1e-3), scce, false),
        new Case("layout_mlp_rmsprop_momentum_centered", CheckpointTesting::mlp,
            () -> new RMSprop(1e-3, RMSprop.DEFAULT_RHO, 0.5, RMSprop.DEFAULT_EPSILON, true), scce, false),
        new Case("layout_mlp_adagrad", CheckpointTesting::mlp, () -> new Adagrad(0.05), scce, false),
        new Case("layout_mlp_adamw", CheckpointTesting::mlp, () -> new AdamW(1e-3, 0.004), scce, false),
        new Case("layout_all_layers_adam", CheckpointTesting::allLayers, () -> new Adam(1e-3), scce, false),
        new Case("layout_mlp_uncompiled", CheckpointTesting::mlp, null, null, false));
    Map<String, Case> out = new LinkedHashMap<>();
    all.forEach(c -> out.put(c.name(), c));
    return out;
  }

  /** 40 random digit-like samples: {x float[40][64] in [0,1), y int[40] in [0,10)}. */
  static Object[] randomData(long seed, int n) {
    java.util.Random r = new java.util.Random(seed);
    float[][] x = new float[n][64];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 64; j++) {
        x[i][j] = r.nextFloat();
      }
      y[i] = r.nextInt(10);
    }
    return new Object[] {x, y};
  }

  /** An MLP with Adam, trained {@code epochs} epochs on {@link #randomData}, seeded. */
  static Sequential trainedMlp(long seed, int epochs) {
    Sequential m = CASES.get("mlp_adam").build(seed);
    Object[] d = randomData(seed, 40);
    if (epochs > 0) {
      m.fit(d[0], d[1], FitOptions.builder().epochs(epochs).batchSize(16).seed(seed).verbose(0).build());
    }
    return m;
  }

  /** Every variable of the model's graph (weights and optimizer state), by graph name, as raw values. */
  static Map<String, HostArray> allVariables(dev.kerasj.Model model) {
    ModelGraph g = model.graphForInternalUse();
    List<ModelGraph.VariableSlot> slots = g.variables();
    List<HostArray> values = g.read(slots);
    Map<String, HostArray> out = new TreeMap<>();
    for (int i = 0; i < slots.size(); i++) {
      out.put(slots.get(i).name(), values.get(i));
    }
    return out;
  }

  /** Asserts bitwise equality of two variable maps (same names, shapes, values). */
  static void assertSameValues(Map<String, HostArray> expected, Map<String, HostArray> actual) {
    assertEquals(expected.keySet(), actual.keySet(), "variable names");
    for (String k : expected.keySet()) {
      HostArray e = expected.get(k);
      HostArray a = actual.get(k);
      assertArrayEquals(e.shape(), a.shape(), k + ": shape");
      if (e.isFloat()) {
        int[] eb = bits(e.floats());
        int[] ab = bits(a.floats());
        assertArrayEquals(eb, ab, k + ": values differ bitwise");
      } else {
        assertArrayEquals(e.ints(), a.ints(), k + ": values");
      }
    }
  }

  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  /** The serialized object graph stored in a checkpoint, as raw bytes (it is binary, not UTF-8). */
  static TrackableObjectGraph objectGraph(Path prefix) throws Exception {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Restore r = tf.train.restore(tf.constant(prefix.toString()),
          tf.constant(StandardCharsets.UTF_8, new String[] {CheckpointFiles.OBJECT_GRAPH_KEY}),
          tf.constant(StandardCharsets.UTF_8, new String[] {""}), List.of(TString.class));
      try (Result res = s.runner().fetch(r.tensors().get(0)).run()) {
        return TrackableObjectGraph.parseFrom(((TString) res.get(0)).asBytes().getObject());
      }
    }
  }

  /** Key → "dtype[shape]" of every tensor in a bundle, sorted by key. */
  static Map<String, String> entries(Path prefix) {
    BundleIndex index = BundleIndex.read(prefix);
    Map<String, String> out = new TreeMap<>();
    for (String key : index.keys()) {
      out.put(key, index.get(key).describe());
    }
    return out;
  }

  /** Reads numeric tensors of a bundle with RestoreV2. */
  static Map<String, HostArray> readBundle(Path prefix, Map<String, Class<? extends TType>> dtypes) {
    List<String> names = new ArrayList<>(dtypes.keySet());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Restore r = tf.train.restore(tf.constant(prefix.toString()),
          tf.constant(StandardCharsets.UTF_8, names.toArray(String[]::new)),
          tf.constant(StandardCharsets.UTF_8, names.stream().map(n -> "").toArray(String[]::new)),
          names.stream().map(dtypes::get).toList());
      Session.Runner runner = s.runner();
      r.tensors().forEach(runner::fetch);
      Map<String, HostArray> out = new LinkedHashMap<>();
      try (Result res = runner.run()) {
        for (int i = 0; i < names.size(); i++) {
          out.put(names.get(i), Tensors.toHost(res.get(i)));
        }
      }
      return out;
    }
  }

  /**
   * Writes a plain tensor bundle ({@code prefix.index} + {@code .data-00000-of-00001}) with TensorFlow's SaveV2:
   * the format Python reads with {@code tf.train.load_checkpoint(prefix).get_tensor(name)}. Int values are int32.
   */
  static void writeBundle(Path prefix, Map<String, HostArray> tensors) {
    TensorBundle.write(prefix, tensors);
  }

}
