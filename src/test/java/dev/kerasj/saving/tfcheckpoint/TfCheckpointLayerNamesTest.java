package dev.kerasj.saving.tfcheckpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TF object-based checkpoint addresses a layer by its position in Keras' object graph
 * ({@code model/_functional/_operations/<i>/...}), never by its name, as Keras 3 does (measured with
 * {@code tf.train.Checkpoint(model=m).write} on a model with layers named {@code dense_1}, {@code norm},
 * {@code dense}: keys {@code _operations/1/_kernel}, {@code /2/gamma}, {@code /3/_kernel}). So custom, swapped or
 * shifted names change nothing: the file loads into a model of the same architecture whatever its names.
 */
class TfCheckpointLayerNamesTest {
  @TempDir Path tmp;

  @Test
  void keysHoldNoLayerName_andSwappedNamesLoadByPosition() throws IOException {
    Path prefix = tmp.resolve("ckpt");
    List<?> written;
    try (Sequential model = new Sequential(Input.of(3), Dense.builder(4).name("dense_1").build(),
        new BatchNormalization(0.99, 1e-3, "norm"), Dense.builder(4).name("dense").build())) {
      model.setSeed(2);
      model.compile("sgd", "mse");
      model.saveWeights(prefix);
      written = model.getWeights();
    }
    List<String> keys = CheckpointContents.read(prefix).tensors().stream().map(CheckpointContents.Tensor::key)
        .toList();
    assertTrue(keys.contains("model/_functional/_operations/2/moving_mean/.ATTRIBUTES/VARIABLE_VALUE"),
        keys.toString());
    for (String key : keys) {
      assertTrue(key.matches("(model/_functional/_operations/\\d+|optimizer|save_counter|_CHECKPOINTABLE).*"),
          "unexpected key " + key);
      assertTrue(!key.contains("dense") && !key.contains("norm"), "a key names a layer: " + key);
    }
    try (Sequential other = new Sequential(Input.of(3), Dense.builder(4).name("a").build(),
        new BatchNormalization(0.99, 1e-3, "b"), Dense.builder(4).name("c").build())) {
      other.setSeed(9);
      other.compile("sgd", "mse");
      other.loadWeights(prefix);
      assertEquals(written, other.getWeights());
    }
  }
}
