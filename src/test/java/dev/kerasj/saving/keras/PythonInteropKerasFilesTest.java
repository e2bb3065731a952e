package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.History;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.RMSprop;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.StdArrays;

/**
 * Writes {@code .keras} and {@code .weights.h5} files from Java for
 * {@code python-interop/tests/test_java_keras_files.py}, which opens them with {@code keras.models.load_model} /
 * {@code model.load_weights}, compares predictions and takes one more training step against Java's. Each case
 * trains in Java first (so weights and optimizer state are Java's), then writes, under
 * {@code <kerasj.interopDir>/keras/}: {@code <case>.keras}, {@code <case>.weights.h5} and {@code <case>.json} (x,
 * Java's predictions, the next batch, Java's loss on it and every variable after that step, keyed by its path in the
 * weights file). Java reads its own archive back bitwise.
 *
 * <p>Cases: the seven Keras fixtures of {@link KerasFilesFixturesTest} (rebuilt from Keras' files; the trained
 * ones then take one more step in Java), {@code java_bn_rmsprop}, a model built and trained with the Java API only, and
 * {@code java_untrained_adam}, compiled and saved before any step; {@code java_custom_names} (layers named
 * {@code encoder}, {@code norm}, {@code head}) and {@code java_swapped_names} (Dense layers of equal shapes named
 * {@code dense_1} then {@code dense}), which Python reads only if kerasj addresses layers by class as Keras does.
 */
class PythonInteropKerasFilesTest {
  static Path out() {
    return Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("keras");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp_adam", "cnn_sgd_momentum", "gap_rmsprop", "embedding_adagrad", "reshape_adamw",
      "untrained_adam", "uncompiled_dropout", "java_bn_rmsprop", "java_untrained_adam", "java_custom_names",
      "java_swapped_names"})
  void writeKerasFilesForPython(String name) throws IOException {
    Path dir = out();
    Files.createDirectories(dir);
    Object x;
    Object stepX = null;
    Object stepY = null;
    Sequential model;
    if (name.startsWith("java_")) {
      SplittableRandom r = new SplittableRandom(7);
      float[][] xs = new float[48][6];
      int[] ys = new int[48];
      for (int i = 0; i < xs.length; i++) {
        for (int j = 0; j < 6; j++) {
          xs[i][j] = (float) r.nextGaussian();
        }
        ys[i] = r.nextInt(3);
      }
      model = switch (name) {
        case "java_custom_names" -> new Sequential("my_net", Input.of(6),
            Dense.builder(8).activation("tanh").name("encoder").build(), new BatchNormalization(0.99, 1e-3, "norm"),
            Dense.builder(3).activation("softmax").name("head").build());
        // Equal shapes, each named the other's class path: read by name, Python would load them swapped.
        case "java_swapped_names" -> new Sequential(Input.of(6),
            Dense.builder(6).activation("tanh").name("dense_1").build(),
            Dense.builder(6).activation("relu").name("dense").build(),
            Dense.builder(3).activation("softmax").name("output").build());
        default -> new Sequential(Input.of(6), new Dense(8, "tanh"), new BatchNormalization(), new Dense(3, "softmax"));
      };
      model.setSeed(11);
      if (name.contains("untrained")) {
        model.compile(new Adam(5e-3), new SparseCategoricalCrossentropy(), "accuracy"); // saved before any step
      } else {
        model.compile(new RMSprop(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
        model.fit(xs, ys, FitOptions.builder().epochs(2).batchSize(16).shuffle(false).verbose(0).build());
      }
      x = java.util.Arrays.copyOf(xs, 10);
      stepX = java.util.Arrays.copyOf(xs, 16);
      stepY = java.util.Arrays.copyOf(ys, 16);
    } else {
      try (HdfFile expected = new HdfFile(KerasFilesFixturesTest.DIR.resolve(name + ".expected.h5"))) {
        x = expected.getDatasetByPath("x").getData();
        model = Sequential.load(KerasFilesFixturesTest.DIR.resolve(name + ".keras"));
        if (model.isCompiled() && !name.startsWith("untrained")) {
          stepX = expected.getDatasetByPath("step/x").getData();
          stepY = expected.getDatasetByPath("step/y").getData();
          model.fit(stepX, stepY, FitOptions.builder().epochs(1).batchSize(16).shuffle(false).verbose(0).build());
        } else if (model.isCompiled()) {
          stepX = expected.getDatasetByPath("step/x").getData();
          stepY = expected.getDatasetByPath("step/y").getData();
        }
      }
    }
    try (model) {
      model.save(dir.resolve(name + ".keras"));
      model.saveWeights(dir.resolve(name + ".weights.h5"));
      ObjectNode json = KerasJson.mapper().createObjectNode();
      json.set("x", KerasJson.mapper().valueToTree(x));
      float[][] predict = StdArrays.array2dCopyOf(model.predict(x));
      json.set("predict", KerasJson.mapper().valueToTree(predict));
      assertReadsBackBitwise(model, dir.resolve(name + ".keras"), x, predict);
      if (stepX != null) {
        json.set("step_x", KerasJson.mapper().valueToTree(stepX));
        json.set("step_y", KerasJson.mapper().valueToTree(stepY));
        History h = model.fit(stepX, stepY,
            FitOptions.builder().epochs(1).batchSize(16).shuffle(false).verbose(0).build());
        json.put("step_loss", h.get("loss").get(0));
        ObjectNode after = json.putObject("after");
        WeightsLayout layout = WeightsLayout.of(model);
        List<HostArray> values = model.graphForInternalUse().read(
            layout.all().stream().map(WeightsLayout.Entry::slot).toList());
        for (int i = 0; i < values.size(); i++) {
          HostArray v = values.get(i);
          after.set(layout.all().get(i).path(), KerasJson.mapper().valueToTree(v.isFloat() ? v.floats() : v.ints()));
        }
      }
      Files.write(dir.resolve(name + ".json"), KerasJson.toBytes(json));
    }
  }

  /** Java's own reader gives back the same predictions and every variable, bit for bit. */
  static void assertReadsBackBitwise(Sequential model, Path file, Object x, float[][] predict) throws IOException {
    try (Sequential again = Sequential.load(file)) {
      assertEquals(model.isCompiled(), again.isCompiled());
      assertArrayEquals(predict, StdArrays.array2dCopyOf(again.predict(x)));
      List<WeightsLayout.Entry> a = WeightsLayout.of(model).all();
      List<WeightsLayout.Entry> b = WeightsLayout.of(again).all();
      assertEquals(a.size(), b.size());
      List<HostArray> va = model.graphForInternalUse().read(a.stream().map(WeightsLayout.Entry::slot).toList());
      List<HostArray> vb = again.graphForInternalUse().read(b.stream().map(WeightsLayout.Entry::slot).toList());
      for (int i = 0; i < a.size(); i++) {
        assertEquals(a.get(i).path(), b.get(i).path());
        if (va.get(i).isFloat()) {
          assertArrayEquals(va.get(i).floats(), vb.get(i).floats(), a.get(i).path());
        } else {
          assertArrayEquals(va.get(i).ints(), vb.get(i).ints(), a.get(i).path());
        }
      }
    }
  }
}
