package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * Bad {@code .keras} / {@code .weights.h5} input fails with a typed exception that says what was found and what was
 * expected, before any model is returned; a model that a weights file does not fit is left unchanged.
 */
class KerasFilesBadInputTest {
  static final Path MLP = KerasFilesFixturesTest.DIR.resolve("mlp_adam.keras");
  static final Path CNN_WEIGHTS = KerasFilesFixturesTest.DIR.resolve("cnn_sgd_momentum.weights.h5");
  static final Path MLP_WEIGHTS = KerasFilesFixturesTest.DIR.resolve("mlp_adam.weights.h5");

  @TempDir
  Path dir;

  static Map<String, byte[]> members(Path archive) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      for (ZipEntry e : java.util.Collections.list(zip.entries())) {
        out.put(e.getName(), zip.getInputStream(e).readAllBytes());
      }
    }
    return out;
  }

  Path zip(String name, Map<String, byte[]> members) throws IOException {
    return writeZip(dir.resolve(name), members);
  }

  /** Writes {@code members} as a zip of deflated entries (Keras stores its members; ZipOutputStream deflates). */
  static Path writeZip(Path file, Map<String, byte[]> members) throws IOException {
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> m : members.entrySet()) {
        out.putNextEntry(new ZipEntry(m.getKey()));
        out.write(m.getValue());
        out.closeEntry();
      }
    }
    return file;
  }

  Path withConfig(java.util.function.Consumer<ObjectNode> edit) throws IOException {
    Map<String, byte[]> m = members(MLP);
    ObjectNode config = (ObjectNode) KerasJson.parse(m.get("config.json"));
    edit.accept(config);
    m.put("config.json", KerasJson.toBytes(config));
    return zip("edited.keras", m);
  }

  static ObjectNode layer(ObjectNode root, int i) {
    return (ObjectNode) root.get("config").get("layers").get(i);
  }

  @Test
  void unsupportedLayer_namesLayerClassAndSupportedList() throws IOException {
    Path file = withConfig(c -> layer(c, 1).put("class_name", "ConvLSTM2D"));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("layer 'dense' (ConvLSTM2D)"), e.getMessage());
    assertTrue(e.getMessage().contains("Supported: [InputLayer, Dense, Conv2D"), e.getMessage());
  }

  @Test
  void unsupportedOption_namesLayerClassOptionAndWhatIsSupported() throws IOException {
    // (This test used kernel_regularizer, which kerasj reads since regularizers came; lora_rank is still refused.)
    Path file = withConfig(c -> ((ObjectNode) layer(c, 2).get("config")).put("lora_rank", 4));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("layer 'dense_1' (Dense)"), e.getMessage());
    assertTrue(e.getMessage().contains("'lora_rank'"), e.getMessage());
    assertTrue(e.getMessage().contains("only Keras' default null is"), e.getMessage());
  }

  @Test
  void unexpectedEntry_isRejectedByName() throws IOException {
    Map<String, byte[]> m = members(MLP);
    m.put("assets/vocab.txt", new byte[] {1});
    Path file = zip("extra.keras", m);
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("unexpected entry 'assets/vocab.txt'"), e.getMessage());
    assertTrue(e.getMessage().contains("[metadata.json, config.json, model.weights.h5]"), e.getMessage());
  }

  @Test
  void pathTraversalEntry_isRejected() throws IOException {
    Map<String, byte[]> m = members(MLP);
    m.put("../../etc/config.json", "{}".getBytes(StandardCharsets.UTF_8));
    Path file = zip("traversal.keras", m);
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("'../../etc/config.json' (a path"), e.getMessage());
  }

  @Test
  void missingWeights_isRejected() throws IOException {
    Map<String, byte[]> m = members(MLP);
    m.remove("model.weights.h5");
    Path file = zip("noweights.keras", m);
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("'model.weights.h5' is missing"), e.getMessage());
  }

  @Test
  void oversizedMember_isRejectedBeforeDecompressing() throws IOException {
    Map<String, byte[]> m = members(MLP);
    m.put("config.json", new byte[17 << 20]); // 17 MiB of zeros deflate to ~17 KB
    Path file = zip("bomb.keras", m);
    assertTrue(Files.size(file) < 1 << 20);
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("member 'config.json' is larger than the 16777216-byte limit (declared "
        + (17 << 20) + " bytes)"), e.getMessage());
  }

  @Test
  void memberLyingAboutItsSize_stopsAtTheLimitWhileDecompressing() throws IOException {
    Map<String, byte[]> m = members(MLP);
    m.put("config.json", new byte[17 << 20]);
    Path file = zip("liar.keras", m);
    patchDeclaredSize(file, "config.json", 100);
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("member 'config.json' is larger than the 16777216-byte limit (found while "
        + "decompressing)"), e.getMessage());
  }

  /** Overwrites the uncompressed size in the local and central headers of {@code member}. */
  static void patchDeclaredSize(Path file, String member, int size) throws IOException {
    patchSizes(file, member, null, size);
  }

  /**
   * Overwrites the uncompressed size, and the compressed size unless it is null, in the local and central headers of
   * {@code member} (as unsigned 32-bit values).
   */
  static void patchSizes(Path file, String member, Long compressed, long size) throws IOException {
    byte[] b = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    byte[] name = member.getBytes(StandardCharsets.UTF_8);
    int patched = 0;
    for (int i = 0; i + 46 < b.length; i++) {
      int sig = buf.getInt(i);
      boolean local = sig == 0x04034b50 && matches(b, i + 30, name) && buf.getShort(i + 26) == name.length;
      boolean central = sig == 0x02014b50 && matches(b, i + 46, name) && buf.getShort(i + 28) == name.length;
      if (local || central) {
        int at = local ? i + 18 : i + 20; // the compressed size; the uncompressed one follows
        if (compressed != null) {
          buf.putInt(at, (int) (long) compressed);
        }
        buf.putInt(at + 4, (int) size);
        patched++;
      }
    }
    assertEquals(2, patched, "headers patched");
    Files.write(file, b);
  }

  private static boolean matches(byte[] b, int at, byte[] name) {
    return at + name.length <= b.length && java.util.Arrays.equals(b, at, at + name.length, name, 0, name.length);
  }

  @Test
  void bitFlipInStoredWeightsMember_failsItsCrc32_insteadOfLoadingWrongWeights() throws IOException {
    // The JDK's ZipFile does not check the crc32 of stored members (measured), and Keras stores all three.
    byte[] b = Files.readAllBytes(MLP);
    byte[] name = KerasArchive.WEIGHTS.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int header = -1;
    for (int i = 0; i + 30 < b.length && header < 0; i++) {
      if (buf.getInt(i) == 0x04034b50 && matches(b, i + 30, name)) {
        header = i;
      }
    }
    int data = header + 30 + buf.getShort(header + 26) + buf.getShort(header + 28);
    b[data + buf.getInt(header + 18) / 2] ^= 0x10;
    Path file = Files.write(dir.resolve("flipped.keras"), b);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("member 'model.weights.h5' is damaged: its crc32 is"), e.getMessage());
  }

  @Test
  void endRecordPointingPastTheFile_isCorruptCheckpoint_notARawEofException() throws IOException {
    // FileFuzzTest seed 36673076373330, case 112: bit 7 of the end record's comment length flipped; the JDK's ZipFile
    // then reads past the end and throws a bare EOFException.
    byte[] b = Files.readAllBytes(MLP);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int end = -1;
    for (int i = b.length - 22; i >= 0 && end < 0; i--) {
      if (buf.getInt(i) == 0x06054b50) {
        end = i;
      }
    }
    b[end + 21] ^= (byte) 0x80;
    Path file = Files.write(dir.resolve("end-record.keras"), b);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("end-of-directory record is damaged"), e.getMessage());
  }

  @Test
  void notAZip_isIncompatibleModel() throws IOException {
    Path file = dir.resolve("garbage.keras");
    Files.write(file, "not a zip".getBytes(StandardCharsets.UTF_8));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("is not a .keras archive"), e.getMessage());
  }

  @Test
  void configNotMatchingWeights_isIncompatibleCheckpoint() throws IOException {
    Map<String, byte[]> m = members(MLP);
    m.put("model.weights.h5", Files.readAllBytes(CNN_WEIGHTS));
    Path file = zip("mismatch.keras", m);
    IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
        () -> Sequential.load(file));
    assertTrue(e.getMessage().contains("does not hold the weights of model 'sequential'"), e.getMessage());
    assertTrue(e.missing().contains("layers/dense_1/vars/0 (dense_1/kernel)"), e.missing().toString());
    assertTrue(e.mismatched().get(0).startsWith("layers/dense/vars/0 (dense/kernel): expected float32 [6, 8], found "
        + "float32 [18, 4]"), e.mismatched().toString());
    assertTrue(e.unexpected().contains("layers/conv2d/vars/0"), e.unexpected().toString());
  }

  static Sequential mlp() {
    Sequential model = new Sequential(Input.of(6), new Dense(8, "relu"), new Dense(3, "softmax"));
    model.setSeed(1);
    model.build();
    return model;
  }

  @Test
  void weightsOfAnotherModel_leaveTheModelUnchanged() throws IOException {
    try (Sequential model = mlp()) {
      List<FloatNdArray> before = model.getWeights();
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> model.loadWeights(CNN_WEIGHTS));
      assertTrue(!e.mismatched().isEmpty() && !e.missing().isEmpty() && !e.unexpected().isEmpty(), e.getMessage());
      assertEquals(before, model.getWeights());
    }
  }

  @Test
  void weightsWithAnotherShape_areNamedAsMismatched() throws IOException {
    try (Sequential model = new Sequential(Input.of(6), new Dense(9, "relu"), new Dense(3, "softmax"))) {
      model.build();
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> model.loadWeights(MLP_WEIGHTS));
      assertTrue(e.mismatched().get(0).startsWith("layers/dense/vars/0 (dense/kernel): expected float32 [6, 9], "
          + "found float32 [6, 8]"), e.mismatched().toString());
    }
  }

  @Test
  void optimizerStateOfAnotherOptimizer_isRejected() throws IOException {
    try (Sequential model = mlp()) {
      model.compile(new SGD(0.1), new SparseCategoricalCrossentropy());
      List<FloatNdArray> before = model.getWeights();
      IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class,
          () -> model.loadWeights(MLP_WEIGHTS));
      assertTrue(e.getMessage().contains("holds 10 optimizer variables (optimizer 'adam'), but the model's "
          + "optimizer 'SGD' (SGD) has 2"), e.getMessage());
      assertEquals(before, model.getWeights());
    }
  }

  @Test
  void uncompiledModel_takesWeightsAndIgnoresOptimizerState() throws IOException {
    try (Sequential model = mlp()) {
      model.loadWeights(MLP_WEIGHTS);
      try (Sequential keras = Sequential.load(MLP)) {
        assertEquals(keras.getWeights(), model.getWeights());
      }
    }
  }

  @Test
  void notHdf5_isCorrupt() throws IOException {
    Path file = dir.resolve("garbage.weights.h5");
    Files.write(file, new byte[4096]);
    try (Sequential model = mlp()) {
      CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> model.loadWeights(file));
      assertTrue(e.getMessage().contains("is not a readable HDF5 file"), e.getMessage());
    }
  }

  @Test
  void legacyH5Names_areRejectedWithTheKeras3Names() throws IOException {
    try (Sequential model = mlp()) {
      IllegalArgumentException save = assertThrows(IllegalArgumentException.class,
          () -> model.save(dir.resolve("model.h5")));
      assertTrue(save.getMessage().contains(".keras archive"), save.getMessage());
      IllegalArgumentException weights = assertThrows(IllegalArgumentException.class,
          () -> model.saveWeights(dir.resolve("model.h5")));
      assertTrue(weights.getMessage().contains("end in .weights.h5"), weights.getMessage());
    }
  }

  @Test
  void write_replacesTheTargetAndLeavesNoStagingBehind() throws IOException {
    Path target = dir.resolve("m.keras");
    Path weights = dir.resolve("m.weights.h5");
    Files.write(target, new byte[] {1, 2, 3});
    try (Sequential model = mlp()) {
      model.save(target);
      model.saveWeights(weights);
      try (Sequential again = Sequential.load(target)) {
        assertEquals(model.getWeights(), again.getWeights());
      }
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of("m.keras", "m.weights.h5"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

}
