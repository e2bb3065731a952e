package dev.kerasj;

import dev.kerasj.saving.DurableFiles;
import dev.kerasj.testing.LayerParityFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writes, for {@code python-interop/tests/test_java_attention_files.py}, a {@code .keras} archive and a
 * {@code .weights.h5} file of every case of {@code testdata/attention/}, built in Java with Keras' trained weights,
 * under {@code <kerasj.interopDir>/attention/}, with {@code <case>.json}: x_val's shape and values and Java's
 * predictions for it. Then, after one more epoch of training in Java (so the optimizer has state), the TensorFlow
 * formats: {@code <case>_savedmodel/} ({@code Model.save(dir)}), {@code <case>_ckpt/ckpt-1} (a TF object-based
 * checkpoint, {@code Model.saveWeights}) and {@code <case>_tf.json} (Java's predictions in that state).
 */
class PythonInteropAttentionFilesTest {
  static Path out() {
    return Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("attention");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"encoder_digits", "masked_attention", "cross_attention", "dropout_attention"})
  void writeAttentionFilesForPython(String name) throws IOException {
    Path dir = out();
    Files.createDirectories(dir);
    LayerParityFixture f = AttentionParityTest.fixture(name);
    try (Model model = AttentionParityTest.CASES.get(name).get()) {
      model.setWeights(f.weights("final", model.weights()));
      model.save(dir.resolve(name + ".keras"));
      model.saveWeights(dir.resolve(name + ".weights.h5"));
      float[] predicted = KerasParityTest.toFloats(model.predict(f.xVal(), f.batchSize()));
      String json = "{\"x_shape\": " + Arrays.toString(f.xVal().shape()) + ", \"x\": " + floats(f.xVal().floats())
          + ", \"predict\": " + floats(predicted) + "}\n";
      Files.writeString(dir.resolve(name + ".json"), json, StandardCharsets.UTF_8);

      model.fit(f.x(), f.y(), FitOptions.builder().epochs(1).batchSize(f.batchSize()).shuffle(false).verbose(0)
          .build());
      DurableFiles.deleteRecursively(dir.resolve(name + "_savedmodel"));
      DurableFiles.deleteRecursively(dir.resolve(name + "_ckpt"));
      Files.createDirectories(dir.resolve(name + "_ckpt"));
      model.save(dir.resolve(name + "_savedmodel"));
      model.saveWeights(dir.resolve(name + "_ckpt").resolve("ckpt-1"));
      Files.writeString(dir.resolve(name + "_tf.json"), "{\"predict\": "
          + floats(KerasParityTest.toFloats(model.predict(f.xVal(), f.batchSize()))) + "}\n", StandardCharsets.UTF_8);
    }
  }

  private static String floats(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(Float.toString(v[i]));
    }
    return sb.append("]").toString();
  }

}
