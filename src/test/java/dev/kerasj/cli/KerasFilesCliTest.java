package dev.kerasj.cli;

import static dev.kerasj.cli.KerasjCliTest.run;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.Sequential;
import dev.kerasj.saving.DurableFiles;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * {@code kerasj inspect/verify/convert} on Keras 3 {@code .keras} archives and {@code .weights.h5} files, with the
 * Python-written fixtures of {@code testdata/keras}. Leaves {@code inspect} output and a converted archive under
 * {@code <kerasj.interopDir>/cli_keras/} for {@code python-interop/tests/test_cli_inspect.py}, which compares the
 * listings with h5py's and opens the archive with {@code keras.models.load_model}.
 */
class KerasFilesCliTest {
  static final Path INTEROP = KerasjCliTest.INTEROP.resolveSibling("cli_keras");
  static final Path KERAS = Path.of("testdata/keras");
  static final Path CNN = KERAS.resolve("cnn_sgd_momentum.keras");
  static final Path MLP_KERAS = KERAS.resolve("mlp_adam.keras");
  static final Path MLP_WEIGHTS = KERAS.resolve("mlp_adam.weights.h5");
  static final Path DROPOUT_WEIGHTS = KERAS.resolve("uncompiled_dropout.weights.h5");
  static final float[][] MLP_X = {{0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f}, {1f, 0f, -1f, 0.5f, 0.25f, 2f}};

  @BeforeAll
  static void cleanInterop() throws IOException {
    if (Files.exists(INTEROP)) {
      DurableFiles.deleteRecursively(INTEROP);
    }
    Files.createDirectories(INTEROP);
  }

  @Test
  void inspectJson_forPythonComparison_archiveAndWeightsFiles() throws IOException {
    String[][] cases = {{"keras_cnn", CNN.toString()}, {"weights_mlp", MLP_WEIGHTS.toString()},
        {"weights_dropout", DROPOUT_WEIGHTS.toString()},
        {"keras_conv_bn_names", "testdata/keras/conv_bn_names_sgd.keras"},
        {"weights_swapped_names", "testdata/keras/swapped_names_sgd.weights.h5"}};
    for (String[] c : cases) {
      KerasjCliTest.Run r = run("inspect", "--json", c[1]);
      assertEquals(0, r.exit(), r.err());
      KerasjCliTest.JSON.readTree(r.out());
      Files.writeString(INTEROP.resolve(c[0] + ".json"), r.out());
      KerasjCliTest.Run text = run("inspect", c[1]);
      assertEquals(0, text.exit(), text.err());
      Files.writeString(INTEROP.resolve(c[0] + ".txt"), text.out());
    }
  }

  @Test
  void inspect_kerasArchive_listsMetadataLayersWeightsOptimizerAndCompileConfig() throws IOException {
    KerasjCliTest.Run r = run("inspect", "--json", CNN.toString());
    assertEquals(0, r.exit(), r.err());
    JsonNode n = KerasjCliTest.JSON.readTree(r.out());
    JsonNode conv = n.get("layers").get(1);
    assertAll(
        () -> assertEquals("keras", n.get("format").asText()),
        () -> assertEquals("3.15.1", n.get("keras_version").asText()),
        () -> assertEquals(9, n.get("layers").size()),
        () -> assertEquals("conv2d", conv.get("name").asText()),
        () -> assertEquals("Conv2D", conv.get("class_name").asText()),
        () -> assertEquals(3, conv.get("args").get("filters").asInt()),
        () -> assertFalse(conv.get("args").has("kernel_initializer")),
        () -> assertEquals("layers/conv2d/vars/0", conv.get("weights").get(0).get("path").asText()),
        () -> assertEquals("[3,3,1,3]", conv.get("weights").get(0).get("shape").toString()),
        () -> assertEquals("float32", conv.get("weights").get(0).get("dtype").asText()),
        () -> assertEquals("SGD", n.get("optimizer").get("class_name").asText()),
        () -> assertEquals(10, n.get("optimizer").get("variables").size()),
        () -> assertEquals("int64", n.get("optimizer").get("variables").get(0).get("dtype").asText()),
        () -> assertEquals(0, n.get("other_datasets").size()),
        () -> assertEquals("categorical_crossentropy", n.get("compile_config").get("loss").asText()));
    String text = run("inspect", CNN.toString()).out();
    assertTrue(text.contains("conv2d (Conv2D): filters=3, kernel_size=[3,3]"), text);
    assertTrue(text.contains("Optimizer 'sgd' (SGD): 10 variables"), text);
    assertTrue(text.lines().anyMatch(l -> l.matches("\\s+layers/dense/vars/0\\s+float32\\s+\\[18, 4]")), text);
  }

  /** Layers are listed with the weights Keras stores for them: by class and position, not by name. */
  @Test
  void inspect_customNames_attachesWeightsByKerasClassPaths() throws IOException {
    JsonNode n = KerasjCliTest.JSON.readTree(run("inspect", "--json", "testdata/keras/conv_bn_names_sgd.keras").out());
    JsonNode block = n.get("layers").get(3);
    assertEquals("block", block.get("name").asText());
    assertEquals("layers/conv2d_1", block.get("group").asText());
    assertEquals("layers/conv2d_1/vars/0", block.get("weights").get(0).get("path").asText());
    assertEquals(0, n.get("other_datasets").size());
    JsonNode w = KerasjCliTest.JSON.readTree(
        run("inspect", "--json", "testdata/keras/swapped_names_sgd.weights.h5").out());
    assertEquals("dense_1", w.get("layers").get(0).get("name").asText(), "the name attribute of layers/dense/vars");
    assertEquals("layers/dense", w.get("layers").get(0).get("group").asText());
  }

  @Test
  void inspect_weightsFile_listsLayerGroupsAndOptimizerVariables() throws IOException {
    JsonNode n = KerasjCliTest.JSON.readTree(run("inspect", "--json", DROPOUT_WEIGHTS.toString()).out());
    List<String> layers = new ArrayList<>();
    n.get("layers").forEach(l -> layers.add(l.get("name").asText()));
    assertEquals(List.of("dense", "dense_1", "dropout"), layers);
    assertEquals(0, n.get("layers").get(2).get("weights").size());
    assertTrue(n.get("optimizer").isNull());
    JsonNode mlp = KerasjCliTest.JSON.readTree(run("inspect", "--json", MLP_WEIGHTS.toString()).out());
    assertEquals("adam", mlp.get("optimizer").get("name").asText());
    assertEquals(10, mlp.get("optimizer").get("variables").size());
  }

  @Test
  void verify_soundFixtures_exitZeroAndSayWhatWasChecked() {
    KerasjCliTest.Run keras = run("verify", CNN.toString());
    assertEquals(0, keras.exit(), keras.out() + keras.err());
    assertTrue(keras.out().startsWith("OK") && keras.out().contains("every crc32 matches")
        && keras.out().contains("20 datasets read"), keras.out());
    KerasjCliTest.Run weights = run("verify", MLP_WEIGHTS.toString());
    assertEquals(0, weights.exit(), weights.out() + weights.err());
    assertTrue(weights.out().contains("14 datasets read") && weights.out().contains(VerifyCommand.NO_H5_CHECKSUMS),
        weights.out());
  }

  @Test
  void verify_bitFlipInArchivedWeights_isCaughtByCrc32_namingTheMember(@TempDir Path dir) throws IOException {
    Path copy = Files.copy(CNN, dir.resolve("flipped.keras"));
    long offset;
    long size;
    try (ZipFile zip = new ZipFile(copy.toFile())) {
      size = zip.getEntry("model.weights.h5").getSize();
    }
    byte[] bytes = Files.readAllBytes(copy);
    offset = dataOffset(bytes, "model.weights.h5") + size / 2;
    bytes[(int) offset] ^= 0x04;
    Files.write(copy, bytes);
    KerasjCliTest.Run r = run("verify", copy.toString());
    assertEquals(Kerasj.EXIT_FAILURE, r.exit(), r.out());
    String line = r.out().lines().findFirst().orElseThrow();
    assertTrue(line.startsWith("CORRUPT") && line.contains("flipped.keras") && line.contains("'model.weights.h5'")
        && line.contains("crc32"), r.out());
    assertTrue(r.out().contains("verify: 1 of 1 files failed"), r.out());
  }

  @Test
  void verify_weightsFile_catchesStructuralDamage_butCannotSeeAFlippedDataByte(@TempDir Path dir)
      throws IOException {
    byte[] original = Files.readAllBytes(MLP_WEIGHTS);
    Path truncated = Files.write(dir.resolve("truncated.weights.h5"),
        java.util.Arrays.copyOf(original, original.length / 2));
    KerasjCliTest.Run cut = run("verify", truncated.toString());
    assertEquals(Kerasj.EXIT_FAILURE, cut.exit(), cut.out());
    assertTrue(cut.out().startsWith("CORRUPT") && cut.out().contains("truncated.weights.h5"), cut.out());

    byte[] badSignature = original.clone();
    badSignature[1] ^= 0x01;   // the superblock's format signature
    Path header = Files.write(dir.resolve("header.weights.h5"), badSignature);
    assertEquals(Kerasj.EXIT_FAILURE, run("verify", header.toString()).exit());

    // What is claimed not to be detectable: a flipped bit inside a kernel's values.
    float before;
    byte[] flipped = original.clone();
    try (HdfFile h5 = new HdfFile(MLP_WEIGHTS)) {
      float[][] kernel = (float[][]) h5.getDatasetByPath("layers/dense/vars/0").getData();
      before = kernel[0][0];
      ByteBuffer pattern = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
      for (int j = 0; j < 4; j++) {
        pattern.putFloat(kernel[0][j]);
      }
      int at = indexOf(original, pattern.array());
      assertTrue(at > 0, "kernel values not found in the file");
      assertEquals(-1, indexOf(java.util.Arrays.copyOfRange(original, at + 1, original.length), pattern.array()));
      flipped[at] ^= 0x01;   // lowest mantissa bit of kernel[0][0]
    }
    Path data = Files.write(dir.resolve("data.weights.h5"), flipped);
    try (HdfFile h5 = new HdfFile(data)) {
      assertNotEquals(before, ((float[][]) h5.getDatasetByPath("layers/dense/vars/0").getData())[0][0]);
    }
    KerasjCliTest.Run r = run("verify", data.toString());
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().startsWith("NO CHECKSUM") && r.out().contains(VerifyCommand.NO_H5_CHECKSUMS), r.out());
    assertTrue(r.out().contains("verify: all 1 files OK (1 without a checksum to check)"), r.out());
  }

  /** kerasj's own .weights.h5 files carry a SHA-256 of their datasets: the same flipped bit is caught there. */
  @Test
  void verify_kerasjWeightsFile_catchesAFlippedDataByte(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("java.weights.h5");
    float first;
    try (dev.kerasj.Sequential m = KerasjCliTest.trainedModel()) {
      m.saveWeights(file);
      first = m.getWeights().get(0).getFloat(0, 0);
    }
    KerasjCliTest.Run ok = run("verify", file.toString());
    assertEquals(0, ok.exit(), ok.out());
    assertTrue(ok.out().startsWith("OK") && ok.out().contains("kerasj's sha256 of every dataset matches"), ok.out());
    byte[] bytes = Files.readAllBytes(file);
    byte[] pattern = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(first).array();
    int at = indexOf(bytes, pattern);
    assertTrue(at > 0, "kernel[0][0] not found in the file");
    bytes[at] ^= 0x01;
    Files.write(file, bytes);
    KerasjCliTest.Run r = run("verify", file.toString());
    assertEquals(Kerasj.EXIT_FAILURE, r.exit(), r.out());
    assertTrue(r.out().startsWith("CORRUPT") && r.out().contains("changed after kerasj wrote it"), r.out());
    try (dev.kerasj.Sequential m = KerasjCliTest.trainedModel()) {
      var before = m.getWeights();
      assertThrows(dev.kerasj.saving.CorruptCheckpointException.class, () -> m.loadWeights(file));
      assertEquals(before, m.getWeights(), "a refused file changed the model");
    }
  }

  @Test
  void convert_kerasToSavedModelAndBack_predictsTheSame_andPythonOpensTheResult(@TempDir Path dir)
      throws IOException {
    Path sm = dir.resolve("sm");
    KerasjCliTest.Run toSm = run("convert", MLP_KERAS.toString(), sm.toString());
    assertEquals(0, toSm.exit(), toSm.err());
    assertTrue(toSm.out().startsWith("wrote SavedModel " + sm), toSm.out());
    Path back = INTEROP.resolve("converted_mlp.keras");
    KerasjCliTest.Run toKeras = run("convert", sm.toString(), back.toString());
    assertEquals(0, toKeras.exit(), toKeras.err());
    assertTrue(toKeras.out().startsWith("wrote .keras archive"), toKeras.out());
    try (Sequential a = Sequential.load(MLP_KERAS); Sequential b = Sequential.load(sm);
        Sequential c = Sequential.load(back)) {
      FloatNdArray pa = a.predict(MLP_X);
      assertEquals(pa, b.predict(MLP_X));
      assertEquals(pa, c.predict(MLP_X));
      assertEquals(a.getWeights(), c.getWeights());
    }
    Files.writeString(INTEROP.resolve("converted_mlp.predict.json"),
        KerasjCliTest.JSON.writeValueAsString(List.of(MLP_X, predictions(back))));
  }

  @Test
  void convert_weightsFileViaCheckpointAndBack_keepsEveryWeightAndOptimizerVariable(@TempDir Path dir)
      throws IOException {
    KerasjCliTest.Run toCkpt = run("convert", MLP_WEIGHTS.toString(), dir.resolve("ckpts/ckpt-1").toString(),
        "--to", "tf_checkpoint", "--config", MLP_KERAS.toString());
    assertEquals(0, toCkpt.exit(), toCkpt.err());
    assertTrue(toCkpt.out().startsWith("wrote TF checkpoint") && toCkpt.out().contains("+ optimizer state"),
        toCkpt.out());
    Path back = dir.resolve("back.weights.h5");
    KerasjCliTest.Run toH5 = run("convert", dir.resolve("ckpts").toString(), back.toString(), "--like",
        MLP_KERAS.toString());
    assertEquals(0, toH5.exit(), toH5.err());
    try (Sequential a = Sequential.load(MLP_KERAS); Sequential b = Sequential.load(MLP_KERAS)) {
      a.loadWeights(MLP_WEIGHTS);
      b.loadWeights(back);
      assertEquals(a.getWeights(), b.getWeights());
      assertEquals(a.predict(MLP_X), b.predict(MLP_X));
    }
    JsonNode original = KerasjCliTest.JSON.readTree(run("inspect", "--json", MLP_WEIGHTS.toString()).out());
    JsonNode converted = KerasjCliTest.JSON.readTree(run("inspect", "--json", back.toString()).out());
    assertEquals(original.get("optimizer").get("variables"), converted.get("optimizer").get("variables"));
  }

  @Test
  void convert_refusals_noArchitectureExistingDstAndMismatchedTo(@TempDir Path dir) throws IOException {
    KerasjCliTest.Run noArch = run("convert", MLP_WEIGHTS.toString(), dir.resolve("sm").toString());
    assertEquals(1, noArch.exit());
    assertTrue(noArch.err().contains("holds no architecture"), noArch.err());
    assertFalse(Files.exists(dir.resolve("sm")));

    Path existing = Files.copy(MLP_KERAS, dir.resolve("existing.keras"));
    byte[] before = Files.readAllBytes(existing);
    KerasjCliTest.Run exists = run("convert", CNN.toString(), existing.toString());
    assertEquals(1, exists.exit());
    assertTrue(exists.err().contains("exists; pass --overwrite"), exists.err());
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(existing)));
    KerasjCliTest.Run replaced = run("convert", CNN.toString(), existing.toString(), "--overwrite");
    assertEquals(0, replaced.exit(), replaced.err());

    KerasjCliTest.Run badTo = run("convert", MLP_KERAS.toString(), dir.resolve("x").toString(), "--to", "keras");
    assertEquals(1, badTo.exit());
    assertTrue(badTo.err().contains("--to keras does not fit DST"), badTo.err());
    KerasjCliTest.Run ownArch = run("convert", MLP_KERAS.toString(), dir.resolve("y").toString(), "--like",
        MLP_KERAS.toString());
    assertEquals(1, ownArch.exit());
    assertTrue(ownArch.err().contains("has its own"), ownArch.err());
  }

  private static float[][] predictions(Path keras) throws IOException {
    try (Sequential m = Sequential.load(keras)) {
      FloatNdArray p = m.predict(MLP_X);
      float[][] out = new float[(int) p.shape().get(0)][(int) p.shape().get(1)];
      for (int i = 0; i < out.length; i++) {
        for (int j = 0; j < out[i].length; j++) {
          out[i][j] = p.getFloat(i, j);
        }
      }
      return out;
    }
  }

  /** Where a stored zip member's data starts: after its local header (30 bytes + name + extra field). */
  private static long dataOffset(byte[] zip, String member) {
    int name = indexOf(zip, member.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    int header = name - 30;
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x04034b50, b.getInt(header), "local file header signature");
    return name + b.getShort(header + 26) + b.getShort(header + 28);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
