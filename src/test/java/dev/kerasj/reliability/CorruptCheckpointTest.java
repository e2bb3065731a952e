package dev.kerasj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.examples.Digits;
import dev.kerasj.models.KerasModel;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import dev.kerasj.testing.TestFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files written by {@link ModelCheckpoint} during {@code fit}: a truncated or bit-flipped data or index file
 * is reported as {@link CorruptCheckpointException} naming that file, the model being restored keeps its values, and
 * the previous checkpoint of the run still restores exactly. (The byte-by-byte coverage of TensorFlow's checksums is
 * measured in {@code TfCheckpointCorruptionTest}; this is the user's path: checkpoints from a training run,
 * {@link Sequential#loadWeights} and {@link Sequential#load}.)
 */
class CorruptCheckpointTest {
  /** One run of 2 epochs, shared: weights checkpoints per epoch in {@code weights/}, a SavedModel in {@code model}. */
  @TempDir static Path pristine;
  static final Map<Integer, String> HASH_AFTER_EPOCH = new HashMap<>();

  @TempDir Path dir;
  Path ckpt1;
  Path ckpt2;

  @BeforeAll
  static void train() {
    Digits data = Digits.load(Path.of("testdata", "digits", "digits.csv")).slice(0, TrainerChild.SAMPLES);
    Callback hashes = new Callback() {
      private KerasModel model;

      @Override
      public void setModel(KerasModel model) {
        this.model = model;
      }

      @Override
      public void onEpochEnd(int epoch, Map<String, Double> logs) {
        HASH_AFTER_EPOCH.put(epoch + 1, TrainerChild.hash(model));
      }
    };
    try (Sequential model = TrainerChild.newModel()) {
      model.fit(data.pixels(), data.labels(), FitOptions.builder().epochs(2).batchSize(TrainerChild.BATCH)
          .seed(TrainerChild.SEED).verbose(0).callbacks(hashes,
              ModelCheckpoint.builder(pristine.resolve("weights/ckpt-{epoch:03d}").toString()).saveWeightsOnly(true)
                  .build(),
              ModelCheckpoint.builder(pristine.resolve("model").toString()).build()).build());
    }
  }

  @BeforeEach
  void copyRun() throws IOException {
    TestFiles.copyTree(pristine, dir);
    ckpt1 = dir.resolve("weights/ckpt-001");
    ckpt2 = dir.resolve("weights/ckpt-002");
    assertEquals(List.of(ckpt1, ckpt2), TfCheckpoint.list(dir.resolve("weights")));
  }

  private static Path data(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + ".data-00000-of-00001");
  }

  private static Path index(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + ".index");
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  private static void flip(Path file, long position) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[(int) position] ^= 0x04;
    Files.write(file, b);
  }

  /** {@code loadWeights(prefix)} into a fresh model throws, naming {@code file}; the model keeps its values. */
  private static void assertCorrupt(Path prefix, Path file) {
    try (Sequential fresh = TrainerChild.newModel()) {
      String before = TrainerChild.hash(fresh);
      CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> fresh.loadWeights(prefix));
      assertEquals(file.toAbsolutePath(), e.file().toAbsolutePath(), e.getMessage());
      assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), "message names the file: "
          + e.getMessage());
      assertEquals(before, TrainerChild.hash(fresh), "a failed restore changed the model");
    }
  }

  /** The newest checkpoint is still the one {@link TfCheckpoint#latest} names; the one before restores exactly. */
  private void assertPreviousRestores() throws IOException {
    Path weights = dir.resolve("weights");
    assertEquals(Optional.of(ckpt2), TfCheckpoint.latest(weights),
        "latest does not open files (TfCheckpoint#latest), so it still names the damaged checkpoint");
    List<Path> listed = TfCheckpoint.list(weights);
    Path previous = listed.get(listed.indexOf(ckpt2) - 1);
    try (Sequential fresh = TrainerChild.newModel()) {
      fresh.loadWeights(previous);
      assertEquals(HASH_AFTER_EPOCH.get(1), TrainerChild.hash(fresh), "restored " + previous);
    }
  }

  @Test
  void loadWeights_truncatedDataOfLatest_isCorruptNamingDataFile_andPreviousRestores() throws Exception {
    truncate(data(ckpt2), Files.size(data(ckpt2)) / 2);
    assertCorrupt(ckpt2, data(ckpt2));
    assertPreviousRestores();
  }

  @Test
  void loadWeights_directoryWhoseLatestIsTruncated_throwsInsteadOfFallingBackSilently() throws Exception {
    truncate(data(ckpt2), Files.size(data(ckpt2)) - 1);
    assertCorrupt(dir.resolve("weights"), data(ckpt2));
  }

  @Test
  void loadWeights_bitFlippedData_isCorruptNamingDataFile_andPreviousRestores() throws Exception {
    Path file = data(ckpt2);
    byte[] original = Files.readAllBytes(file);
    for (long position : new long[] {original.length / 3, original.length / 2, original.length - 5}) {
      flip(file, position);
      assertCorrupt(ckpt2, file);
      Files.write(file, original);
    }
    assertPreviousRestores();
  }

  @Test
  void loadWeights_truncatedIndex_isCorruptNamingIndexFile_andPreviousRestores() throws Exception {
    truncate(index(ckpt2), Files.size(index(ckpt2)) - 7);
    assertCorrupt(ckpt2, index(ckpt2));
    assertPreviousRestores();
  }

  @Test
  void load_bitFlippedSavedModelVariables_isCorruptNamingTheDataFile() throws Exception {
    Path file = dir.resolve("model/variables/variables.data-00000-of-00001");
    flip(file, Files.size(file) / 2);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
        () -> Sequential.load(dir.resolve("model")));
    assertTrue(e.getMessage().contains(file.toString()), "message names the damaged file " + file + ": "
        + e.getMessage());
    assertEquals(file, e.file(), "CorruptCheckpointException.file()");
  }

  @Test
  void load_truncatedSavedModelVariables_isCorruptNamingTheDataFile() throws Exception {
    Path file = dir.resolve("model/variables/variables.data-00000-of-00001");
    truncate(file, Files.size(file) / 2);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
        () -> Sequential.load(dir.resolve("model")));
    assertTrue(e.getMessage().contains(file.toString()), "message names the damaged file " + file + ": "
        + e.getMessage());
    assertEquals(file, e.file(), "CorruptCheckpointException.file()");
  }
}
