package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CASES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.tfcheckpoint.HostileBundles.Hostile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Index entries with valid block checksums but contents TensorFlow's native reader CHECK-fails on (a negative
 * dimension, a rank of 300, an entry that does not parse ...) abort the JVM unless kerasj refuses them first: each
 * must give a one-line {@link CorruptCheckpointException} naming the file, the key and the field. That this test
 * class finishes at all is part of the check: a native abort kills surefire's fork. Non-regular files (a FIFO would
 * block the reader forever) and invalid paths in the state file are refused within seconds.
 */
class HostileCheckpointTest {
  static final long SEED = 9L;
  static final Duration QUICKLY = Duration.ofSeconds(30);
  @TempDir Path dir;
  Path prefix;

  @BeforeEach
  void writeCheckpoint() throws IOException {
    prefix = dir.resolve("ckpt-1");
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 0)) {
      TfCheckpoint.write(m, prefix);
    }
  }

  /** The ways a checkpoint is read: each must refuse a hostile index before TensorFlow sees it. */
  enum Reader {
    CONTENTS_READ, CONTENTS_VERIFY, LOAD_WEIGHTS;

    void read(Path prefix) throws IOException {
      switch (this) {
        case CONTENTS_READ -> CheckpointContents.read(prefix);
        case CONTENTS_VERIFY -> CheckpointContents.verify(prefix, t -> { });
        case LOAD_WEIGHTS -> restoreFresh(prefix);
      }
    }
  }

  static Stream<Arguments> hostileCases() {
    return HostileBundles.everyHostileWith((Object[]) Reader.values());
  }

  @ParameterizedTest(name = "{0} via {1}")
  @MethodSource("hostileCases")
  void hostileIndex_isCorruptNamingFileKeyAndField(Hostile hostile, Reader reader) throws IOException {
    HostileBundles.assertRefused(prefix, hostile, () -> reader.read(prefix));
  }

  @Test
  void hugeStoredStringLength_isCorruptNamingDataFile_beforeTensorFlowAllocatesIt() throws IOException {
    long offset = entryOffset(CheckpointFiles.OBJECT_GRAPH_KEY);
    Path data = CheckpointFiles.data(prefix);
    byte[] bytes = Files.readAllBytes(data);
    byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        (byte) 0xff, 0x7f}; // varint64 2^63 - 1: TensorFlow would resize a string to that many bytes
    System.arraycopy(huge, 0, bytes, (int) offset, huge.length);
    Files.write(data, bytes);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
        () -> CheckpointContents.read(prefix));
    assertEquals(data, e.file(), e.getMessage());
    assertTrue(e.getMessage().contains("element lengths stored for entry '" + CheckpointFiles.OBJECT_GRAPH_KEY
        + "'"), e.getMessage());
  }

  @Test
  void validCheckpoint_readsAsBefore() throws IOException {
    CheckpointContents c = CheckpointContents.read(prefix);
    assertTrue(c.objectGraph() != null && c.tensors().size() > 5, c.tensors().toString());
    assertEquals(BundleIndexFixturesTest.tensorFlowEntries(prefix), CheckpointTesting.entries(prefix));
    assertTrue(CheckpointContents.verify(prefix, t -> { }) > 0);
  }

  @Test
  void fifoDataFile_isRefusedQuickly() throws Exception {
    Path data = CheckpointFiles.data(prefix);
    HostileBundles.replaceWithFifo(data);
    for (Executable read : new Executable[] {() -> CheckpointContents.read(prefix),
        () -> CheckpointContents.verify(prefix, t -> { }), () -> restoreFresh(prefix)}) {
      CorruptCheckpointException e = assertTimeoutPreemptively(QUICKLY,
          () -> assertThrows(CorruptCheckpointException.class, read));
      assertEquals(data, e.file(), e.getMessage());
      assertTrue(e.getMessage().contains(data + " is a FIFO, expected a regular file"), e.getMessage());
    }
  }

  @Test
  void fifoIndex_isRefusedAsAFifoNotAsMissing() throws Exception {
    Path index = CheckpointFiles.index(prefix);
    HostileBundles.replaceWithFifo(index);
    CorruptCheckpointException e = assertTimeoutPreemptively(QUICKLY,
        () -> assertThrows(CorruptCheckpointException.class, () -> CheckpointContents.read(prefix)));
    assertTrue(e.getMessage().contains(index + " is a FIFO, expected a regular file"), e.getMessage());
  }

  @Test
  void directoryAsIndex_isRefusedAsADirectory() throws Exception {
    Path index = CheckpointFiles.index(prefix);
    Files.delete(index);
    Files.createDirectory(index);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> restoreFresh(prefix));
    assertTrue(e.getMessage().contains(index + " is a directory, expected a regular file"), e.getMessage());
  }

  @Test
  void fifoStateFile_isCorruptQuickly_andLatestFallsBackToTheCheckpointsPresent() throws Exception {
    Path state = dir.resolve(CheckpointState.FILE_NAME);
    HostileBundles.replaceWithFifo(state);
    CorruptCheckpointException e = assertTimeoutPreemptively(QUICKLY,
        () -> assertThrows(CorruptCheckpointException.class, () -> CheckpointState.read(dir)));
    assertEquals(state, e.file());
    assertTrue(e.getMessage().contains(state + " is a FIFO, expected a regular file"), e.getMessage());
    Optional<Path> latest = assertTimeoutPreemptively(QUICKLY, () -> TfCheckpoint.latest(dir));
    assertEquals(Optional.of(prefix), latest);
  }

  @Test
  void nulInStateFilePath_isCorruptNotInvalidPath() throws IOException {
    Files.writeString(dir.resolve(CheckpointState.FILE_NAME), "model_checkpoint_path: \"ckpt\\000-1\"\n"
        + "all_model_checkpoint_paths: \"ckpt-1\"\n");
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointState.read(dir));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    assertEquals(Optional.of(prefix), TfCheckpoint.latest(dir));
  }

  @Test
  void rawNulByteInStateFile_isCorruptWithAPrintableMessage() throws IOException {
    Files.write(dir.resolve(CheckpointState.FILE_NAME), "model_checkpoint_path: \"ckpt\u0000-1\"\n".getBytes(
        java.nio.charset.StandardCharsets.ISO_8859_1));
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointState.read(dir));
    assertTrue(e.getMessage().contains("ckpt\\x00-1") && !e.getMessage().contains("\u0000"), e.getMessage());
  }

  private long entryOffset(String key) throws IOException {
    for (SsTable.Entry e : HostileBundles.entries(prefix)) {
      if (new String(e.key(), java.nio.charset.StandardCharsets.UTF_8).equals(key)) {
        return org.tensorflow.proto.BundleEntryProto.parseFrom(e.value()).getOffset();
      }
    }
    throw new IllegalStateException(key);
  }

  /** Restores into a fresh model, which must keep its own weights when the restore fails. */
  private static void restoreFresh(Path prefix) throws IOException {
    try (Sequential fresh = CASES.get("mlp_adam").build(SEED + 1)) {
      Map<String, HostArray> before = CheckpointTesting.allVariables(fresh);
      try {
        fresh.loadWeights(prefix);
      } finally {
        CheckpointTesting.assertSameValues(before, CheckpointTesting.allVariables(fresh));
      }
    }
  }
}
