package dev.kerasj;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writes, for {@code python-interop/tests/test_java_sequence_files.py}, a {@code .keras} archive and a
 * {@code .weights.h5} file of every case of {@code testdata/sequence/}, built in Java with Keras' trained weights,
 * under {@code <kerasj.interopDir>/sequence/}, with {@code <case>.json}: x_val's shape and values and Java's
 * predictions for it. Then, after one more epoch of training in Java (so the optimizer has state), the TensorFlow
 * formats: {@code <case>_savedmodel/} ({@code Model.save(dir)}), {@code <case>_ckpt/ckpt-1} (a TF object-based
 * checkpoint, {@code Model.saveWeights}) and {@code <case>_tf.json} (Java's predictions in that state).
 */
class PythonInteropSequenceFilesTest {
  static Path out() {
    return Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("sequence");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"conv1d_digits", "masked_steps", "pooling_variants"})
  void writeSequenceFilesForPython(String name) throws IOException {
    LayerParity.writeFilesForPython(out(), name, SequenceParityTest.fixture(name),
        SequenceParityTest.CASES.get(name));
  }


}
