package dev.kerasj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kerasj train}: the Keras 3 config of {@code testdata/savedmodel/configs/mlp.json} (64 → 32 relu → 10
 * softmax, Adam, sparse categorical crossentropy) on the first 200 rows of the digits CSV.
 */
class TrainCommandTest {
  static final Path CONFIG = Path.of("testdata/savedmodel/configs/mlp.json");

  static Path smallDigits(Path dir) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("testdata/digits/digits.csv"));
    return Files.write(dir.resolve("train.csv"), lines.subList(0, 201));
  }

  @Test
  void train_configAndCsv_trainsAndCheckpointsFromFlags(@TempDir Path dir) throws IOException {
    Path csv = smallDigits(dir);
    KerasjCliTest.Run r = KerasjCliTest.run("train", "--config", CONFIG.toString(), "--data", csv.toString(),
        "--label-column", "label", "--epochs", "2", "--batch-size", "16", "--validation-split", "0.2",
        "--checkpoint", dir.resolve("ckpts/epoch_{epoch:02d}").toString(), "--save-weights-only",
        "--monitor", "val_loss", "--tensorboard", dir.resolve("logs").toString(), "--progress", "2");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("trained 2 epochs on 200 rows"), r.out());
    assertTrue(r.out().contains("val_accuracy="), r.out());
    assertEquals(2, TfCheckpoint.list(dir.resolve("ckpts")).size());
    assertTrue(Files.isDirectory(dir.resolve("logs/train")) && Files.isDirectory(dir.resolve("logs/validation")));
    // the checkpoint restores into the config's model
    try (dev.kerasj.Model m = ModelConfigReader.DEFAULT.read(CONFIG, 0)) {
      TfCheckpoint.restore(m, dir.resolve("ckpts"));
    }
  }

  @Test
  void train_badInputs_failWithOneClearLine(@TempDir Path dir) throws IOException {
    Path csv = smallDigits(dir);
    KerasjCliTest.Run noColumn = KerasjCliTest.run("train", "--config", CONFIG.toString(), "--data", csv.toString(),
        "--label-column", "target");
    assertEquals(1, noColumn.exit());
    assertTrue(noColumn.err().startsWith("kerasj: error: ") && noColumn.err().contains("has no column 'target'"),
        noColumn.err());
    assertEquals(1, noColumn.err().lines().count(), noColumn.err());

    Path narrow = Files.writeString(dir.resolve("narrow.csv"), "a,b,label\n1,2,0\n");
    KerasjCliTest.Run shape = KerasjCliTest.run("train", "--config", CONFIG.toString(), "--data", narrow.toString());
    assertEquals(1, shape.exit());
    assertTrue(shape.err().contains("2 feature columns, but the model's input shape [64] takes 64"), shape.err());

    KerasjCliTest.Run halfCompile = KerasjCliTest.run("train", "--config", CONFIG.toString(), "--data",
        csv.toString(), "--optimizer", "sgd");
    assertEquals(1, halfCompile.exit());
    assertTrue(halfCompile.err().contains("give --optimizer and --loss together"), halfCompile.err());

    KerasjCliTest.Run missingConfig = KerasjCliTest.run("train", "--data", csv.toString());
    assertEquals(Kerasj.EXIT_USAGE, missingConfig.exit());
  }

  @Test
  void train_uncompiledConfig_needsOptimizerAndLoss(@TempDir Path dir) throws IOException {
    Path csv = smallDigits(dir);
    Path uncompiled = Path.of("testdata/savedmodel/configs/uncompiled.json");
    KerasjCliTest.Run r = KerasjCliTest.run("train", "--config", uncompiled.toString(), "--data", csv.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("has no compile_config: give --optimizer and --loss"), r.err());
  }

  @Test
  void train_kerasArchiveAsConfig_usesItsLayersAndCompileConfig(@TempDir Path dir) throws IOException {
    StringBuilder csv = new StringBuilder("a,b,c,d,e,f,label\n");
    for (int i = 0; i < 24; i++) {
      for (int j = 0; j < 6; j++) {
        csv.append(Math.cos(i + 0.3 * j)).append(',');
      }
      csv.append(i % 3).append('\n');
    }
    Path data = Files.writeString(dir.resolve("six.csv"), csv);
    KerasjCliTest.Run r = KerasjCliTest.run("train", "--config", "testdata/keras/mlp_adam.keras", "--data",
        data.toString(), "--epochs", "1", "--batch-size", "8", "--progress", "0");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("trained 1 epochs on 24 rows") && r.out().contains("accuracy="), r.out());
  }

  @Test
  void train_functionalKerasArchive_trainsWithItsCompileConfig(@TempDir Path dir) throws IOException {
    // Keras' residual_add model (Input -> Dense -> Dense -> Add -> Dense), saved by Python with its compile config.
    Path csv = smallDigits(dir);
    KerasjCliTest.Run r = KerasjCliTest.run("train", "--config", "testdata/functional/residual_add.keras", "--data",
        csv.toString(), "--label-column", "label", "--epochs", "1", "--batch-size", "16", "--progress", "0",
        "--checkpoint", dir.resolve("model.keras").toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("trained 1 epochs on 200 rows"), r.out());
    try (dev.kerasj.Model m = dev.kerasj.Model.load(dir.resolve("model.keras"))) {
      assertEquals("Functional", m.className());
      assertEquals(List.of("pixels", "dense", "dense_1", "add", "digit"),
          m.layers().stream().map(dev.kerasj.layers.Layer::name).toList());
    }
  }

  @Test
  void train_modelOfTwoInputs_saysCsvFeedsOneInput(@TempDir Path dir) throws IOException {
    Path csv = smallDigits(dir);
    KerasjCliTest.Run r = KerasjCliTest.run("train", "--config", "testdata/functional/two_input_concat.keras",
        "--data", csv.toString(), "--label-column", "label", "--epochs", "1");
    assertEquals(Kerasj.EXIT_FAILURE, r.exit(), r.out());
    assertTrue(r.err().contains("inputs [a, b]") && r.err().contains("fit(Map, Map)"), r.err());
  }
}
