package dev.kerasj;

import static dev.kerasj.KerasParityTest.toFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.KerasParityTest.Diff;
import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Weight;
import dev.kerasj.testing.LayerParityFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.types.TFloat32;

/**
 * The checks that {@link SequenceParityTest}, {@link AttentionParityTest} and {@link RecurrentParityTest} share
 * ({@link #compareEvaluate} also {@link KerasParityTest}),
 * over a {@link LayerParityFixture}. Here rather than in {@code dev.kerasj.testing} because it reports through
 * {@link KerasParityTest.Diff}, which is package-private to {@code dev.kerasj}.
 */
final class LayerParity {
  private LayerParity() {}

  /**
   * Trains {@code build}'s model from Keras' initial weights as Keras did (no shuffle, x_val/y_val as validation) and
   * requires Keras' weight paths and order, then Keras' history, final weights, predictions and evaluation within
   * {@link KerasParityTest#RTOL}/{@link KerasParityTest#ATOL}.
   */
  static void assertFitMatchesKeras(String name, LayerParityFixture f, Supplier<Model> build) {
    assertFitMatchesKeras(name, f, build, f.x(), f.xVal());
  }

  /**
   * {@link #assertFitMatchesKeras(String, LayerParityFixture, Supplier)} with the model's inputs given apart from
   * the fixture's {@code x}/{@code x_val} (a model of several inputs: a {@code List} of arrays in input order).
   */
  static void assertFitMatchesKeras(String name, LayerParityFixture f, Supplier<Model> build, Object x,
      Object xVal) {
    try (Model model = build.get()) {
      List<String> kerasNames = f.bundle().readStrings("meta/weight_names");
      assertEquals(kerasNames, model.weights().stream().map(Weight::path).toList(),
          "Java weight paths and order must equal Keras' variable.path order");
      model.setWeights(f.weights("initial", model.weights()));
      History h = model.fit(x, f.y(), FitOptions.builder().epochs(f.epochs()).batchSize(f.batchSize())
          .shuffle(false).validationData(xVal, f.yVal()).verbose(0).build());
      assertEquals(kerasNames.size(), model.weights().size());
      Diff diff = new Diff(name);
      for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
        diff.compare("history/" + e.getKey(), f.bundle().read("history/" + e.getKey(), TFloat32.class).floats(),
            toFloats(e.getValue()));
      }
      Map<String, Object> finals = f.weights("final", model.weights());
      for (int i = 0; i < model.weights().size(); i++) {
        Weight w = model.weights().get(i);
        diff.compare("final/" + w.path(), ((HostArray) finals.get(w.path())).floats(),
            toFloats(model.getWeights().get(i)));
      }
      diff.compare("predict", f.kerasPredictions(), toFloats(model.predict(xVal, f.batchSize())));
      compareEvaluate(diff, f, model, xVal);
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
    }
  }

  /** Adds {@code model.evaluate(x_val, y_val)}, metric by metric, against Keras' evaluation. */
  static void compareEvaluate(Diff diff, LayerParityFixture f, Model model) {
    compareEvaluate(diff, f, model, f.xVal());
  }

  /** {@link #compareEvaluate(Diff, LayerParityFixture, Model)} on inputs {@code xVal}. */
  static void compareEvaluate(Diff diff, LayerParityFixture f, Model model, Object xVal) {
    for (Map.Entry<String, Double> e : model.evaluate(xVal, f.yVal(), f.batchSize()).entrySet()) {
      diff.compare("evaluate/" + e.getKey(), f.bundle().read("evaluate/" + e.getKey(), TFloat32.class).floats(),
          new float[] {e.getValue().floatValue()});
    }
  }

  /** {@code model} (weights already loaded) predicts x_val as Keras did, within the parity tolerance. */
  static void assertPredictsLikeKeras(String label, LayerParityFixture f, Model model) {
    Diff diff = new Diff(label);
    diff.compare("predict", f.kerasPredictions(), toFloats(model.predict(f.xVal(), f.batchSize())));
    diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
  }

  /**
   * Keras' final weights in {@code build}'s model predict what Keras predicted (parity tolerance); that model, written
   * by Java as {@code .keras}, {@code .weights.h5}, TF checkpoint and SavedModel under {@code dir} and read back by
   * Java, predicts the same values bit for bit.
   */
  static void assertRoundTripsInEveryFormat(String name, LayerParityFixture f, Supplier<Model> build, Path dir)
      throws IOException {
    try (Model trained = build.get()) {
      trained.setWeights(f.weights("final", trained.weights()));
      float[] expected = toFloats(trained.predict(f.xVal(), f.batchSize()));
      Diff keras = new Diff(name + " from Keras' final weights");
      keras.compare("predict", f.kerasPredictions(), expected);
      keras.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
      Diff diff = new Diff(name + " java round trips");

      trained.save(dir.resolve("m.keras"));
      try (Model back = Model.load(dir.resolve("m.keras"))) {
        diff.compare(".keras", expected, toFloats(back.predict(f.xVal(), f.batchSize())));
      }
      trained.saveWeights(dir.resolve("m.weights.h5"));
      try (Model back = build.get()) {
        back.loadWeights(dir.resolve("m.weights.h5"));
        diff.compare(".weights.h5", expected, toFloats(back.predict(f.xVal(), f.batchSize())));
      }
      // The public API: a path without a .weights.h5 / .keras name is a TF checkpoint prefix / SavedModel directory.
      Path prefix = dir.resolve("ckpt").resolve("ckpt-1");
      Files.createDirectories(prefix.getParent());
      trained.saveWeights(prefix);
      try (Model back = build.get()) {
        back.loadWeights(prefix);
        diff.compare("tf checkpoint", expected, toFloats(back.predict(f.xVal(), f.batchSize())));
      }
      trained.save(dir.resolve("saved"));
      try (Model back = Model.load(dir.resolve("saved"))) {
        diff.compare("savedmodel", expected, toFloats(back.predict(f.xVal(), f.batchSize())));
      }
      diff.assertWithin(0, 0);
    }
  }

  /**
   * Writes, for the Python test that reads Java's files, {@code build}'s model with Keras' trained weights as
   * {@code <name>.keras} and {@code <name>.weights.h5} with {@code <name>.json} (x_val's shape and values, Java's
   * predictions), then, after one more epoch, {@code <name>_savedmodel}, the TF checkpoint {@code <name>_ckpt/ckpt-1}
   * and {@code <name>_tf.json} (Java's predictions then).
   */
  static void writeFilesForPython(Path dir, String name, LayerParityFixture f, Supplier<Model> build)
      throws IOException {
    Files.createDirectories(dir);
    try (Model model = build.get()) {
      model.setWeights(f.weights("final", model.weights()));
      model.save(dir.resolve(name + ".keras"));
      model.saveWeights(dir.resolve(name + ".weights.h5"));
      float[] predicted = toFloats(model.predict(f.xVal(), f.batchSize()));
      String x = f.xVal().isFloat() ? jsonFloats(f.xVal().floats()) : java.util.Arrays.toString(f.xVal().ints());
      String json = "{\"x_shape\": " + java.util.Arrays.toString(f.xVal().shape()) + ", \"x\": " + x
          + ", \"predict\": " + jsonFloats(predicted) + "}\n";
      Files.writeString(dir.resolve(name + ".json"), json, java.nio.charset.StandardCharsets.UTF_8);

      model.fit(f.x(), f.y(), FitOptions.builder().epochs(1).batchSize(f.batchSize()).shuffle(false).verbose(0)
          .build());
      dev.kerasj.saving.DurableFiles.deleteRecursively(dir.resolve(name + "_savedmodel"));
      dev.kerasj.saving.DurableFiles.deleteRecursively(dir.resolve(name + "_ckpt"));
      Files.createDirectories(dir.resolve(name + "_ckpt"));
      model.save(dir.resolve(name + "_savedmodel"));
      model.saveWeights(dir.resolve(name + "_ckpt").resolve("ckpt-1"));
      Files.writeString(dir.resolve(name + "_tf.json"), "{\"predict\": "
          + jsonFloats(toFloats(model.predict(f.xVal(), f.batchSize()))) + "}\n",
          java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** A JSON array of floats, each as Java prints it (the shortest form that reads back to the same float). */
  static String jsonFloats(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(Float.toString(v[i]));
    }
    return sb.append("]").toString();
  }
}
