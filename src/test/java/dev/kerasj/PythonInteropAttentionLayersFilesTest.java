package dev.kerasj;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Writes, for {@code python-interop/tests/test_java_attention_layers_files.py}, every case of
 * {@code testdata/attention_layers/} ({@code Attention}, {@code AdditiveAttention}) built in Java with Keras' trained
 * weights, under {@code <kerasj.interopDir>/attention_layers/}: {@code <case>.keras}, {@code <case>.weights.h5},
 * {@code <case>.json}; after one more epoch in Java, {@code <case>_savedmodel/}, {@code <case>_ckpt/ckpt-1} and
 * {@code <case>_tf.json} (see {@link LayerParity#writeFilesForPython}).
 */
class PythonInteropAttentionLayersFilesTest {
  static Path out() {
    return Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("attention_layers");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"attention_text", "attention_concat", "additive_text"})
  void writeAttentionLayersFilesForPython(String name) throws IOException {
    LayerParity.writeFilesForPython(out(), name, AttentionLayersParityTest.fixture(name),
        AttentionLayersParityTest.CASES.get(name));
  }
}
