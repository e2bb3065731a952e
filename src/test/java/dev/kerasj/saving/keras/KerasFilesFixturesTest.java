package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.callbacks.History;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * Files written by real Keras 3.15.1 ({@code python-interop/make_keras_files_fixtures.py}, committed under
 * {@code testdata/keras/}) open in kerasj: every {@code .keras} archive rebuilds the same model (every layer type
 * kerasj has, each optimizer), predicts what Keras predicted, and, with the optimizer state it restored, takes the
 * same next training step as Keras ({@code step/loss}, every weight and optimizer variable after it). Every
 * {@code .weights.h5} restores into the rebuilt model and gives Keras' predictions again.
 *
 * <p>Four cases exist for Keras' addressing of layers by class ({@link dev.kerasj.saving.KerasPaths}): custom names,
 * automatic names shifted by a model built earlier in the same Python process, two Dense layers of equal shapes whose
 * custom names are each other's class path ({@code dense_1} then {@code dense}: a name-based reader would load them
 * swapped without an error), and Conv2D / BatchNormalization / GlobalAveragePooling2D with custom names.
 */
public class KerasFilesFixturesTest {
  static final Path DIR = Path.of("testdata", "keras");
  static final double RTOL = 1e-5;
  static final double ATOL = 1e-6;

  @ParameterizedTest
  @ValueSource(strings = {"mlp_adam", "cnn_sgd_momentum", "gap_rmsprop", "embedding_adagrad", "reshape_adamw",
      "untrained_adam", "uncompiled_dropout", "custom_names_sgd", "shifted_names_adagrad", "swapped_names_sgd",
      "conv_bn_names_sgd"})
  void kerasArchive_loadsPredictsAndTrainsLikeKeras(String name) throws IOException {
    try (HdfFile expected = new HdfFile(DIR.resolve(name + ".expected.h5"));
        Sequential model = Sequential.load(DIR.resolve(name + ".keras"))) {
      Object x = expected.getDatasetByPath("x").getData();
      assertClose(flat(expected.getDatasetByPath("predict")), flat(model.predict(x)), name + " predict");
      boolean compiled = !name.startsWith("uncompiled");
      assertEquals(compiled, model.isCompiled(), name + " compiled");
      if (!compiled) {
        return;
      }
      History h = model.fit(expected.getDatasetByPath("step/x").getData(),
          expected.getDatasetByPath("step/y").getData(),
          FitOptions.builder().epochs(1).batchSize(16).shuffle(false).verbose(0).build());
      float kerasLoss = ((float[]) expected.getDatasetByPath("step/loss").getDataFlat())[0];
      assertEquals(kerasLoss, h.get("loss").get(0), 1e-5 * Math.abs(kerasLoss) + 1e-6, name + " step loss");
      WeightsLayout layout = WeightsLayout.of(model);
      List<HostArray> after = model.graphForInternalUse().read(
          layout.all().stream().map(WeightsLayout.Entry::slot).toList());
      // The expected file keys a weight by its layer's name: after/<layer name>/<i>, after/optimizer/<k>.
      java.util.Map<String, String> layerNameOfGroup = new java.util.HashMap<>();
      layout.layerGroups().forEach(g -> layerNameOfGroup.put(g.group(), g.layer().name()));
      for (int i = 0; i < layout.all().size(); i++) {
        WeightsLayout.Entry e = layout.all().get(i);
        String key = e.group().equals(WeightsLayout.OPTIMIZER_VARS) ? "after/optimizer/" + e.index()
            : "after/" + layerNameOfGroup.get(e.group()) + "/" + e.index();
        Dataset d = expected.getDatasetByPath(key);
        HostArray actual = after.get(i);
        if (actual.isFloat()) {
          assertClose((float[]) d.getDataFlat(), actual.floats(), name + " " + key);
        } else {
          assertEquals(((long[]) d.getDataFlat())[0], actual.ints()[0], name + " " + key);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp_adam", "cnn_sgd_momentum", "gap_rmsprop", "embedding_adagrad", "reshape_adamw",
      "untrained_adam", "uncompiled_dropout", "custom_names_sgd", "shifted_names_adagrad", "swapped_names_sgd",
      "conv_bn_names_sgd"})
  void weightsFile_restoresIntoRebuiltModel(String name) throws IOException {
    try (HdfFile expected = new HdfFile(DIR.resolve(name + ".expected.h5"));
        Sequential model = Sequential.load(DIR.resolve(name + ".keras"))) {
      List<Object> shaped = new ArrayList<>();
      for (int i = 0; i < model.weights().size(); i++) {
        shaped.add(HostArrayShim.zeros(model.weights().get(i).shape()));
      }
      model.setWeights(shaped);
      Object x = expected.getDatasetByPath("x").getData();
      float[] predicted = flat(model.predict(x));
      assertFalse(java.util.Arrays.equals(flat(expected.getDatasetByPath("predict")), predicted));
      model.loadWeights(DIR.resolve(name + ".weights.h5"));
      assertClose(flat(expected.getDatasetByPath("predict")), flat(model.predict(x)), name + " predict");
    }
  }

  static float[] flat(Dataset d) {
    Object data = d.getDataFlat();
    return data instanceof float[] f ? f : null;
  }

  static float[] flat(FloatNdArray a) {
    float[] out = new float[(int) a.size()];
    a.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
    return out;
  }

  static void assertClose(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + " size");
    for (int i = 0; i < expected.length; i++) {
      double tol = RTOL * Math.abs(expected[i]) + ATOL;
      assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
          what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
    }
  }

  /** Zero arrays of a weight's shape, as nested Java arrays {@code setWeights} takes. */
  static final class HostArrayShim {
    static Object zeros(long[] shape) {
      int[] dims = java.util.Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
      return dims.length == 0 ? 0f : java.lang.reflect.Array.newInstance(float.class, dims);
    }
  }
}
