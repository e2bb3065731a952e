package dev.kerasj;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writes, for {@code python-interop/tests/test_java_rnn_state_files.py}, every case of {@code testdata/rnn_state/}
 * (recurrent layers returning their states and starting from given ones) built in Java with Keras' trained weights,
 * under {@code <kerasj.interopDir>/rnn_state/}: {@code <case>.keras}, {@code <case>.weights.h5}, {@code <case>.json};
 * after one more epoch in Java, {@code <case>_savedmodel/}, {@code <case>_ckpt/ckpt-1} and {@code <case>_tf.json}
 * (see {@link LayerParity#writeFilesForPython}).
 */
class PythonInteropRecurrentStateFilesTest {
  static Path out() {
    return Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("rnn_state");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"seq2seq_reverse", "gru_state_masked", "bidirectional_state",
      "bidirectional_initial_state"})
  void writeRecurrentStateFilesForPython(String name) throws IOException {
    LayerParity.writeFilesForPython(out(), name, RecurrentStateParityTest.fixture(name),
        RecurrentStateParityTest.CASES.get(name));
  }
}
