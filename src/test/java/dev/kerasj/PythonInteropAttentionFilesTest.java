package dev.kerasj;

import java.io.IOException;
import java.nio.file.Path;
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
    LayerParity.writeFilesForPython(out(), name, AttentionParityTest.fixture(name),
        AttentionParityTest.CASES.get(name));
  }


}
