package dev.kerasj.saving.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.LayerContext;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.testing.TestFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;

/** Every way a SavedModel can be unusable gives a typed exception that names the file and what is wrong. */
class SavedModelBadInputTest {
  @TempDir Path tmp;
  Path dir;

  @BeforeEach
  void saveMlp() throws IOException {
    dir = tmp.resolve("mlp");
    try (Sequential model = ModelCases.MLP.build()) {
      ModelCases.MLP.fit(model, 0, 1);
      SavedModelWriter.write(model, dir);
    }
  }

  @Test
  void load_missingDirectory_throwsNoSuchFile() {
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Sequential.load(tmp.resolve("nope")));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void load_directoryWithoutSavedModelPb_namesDirectoryAndMissingFile() throws IOException {
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(empty));
    assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("saved_model.pb is missing"),
        e.getMessage());
    assertEquals(empty, e.path());
  }

  @Test
  void load_savedModelExportedByKeras_saysItIsNotKerasjAndPointsToServingApi() throws IOException {
    Path keras = TestFiles.copyTree(Path.of("testdata", "savedmodel", "keras_export"), tmp.resolve("keras_export"));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(keras));
    assertTrue(e.getMessage().contains("not one kerasj wrote") && e.getMessage().contains("assets/config.json")
        && e.getMessage().contains("SavedModelBundle.load"), e.getMessage());
  }

  @Test
  void load_unsupportedLayerClass_namesItAndListsSupportedLayers() throws IOException {
    withoutChecksums(); // an edited config of a SavedModel from before kerasj's SHA-256 manifest
    replaceInFile(dir.resolve("assets/config.json"), "\"class_name\": \"Dense\"", "\"class_name\": \"ConvLSTM2D\"");
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(dir));
    assertTrue(e.getMessage().contains("'ConvLSTM2D' is not supported") && e.getMessage().contains("Supported: [InputLayer, "
        + "Dense, Conv2D"), e.getMessage());
  }

  @Test
  void load_unsupportedArgumentValue_namesLayerAndArgument() throws IOException {
    withoutChecksums(); // an edited config of a SavedModel from before kerasj's SHA-256 manifest
    replaceInFile(dir.resolve("assets/config.json"), "\"kernel_regularizer\": null",
        "\"kernel_regularizer\": {\"class_name\": \"OrthogonalRegularizer\", "
            + "\"config\": {\"factor\": 0.01, \"mode\": \"rows\"}}"); // a regularizer kerasj does not have
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> Sequential.load(dir));
    assertTrue(e.getMessage().contains("layer 'dense' (Dense)") && e.getMessage().contains("kernel_regularizer")
        && e.getMessage().contains("'OrthogonalRegularizer' is not supported"), e.getMessage());
  }

  @Test
  void load_bitFlippedVariables_throwsCorruptCheckpointNamingFile() throws IOException {
    Path data = dir.resolve("variables/variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(data, bytes);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir));
    assertEquals(data, e.file());
    assertTrue(e.getMessage().contains("sha256 is "), "kerasj's manifest catches it first: " + e.getMessage());
    withoutChecksums();
    e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir));
    assertTrue(e.getMessage().contains(dir.resolve("variables/variables").toString()), e.getMessage());
    assertTrue(e.getMessage().toLowerCase().contains("checksum"), "TensorFlow's crc32c catches it: " + e.getMessage());
  }

  /** Deletes kerasj's SHA-256 manifest, as in a SavedModel written before it existed. */
  private void withoutChecksums() throws IOException {
    Files.delete(dir.resolve("assets/kerasj.sha256"));
  }

  @Test
  void load_truncatedVariables_throwsCorruptCheckpoint() throws IOException {
    Path data = dir.resolve("variables/variables.data-00000-of-00001");
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 3);
    }
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir));
    assertTrue(e.getMessage().contains("variables"), e.getMessage());
  }

  @Test
  void load_missingVariablesIndex_throwsCorruptCheckpoint() throws IOException {
    Files.delete(dir.resolve("variables/variables.index"));
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir));
    assertTrue(e.getMessage().contains("variables/variables.index is missing"), e.getMessage());
  }

  @Test
  void load_garbageSavedModelPb_throwsCorruptCheckpointNamingIt() throws IOException {
    Files.writeString(dir.resolve("saved_model.pb"), "not a protocol buffer");
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir));
    assertEquals(dir.resolve("saved_model.pb"), e.file());
  }

  @Test
  void load_invalidJsonConfig_throwsCorruptCheckpointNamingIt() throws IOException {
    Files.writeString(dir.resolve("assets/config.json"), "{\"class_name\": \"Sequential\", ");
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Sequential.load(dir));
    assertEquals(dir.resolve("assets/config.json"), e.file());
  }

  @Test
  void load_variablesThatDoNotFitTheConfig_throwsIncompatibleCheckpointListingThem() throws IOException {
    withoutChecksums(); // an edited config of a SavedModel from before kerasj's SHA-256 manifest
    replaceInFile(dir.resolve("assets/config.json"), "\"units\": 32", "\"units\": 33");
    IncompatibleCheckpointException e =
        assertThrows(IncompatibleCheckpointException.class, () -> Sequential.load(dir));
    assertTrue(e.mismatched().stream().anyMatch(m -> m.contains("dense/kernel")), e.getMessage());
    assertTrue(e.missing().isEmpty() && e.unexpected().isEmpty(), e.getMessage());
  }

  @Test
  void write_overNonSavedModelDirectory_refusesAndKeepsItsFiles() throws IOException {
    Path mine = Files.createDirectory(tmp.resolve("my-notes"));
    Files.writeString(mine.resolve("notes.txt"), "precious");
    try (Sequential model = ModelCases.MLP.build()) {
      IOException e = assertThrows(IOException.class, () -> SavedModelWriter.write(model, mine));
      assertTrue(e.getMessage().contains("Refusing to replace"), e.getMessage());
    }
    assertEquals("precious", Files.readString(mine.resolve("notes.txt")));
    assertNoStagingLeftovers();
  }

  @Test
  void write_modelWithCustomLayer_failsBeforeTouchingDisk() {
    Path target = tmp.resolve("custom");
    try (Sequential model = new Sequential(Input.of(4), new Doubler(), new Dense(2))) {
      model.compile("sgd", "mse");
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SavedModelWriter.write(model, target));
      assertTrue(e.getMessage().contains("Doubler") && e.getMessage().contains("Supported"), e.getMessage());
    }
    assertFalse(Files.exists(target));
  }

  private void assertNoStagingLeftovers() throws IOException {
    try (Stream<Path> entries = Files.list(tmp)) {
      assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith(".kerasj")), "staging leftovers");
    }
  }

  static void replaceInFile(Path file, String from, String to) throws IOException {
    String s = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(s.contains(from), file + " should contain " + from);
    Files.writeString(file, s.replaceFirst(java.util.regex.Pattern.quote(from), to), StandardCharsets.UTF_8);
  }

  /** A user-defined layer: kerasj cannot describe it in a Keras config. */
  static final class Doubler extends Layer {
    Doubler() {
      super(null, null);
    }

    @Override
    public String className() {
      return "Doubler";
    }

    @Override
    public String defaultNamePrefix() {
      return "doubler";
    }

    @Override
    public long[] computeOutputShape(long[] inputShape) {
      return inputShape;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
      return ctx.tf().math.mul((Operand<org.tensorflow.types.TFloat32>) inputs, ctx.tf().constant(2f));
    }
  }
}
