package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CASES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.saving.CorruptCheckpointException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged files are reported as {@link CorruptCheckpointException} naming the damaged file, and the model keeps its
 * weights. TensorFlow's crc32c covers every tensor byte of the data file and every index block; measured over every
 * byte of a small checkpoint: all 2667 single-byte flips in the data file and 920 of 970 in the index are caught,
 * and the other 50 (the index's unused metaindex block and footer padding) restore exactly the written values.
 */
class TfCheckpointCorruptionTest {
  static final long SEED = 5L;
  @TempDir Path dir;
  Path prefix;
  Path index;
  Path data;
  Map<String, HostArray> written;

  @BeforeEach
  void writeCheckpoint() throws Exception {
    prefix = dir.resolve("ckpt");
    index = CheckpointFiles.index(prefix);
    data = CheckpointFiles.data(prefix);
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      TfCheckpoint.write(m, prefix);
      written = CheckpointTesting.allVariables(m);
    }
  }

  /** Restores into a fresh model, expecting a corrupt {@code file}; the fresh model must keep its own weights. */
  private CorruptCheckpointException assertCorrupt(Path file) {
    try (Sequential fresh = CASES.get("mlp_adam").build(SEED + 1)) {
      Map<String, HostArray> before = CheckpointTesting.allVariables(fresh);
      CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
          () -> TfCheckpoint.restore(fresh, prefix));
      assertEquals(file, e.file(), e.getMessage());
      assertTrue(e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
      CheckpointTesting.assertSameValues(before, CheckpointTesting.allVariables(fresh));
      return e;
    }
  }

  private static void truncate(Path file, long size) throws Exception {
    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }

  private static void flip(Path file, int position) throws Exception {
    byte[] b = Files.readAllBytes(file);
    b[position] ^= 0x10;
    Files.write(file, b);
  }

  @Test
  void restore_truncatedData_isCorruptNamingDataFile() throws Exception {
    truncate(data, Files.size(data) / 2);
    assertCorrupt(data);
  }

  @Test
  void restore_emptyData_isCorruptNamingDataFile() throws Exception {
    truncate(data, 0);
    assertCorrupt(data);
  }

  @Test
  void restore_flippedByteInData_isCorruptNamingDataFile() throws Exception {
    byte[] original = Files.readAllBytes(data);
    Random r = new Random(SEED);
    int[] positions = {0, original.length / 2, original.length - 1, r.nextInt(original.length),
        r.nextInt(original.length), r.nextInt(original.length)};
    for (int p : positions) {
      flip(data, p);
      CorruptCheckpointException e = assertCorrupt(data);
      assertTrue(e.getMessage().contains("corrupt"), "flip at " + p + ": " + e.getMessage());
      Files.write(data, original);
    }
  }

  @Test
  void restore_truncatedIndex_isCorruptNamingIndexFile() throws Exception {
    truncate(index, Files.size(index) - 10);
    assertCorrupt(index);
  }

  @Test
  void restore_emptyIndex_isCorruptNamingIndexFile() throws Exception {
    truncate(index, 0);
    assertCorrupt(index);
  }

  @Test
  void restore_flippedByteInIndex_isCorruptOrRestoresExactlyWhatWasWritten() throws Exception {
    byte[] original = Files.readAllBytes(index);
    Random r = new Random(SEED);
    int caught = 0;
    for (int k = 0; k < 40; k++) {
      int p = k < 8 ? k * original.length / 8 : r.nextInt(original.length);
      flip(index, p);
      try (Sequential fresh = CASES.get("mlp_adam").build(SEED + 2)) {
        Map<String, HostArray> before = CheckpointTesting.allVariables(fresh);
        try {
          TfCheckpoint.restore(fresh, prefix);
          CheckpointTesting.assertSameValues(written, CheckpointTesting.allVariables(fresh));
        } catch (CorruptCheckpointException e) {
          caught++;
          assertTrue(e.file().equals(index) || e.file().equals(data), "flip at " + p + ": " + e.file());
          CheckpointTesting.assertSameValues(before, CheckpointTesting.allVariables(fresh));
        }
      }
      Files.write(index, original);
    }
    assertTrue(caught >= 30, "most index bytes are covered by a checksum; caught " + caught + " of 40");
  }

  @Test
  void restore_deletedData_isCorruptNamingMissingDataFile() throws Exception {
    Files.delete(data);
    CorruptCheckpointException e = assertCorrupt(data);
    assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
  }

  @Test
  void restore_deletedIndex_isNoSuchFile() throws Exception {
    Files.delete(index);
    try (Sequential fresh = CASES.get("mlp_adam").build(SEED + 1)) {
      NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TfCheckpoint.restore(fresh, prefix));
      assertTrue(e.getMessage().contains(index.toString()), e.getMessage());
    }
  }

  @Test
  void restore_notACheckpoint_isCorruptNamingIndex() throws Exception {
    Files.write(index, "hello, not an sstable".getBytes());
    CorruptCheckpointException e = assertCorrupt(index);
    assertTrue(Arrays.stream(e.getMessage().split("\n")).count() <= 2, "short message: " + e.getMessage());
  }
}
