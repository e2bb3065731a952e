package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelCheckpoint} writes Keras 3's own files when the path asks for them, as Keras 3's callback does:
 * {@code .keras} for full models, {@code .weights.h5} with {@code saveWeightsOnly}; through the same staged, durable
 * write and the same retention as the TF formats.
 */
class ModelCheckpointKerasFilesTest {
  @TempDir
  Path dir;

  private List<String> files() throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".kerasj-modelcheckpoint-"))
          .sorted().toList();
    }
  }

  private FitOptions fit(Callback... callbacks) {
    return FitOptions.builder().epochs(3).batchSize(4).shuffle(false).verbose(0).callbacks(callbacks).build();
  }

  @Test
  void kerasTemplate_writesLoadableArchivesEveryEpochWithRetention() throws IOException {
    float[][] x = TinyModels.inputs(8);
    try (Sequential model = TinyModels.linear(0.1)) {
      model.fit(x, TinyModels.line(x, 2f), fit(
          ModelCheckpoint.builder(dir.resolve("model_{epoch:02d}.keras").toString()).maxToKeep(2).build()));
      assertEquals(List.of("model_02.keras", "model_03.keras"), files());
      try (Sequential again = Sequential.load(dir.resolve("model_03.keras"))) {
        assertEquals(model.getWeights(), again.getWeights());
        assertTrue(again.isCompiled());
      }
    }
  }

  @Test
  void kerasFilesOfAnEarlierRun_areAdoptedByRetention() throws IOException {
    float[][] x = TinyModels.inputs(8);
    try (Sequential model = TinyModels.linear(0.1)) {
      model.save(dir.resolve("model_00.keras")); // left by a run that crashed before recording it
      Files.setLastModifiedTime(dir.resolve("model_00.keras"), java.nio.file.attribute.FileTime.fromMillis(0));
      model.fit(x, TinyModels.line(x, 2f), fit(
          ModelCheckpoint.builder(dir.resolve("model_{epoch:02d}.keras").toString()).maxToKeep(2).build()));
      assertEquals(List.of("model_02.keras", "model_03.keras"), files());
    }
  }

  @Test
  void weightsH5WithSaveWeightsOnly_writesKerasWeightsFiles() throws IOException {
    float[][] x = TinyModels.inputs(8);
    try (Sequential model = TinyModels.linear(0.1); Sequential other = TinyModels.linear(0.1)) {
      model.fit(x, TinyModels.line(x, 2f), fit(ModelCheckpoint.builder(dir.resolve("best.weights.h5").toString())
          .saveWeightsOnly(true).saveBestOnly(true).monitor("loss").build()));
      assertEquals(List.of("best.weights.h5"), files());
      TinyModels.tagWeights(other, 9f);
      other.loadWeights(dir.resolve("best.weights.h5"));
      assertEquals(model.getWeights(), other.getWeights());
    }
  }

  @Test
  void kerasFormatRules_failAtBuildLikeKeras3() {
    IllegalArgumentException weights = assertThrows(IllegalArgumentException.class,
        () -> ModelCheckpoint.builder("m.weights.h5").build());
    assertTrue(weights.getMessage().contains("needs saveWeightsOnly(true)"), weights.getMessage());
    IllegalArgumentException keras = assertThrows(IllegalArgumentException.class,
        () -> ModelCheckpoint.builder("m.keras").saveWeightsOnly(true).build());
    assertTrue(keras.getMessage().contains("must end in .weights.h5"), keras.getMessage());
    IllegalArgumentException legacy = assertThrows(IllegalArgumentException.class,
        () -> ModelCheckpoint.builder("m.h5").saveWeightsOnly(true).build());
    assertTrue(legacy.getMessage().contains("legacy .h5"), legacy.getMessage());
    IllegalArgumentException async = assertThrows(IllegalArgumentException.class,
        () -> ModelCheckpoint.builder("m.weights.h5").saveWeightsOnly(true).asyncSave(true).build());
    assertTrue(async.getMessage().contains("asyncSave writes TF checkpoints only"), async.getMessage());
  }
}
