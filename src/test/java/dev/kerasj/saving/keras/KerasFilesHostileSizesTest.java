package dev.kerasj.saving.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Sequential;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.MemoryBudget;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small hostile files that declare huge sizes: each is refused with a typed error from what it declares, before
 * anything of that size is allocated, in this test JVM's bounded heap (the surefire fork's -Xmx), in seconds.
 */
class KerasFilesHostileSizesTest {
  private static final Path MLP = KerasFilesBadInputTest.MLP;
  private static final Path MLP_WEIGHTS = KerasFilesBadInputTest.MLP_WEIGHTS;

  @TempDir
  Path dir;

  @AfterEach
  void clearProperties() {
    System.clearProperty(MemoryBudget.PROPERTY);
    System.clearProperty(MemoryBudget.MAX_LAYERS_PROPERTY);
  }

  /** Runs {@code call}, which must throw {@code type} within 30 s, with every fragment in its message. */
  private static <T extends Throwable> T assertRefused(Class<T> type, Executable call, String... fragments) {
    long start = System.nanoTime();
    T e = assertThrows(type, call);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.toSeconds() < 30, "refused only after " + took + ": " + e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
    }
    return e;
  }

  private Path archiveWithConfig(Consumer<ObjectNode> edit) throws IOException {
    Map<String, byte[]> m = KerasFilesBadInputTest.members(MLP);
    ObjectNode config = (ObjectNode) KerasJson.parse(m.get(KerasArchive.CONFIG));
    edit.accept(config);
    m.put(KerasArchive.CONFIG, KerasJson.toBytes(config));
    return writeZip("edited.keras", m);
  }

  private Path writeZip(String name, Map<String, byte[]> members) throws IOException {
    return KerasFilesBadInputTest.writeZip(dir.resolve(name), members);
  }

  private static ObjectNode layerConfig(ObjectNode root, int i) {
    return (ObjectNode) root.get("config").get("layers").get(i).get("config");
  }

  // --- sizes declared by a config --------------------------------------------------------------------------------

  @Test
  void denseOf30MillionUnits_isRefusedByTheBudget_namingLayerParametersBytesAndBudget() throws IOException {
    Path file = archiveWithConfig(c -> layerConfig(c, 1).put("units", 30_000_000));
    assertTrue(Files.size(file) < 100_000, "a small file: " + Files.size(file));
    IncompatibleModelException e = assertRefused(IncompatibleModelException.class, () -> Sequential.load(file),
        "too large for this JVM's memory budget", "layer 'dense' (Dense) has 210,000,000 parameters",
        "the model has 300,000,003 parameters + 600,000,006 Adam slot values", "Budget: ", MemoryBudget.PROPERTY);
    assertEquals(file, e.path());
    // The same config through every other door that builds from a config.
    assertRefused(IncompatibleModelException.class, () -> Sequential.fromJson(file), "has 210,000,000 parameters");
    String json = new String(KerasFilesBadInputTest.members(file).get(KerasArchive.CONFIG), StandardCharsets.UTF_8);
    assertRefused(IncompatibleModelException.class, () -> Sequential.fromJson(json), "has 210,000,000 parameters");
  }

  @Test
  void configDeclaringMoreWeightsThanTheArchiveHolds_isRefusedBeforeBuilding() throws IOException {
    System.setProperty(MemoryBudget.PROPERTY, "1t"); // a budget that lets the model through, to reach this check
    Path file = archiveWithConfig(c -> layerConfig(c, 1).put("units", 30_000_000));
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(file),
        "the config declares 300,000,003 parameters", "layer 'dense' (Dense) alone has 210,000,000",
        "model.weights.h5 holds only", "the archive cannot hold its model's weights");
  }

  @Test
  void unitsOfIntMax_isATypedError_notAnArithmeticException() throws IOException {
    Path file = archiveWithConfig(c -> layerConfig(c, 1).put("units", Integer.MAX_VALUE));
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(file), "layer 'dense' (Dense)");
    System.setProperty(MemoryBudget.PROPERTY, "1t");
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(file),
        "weight 'kernel' of shape [6, 2147483647] has 12,884,901,882 values; a weight holds at most");
  }

  @Test
  void inputShapeOf2Pow40_isATypedError() throws IOException {
    Path file = archiveWithConfig(c -> ((ArrayNode) layerConfig(c, 0).get("batch_shape")).set(1, 1L << 40));
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(file),
        "the input (None, 1099511627776) has 1,099,511,627,776 values per sample");
    Path squared = archiveWithConfig(c -> ((ArrayNode) layerConfig(c, 0).get("batch_shape"))
        .set(1, 1L << 40).add(1L << 40));
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(squared), "more than 2^63 values");
  }

  @Test
  void configWithMoreLayersThanTheLimit_isRefusedBeforeAnyLayerIsBuilt() {
    String json = denseStack(MemoryBudget.DEFAULT_MAX_LAYERS + 1, "\"float32\"", "");
    assertRefused(IncompatibleModelException.class, () -> Sequential.fromJson(json),
        "the model has 1026 layers; kerasj rebuilds at most 1024", MemoryBudget.MAX_LAYERS_PROPERTY);
    System.setProperty(MemoryBudget.MAX_LAYERS_PROPERTY, "10");
    assertRefused(IncompatibleModelException.class, () -> Sequential.fromJson(denseStack(11, "\"float32\"", "")),
        "kerasj rebuilds at most 10");
  }

  @Test
  void deepConfigRefusedAtItsLastLayer_isRefusedBeforeAnyGraphIsBuilt() {
    // 125 Dense layers, then a Conv2D that cannot take their rank-1 output: refused from shapes alone (it took 42 s
    // when the refusal came from building the graph; the graph build itself was quadratic in the weights).
    String conv = ",{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"conv\", \"filters\": 2, \"kernel_size\": 3}}";
    IncompatibleModelException e = assertRefused(IncompatibleModelException.class,
        () -> Sequential.fromJson(denseStack(125, "\"float32\"", conv)), "Layer 'conv' (Conv2D) expects input of rank 4");
    assertTrue(e.getMessage().contains("Received: input shape (None, 4)"), e.getMessage());
  }

  /** A Sequential config of an Input(4) and {@code n} Dense(4) layers with the given dtype, then {@code tail}. */
  static String denseStack(int n, String dtype, String tail) {
    StringBuilder sb = new StringBuilder("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"deep\", \"layers\": ["
        + "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"name\": \"in\"}}");
    for (int i = 0; i < n; i++) {
      sb.append(",{\"class_name\": \"Dense\", \"config\": {\"name\": \"d").append(i)
          .append("\", \"units\": 4, \"dtype\": ").append(dtype).append("}}");
    }
    return sb.append(tail).append("]}}").toString();
  }

  // --- dtypes declared by a config -------------------------------------------------------------------------------

  @Test
  void layerDtypeOtherThanFloat32_isRefusedNamingLayerAndDtype() throws IOException {
    String[][] cases = {
        {"\"float64\"", "'dtype'='float64'"},
        {"{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"mixed_float16\"}}",
            "'dtype'='mixed_float16'"},
        {"\"definitely_not_a_dtype\"", "'dtype'='definitely_not_a_dtype'"},
        {"{\"class_name\": \"QuantizedDTypePolicy\", \"config\": {\"name\": \"int8_from_float32\"}}",
            "QuantizedDTypePolicy"},
        {"7", "'dtype'=7"}};
    for (String[] c : cases) {
      assertRefused(IncompatibleModelException.class, () -> Sequential.fromJson(denseStack(2, c[0], "")),
          "layer 'd0' (Dense)", c[1], "kerasj computes in float32 only");
    }
    Path file = archiveWithConfig(cfg -> layerConfig(cfg, 2).putObject("dtype").put("class_name", "DTypePolicy")
        .putObject("config").put("name", "float64"));
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(file),
        "layer 'dense_1' (Dense): 'dtype'='float64' is not supported");
    Path model = archiveWithConfig(cfg -> ((ObjectNode) cfg.get("config")).put("dtype", "mixed_bfloat16"));
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(model), "'dtype'='mixed_bfloat16'");
  }

  @Test
  void float32DtypeForms_stillLoad() {
    try (Sequential m = Sequential.fromJson(denseStack(2, "\"float32\"", ""), 1);
        Sequential p = Sequential.fromJson(denseStack(2,
            "{\"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"float32\"}}", ""), 1);
        Sequential n = Sequential.fromJson(denseStack(2, "null", ""), 1)) {
      assertEquals(2, m.layers().size());
      assertEquals(m.getWeights(), p.getWeights());
      assertEquals(m.getWeights(), n.getWeights());
    }
  }

  // --- sizes declared by the zip ---------------------------------------------------------------------------------

  /** An archive whose weights member is {@code bytes} zeros, deflated: a few hundred KB on disk. */
  private Path zeroBomb(long bytes) throws IOException {
    Map<String, byte[]> m = KerasFilesBadInputTest.members(MLP);
    Path file = dir.resolve("bomb.keras");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      out.setLevel(Deflater.BEST_SPEED);
      for (String name : new String[] {KerasArchive.METADATA, KerasArchive.CONFIG}) {
        out.putNextEntry(new ZipEntry(name));
        out.write(m.get(name));
        out.closeEntry();
      }
      out.putNextEntry(new ZipEntry(KerasArchive.WEIGHTS));
      byte[] zeros = new byte[1 << 20];
      for (long written = 0; written < bytes; written += zeros.length) {
        out.write(zeros);
      }
      out.closeEntry();
    }
    return file;
  }

  @Test
  void deflatedWeightsLargerThanTheBudgetAllows_areRefusedFromTheDeclaredSize() throws IOException {
    System.setProperty(MemoryBudget.PROPERTY, "128m");
    Path file = zeroBomb(100L << 20);
    assertTrue(Files.size(file) < 1 << 20, "a small file: " + Files.size(file));
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(file),
        "member 'model.weights.h5' is larger than the 67108864-byte limit (declared 104857600 bytes)",
        "1/2 of the memory budget 128.0 MiB (-Dkerasj.memoryBudget=128m)");
  }

  @Test
  void deflatedWeightsLyingAboutTheirSize_areCountedWithoutBeingHeld() throws IOException {
    System.setProperty(MemoryBudget.PROPERTY, "128m");
    Path file = zeroBomb(100L << 20);
    KerasFilesBadInputTest.patchDeclaredSize(file, KerasArchive.WEIGHTS, 4096);
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(file),
        "member 'model.weights.h5' is larger than the 67108864-byte limit (found while decompressing)");
  }

  @Test
  void deflatedBombUnderTheStatedLimits_isRefusedWithTheDefaultBudget() throws IOException {
    // What a default JVM sees: the weights member may take half the budget; a bomb just over it is refused before
    // anything of its size is allocated (it used to be read whole, twice: 4.5 GB RSS, then OutOfMemoryError).
    long limit = MemoryBudget.bytes() / MemoryBudget.LOAD_FACTOR;
    Path file = zeroBomb(limit + (1 << 20));
    KerasFilesBadInputTest.patchDeclaredSize(file, KerasArchive.WEIGHTS, 4096);
    assertRefused(IncompatibleModelException.class, () -> KerasFileContents.verify(file, p -> { }),
        "is larger than the " + limit + "-byte limit (found while decompressing)");
  }

  @Test
  void storedMemberDeclaringMoreDataThanTheFileHas_isCorruptBeforeAllocation() throws IOException {
    Path file = dir.resolve("stored.keras");
    Files.copy(MLP, file); // Keras stores every member uncompressed
    KerasFilesBadInputTest.patchSizes(file, KerasArchive.WEIGHTS, 1_500_000_000L, 1_500_000_000L);
    CorruptCheckpointException e = assertRefused(CorruptCheckpointException.class, () -> Sequential.load(file),
        "member 'model.weights.h5' is damaged: its 1500000000 bytes of data do not fit in the");
    assertEquals(file, e.file());
    KerasFilesBadInputTest.patchSizes(file, KerasArchive.WEIGHTS, 1000L, 1_500_000_000L);
    assertRefused(CorruptCheckpointException.class, () -> Sequential.load(file),
        "stored uncompressed, yet declares 1500000000 bytes and 1000 bytes of data");
  }

  @Test
  void memberDeclaringMoreThanTheStatedLimit_isRefusedBeforeReading() throws IOException {
    Path file = writeZip("huge.keras", KerasFilesBadInputTest.members(MLP)); // deflated members
    KerasFilesBadInputTest.patchDeclaredSize(file, KerasArchive.CONFIG, (int) 0xFFFF_FFF0L);
    assertRefused(IncompatibleModelException.class, () -> Sequential.load(file),
        "member 'config.json' is larger than the 16777216-byte limit (declared 4294967280 bytes)");
  }

  // --- sizes and dtypes declared by HDF5 -------------------------------------------------------------------------

  /**
   * A copy of Keras' {@code mlp_adam.weights.h5} whose [6, 8] datasets (the first kernel and its two Adam slots)
   * declare the shape {@code to}. h5py writes version-1 object headers, which carry no checksum; jhdf's carry one.
   */
  private Path kerasWeightsDeclaring(long[] to) throws IOException {
    Path file = dir.resolve("patched.weights.h5");
    Files.copy(MLP_WEIGHTS, file);
    patchDims(file, new long[] {6, 8}, to);
    return file;
  }

  /** Rewrites every dataspace dimension pair {@code from} (8-byte little-endian lengths) to {@code to}. */
  private static void patchDims(Path file, long[] from, long[] to) throws IOException {
    byte[] b = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int patched = 0;
    for (int i = 0; i + 16 <= b.length; i++) {
      if (buf.getLong(i) == from[0] && buf.getLong(i + 8) == from[1]) {
        buf.putLong(i, to[0]).putLong(i + 8, to[1]);
        patched++;
      }
    }
    assertTrue(patched >= 1, "dimensions patched");
    Files.write(file, b);
  }

  @Test
  void datasetDeclaringMoreValuesThanTheFileHolds_isRefusedBeforeReading() throws IOException {
    Path file = kerasWeightsDeclaring(new long[] {64, 4_000_000});
    assertTrue(Files.size(file) < 32_768, "a small file: " + Files.size(file));
    assertRefused(CorruptCheckpointException.class, () -> KerasFileContents.verify(file, p -> { }),
        "dataset 'layers/dense/vars/0' declares shape [64, 4000000] with 1024000000 bytes of values, but the file "
            + "has " + Files.size(file) + " bytes");
    // Inside a .keras archive, against the member's size.
    Map<String, byte[]> m = KerasFilesBadInputTest.members(MLP);
    m.put(KerasArchive.WEIGHTS, Files.readAllBytes(file));
    Path archive = writeZip("patched.keras", m);
    assertRefused(CorruptCheckpointException.class, () -> KerasFileContents.verify(archive, p -> { }),
        archive + ": model.weights.h5: dataset 'layers/dense/vars/0' declares shape [64, 4000000]");
  }

  @Test
  void datasetOf2Pow31Squared_isATypedError_inInspectVerifyAndLoad() throws IOException {
    long huge = 1L << 31;
    Path file = kerasWeightsDeclaring(new long[] {huge, huge});
    KerasFileContents listed = KerasFileContents.read(file); // inspect lists what the file declares
    assertEquals(Arrays.toString(new long[] {huge, huge}), Arrays.toString(listed.datasets().get(0).shape()));
    assertRefused(CorruptCheckpointException.class, () -> KerasFileContents.verify(file, p -> { }),
        "declares shape [2147483648, 2147483648] with more than 2147483639 values");
    try (Sequential model = KerasFilesBadInputTest.mlp()) {
      IncompatibleCheckpointException e = assertRefused(IncompatibleCheckpointException.class,
          () -> model.loadWeights(file), "does not hold the weights of model");
      assertTrue(e.mismatched().get(0).contains("found float32 [2147483648, 2147483648]"), e.mismatched().toString());
    }
  }

  /** The IEEE float32 datatype message body as h5py and jhdf write it: size 4, offset 0, precision 32, 23/8/0/23/127. */
  private static final byte[] FLOAT32_TYPE = {4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0};

  @Test
  void float32DatasetsRelabelledFloat64_areTypedErrors_notClassCastExceptions() throws IOException {
    Path file = dir.resolve("relabelled.weights.h5");
    byte[] b = Files.readAllBytes(MLP_WEIGHTS);
    int patched = 0;
    for (int i = 0; i + FLOAT32_TYPE.length <= b.length; i++) {
      if (Arrays.equals(b, i, i + FLOAT32_TYPE.length, FLOAT32_TYPE, 0, FLOAT32_TYPE.length)) {
        b[i] = 8; // the size: 8 bytes, while the precision stays 32 bits
        patched++;
      }
    }
    assertTrue(patched > 0, "datatypes patched");
    Files.write(file, b);
    try (Sequential model = KerasFilesBadInputTest.mlp()) {
      IncompatibleCheckpointException e = assertRefused(IncompatibleCheckpointException.class,
          () -> model.loadWeights(file), "does not hold the weights of model");
      assertTrue(e.mismatched().get(0).startsWith("layers/dense/vars/0 (dense/kernel): expected float32 [6, 8], found "
          + "float64 (precision 32 bits at offset 0) [6, 8]"), e.mismatched().toString());
    }
    assertRefused(CorruptCheckpointException.class, () -> KerasFileContents.verify(file, p -> { }),
        "has dtype float64 (precision 32 bits at offset 0)", "size and precision disagree");
  }

  @Test
  void float64Dataset_isRefusedByVerifyNamingDatasetAndDtype() throws IOException {
    Path file = dir.resolve("double.weights.h5");
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      h5.putGroup("layers").putGroup("dense").putGroup("vars").putDataset("0", new double[] {1, 2, 3});
    }
    assertRefused(IncompatibleCheckpointException.class, () -> KerasFileContents.verify(file, p -> { }),
        "dataset 'layers/dense/vars/0' has dtype float64", "Save the model in float32");
  }

  @Test
  void budgetProperty_mustBeANumberOfBytes() {
    System.setProperty(MemoryBudget.PROPERTY, "lots");
    assertRefused(IllegalArgumentException.class, MemoryBudget::bytes, "Expected -Dkerasj.memoryBudget to be");
    System.setProperty(MemoryBudget.PROPERTY, "4g");
    assertEquals(4L << 30, MemoryBudget.bytes());
  }
}
