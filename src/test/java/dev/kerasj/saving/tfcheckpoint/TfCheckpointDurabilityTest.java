package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CASES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.saving.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The write protocol under failures: a crash (simulated by stopping the writer after each stage, without clean-up)
 * or an I/O error at any point leaves a complete checkpoint, old or new, that {@link TfCheckpoint#restore} reads.
 */
class TfCheckpointDurabilityTest {
  static final long SEED = 11L;
  @TempDir Path dir;

  @AfterEach
  void resetHook() {
    CheckpointWriter.hook = stage -> { };
  }

  /** Two trained states of the same model: {@code old} is on disk at {@code prefix}, the model holds {@code next}. */
  private record Setup(Sequential model, Path prefix, Map<String, HostArray> old, Map<String, HostArray> next) {}

  private Setup overwriteSetup() throws IOException {
    Sequential m = CheckpointTesting.trainedMlp(SEED, 1);
    Path prefix = dir.resolve("weights");
    TfCheckpoint.write(m, prefix);
    Map<String, HostArray> old = CheckpointTesting.allVariables(m);
    Object[] d = CheckpointTesting.randomData(SEED, 40);
    m.fit(d[0], d[1], FitOptions.builder().epochs(1).verbose(0).build());
    return new Setup(m, prefix, old, CheckpointTesting.allVariables(m));
  }

  private static Map<String, HostArray> restoredFrom(Path prefixOrDir) throws IOException {
    try (Sequential fresh = CASES.get("mlp_adam").build(SEED + 99)) {
      TfCheckpoint.restore(fresh, prefixOrDir);
      return CheckpointTesting.allVariables(fresh);
    }
  }

  @ParameterizedTest
  @EnumSource(CheckpointWriter.Stage.class)
  void overwrite_crashAfterEachStage_leavesOldOrNewCheckpointComplete(CheckpointWriter.Stage crashAt)
      throws Exception {
    Setup s = overwriteSetup();
    try (Sequential m = s.model()) {
      CheckpointWriter.hook = stage -> {
        if (stage == crashAt) {
          throw new CheckpointWriter.SimulatedCrash(stage);
        }
      };
      assertThrows(CheckpointWriter.SimulatedCrash.class, () -> TfCheckpoint.write(m, s.prefix()));
      CheckpointWriter.hook = stage -> { };

      boolean newIsComplete = crashAt.compareTo(CheckpointWriter.Stage.INDEX_COMMITTED) >= 0;
      Map<String, HostArray> expected = newIsComplete ? s.next() : s.old();
      CheckpointTesting.assertSameValues(expected, restoredFrom(s.prefix()));
      CheckpointTesting.assertSameValues(expected, restoredFrom(dir));
      assertEquals(List.of(s.prefix()), TfCheckpoint.list(dir), "exactly one checkpoint listed after " + crashAt);

      // The next write recovers: the new values are on disk and no previous pair is left behind.
      TfCheckpoint.write(m, s.prefix());
      CheckpointTesting.assertSameValues(s.next(), restoredFrom(s.prefix()));
      assertFalse(Files.exists(CheckpointFiles.previous(s.prefix()).getParent()), "previous pair deleted");
    }
  }

  @ParameterizedTest
  @EnumSource(value = CheckpointWriter.Stage.class, names = {"STAGED", "PREVIOUS_KEPT", "OLD_INDEX_REMOVED",
      "DATA_COMMITTED"})
  void overwrite_ioErrorMidway_failsLoudlyAndKeepsPreviousCheckpoint(CheckpointWriter.Stage failAt)
      throws Exception {
    Setup s = overwriteSetup();
    try (Sequential m = s.model()) {
      CheckpointWriter.hook = stage -> {
        if (stage == failAt) {
          throw new IOException("No space left on device (simulated after " + stage + ")");
        }
      };
      IOException e = assertThrows(IOException.class, () -> TfCheckpoint.write(m, s.prefix()));
      assertTrue(e.getMessage().contains("No space left"), e.getMessage());
      CheckpointTesting.assertSameValues(s.old(), restoredFrom(s.prefix()));
      try (var entries = Files.list(dir)) {
        assertTrue(entries.noneMatch(DurableFiles::isStaging), "the failed write removed its staging directory");
      }
    }
  }

  @Test
  void overwrite_ofPairMissingItsData_writesTheNewPair() throws Exception {
    Setup s = overwriteSetup();
    try (Sequential m = s.model()) {
      Files.delete(CheckpointFiles.data(s.prefix()));
      TfCheckpoint.write(m, s.prefix());
      CheckpointTesting.assertSameValues(s.next(), restoredFrom(s.prefix()));
    }
  }

  @Test
  void firstWrite_crashBeforeIndex_leavesNoCheckpoint() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      CheckpointWriter.hook = stage -> {
        if (stage == CheckpointWriter.Stage.DATA_COMMITTED) {
          throw new CheckpointWriter.SimulatedCrash(stage);
        }
      };
      assertThrows(IOException.class, () -> TfCheckpoint.write(m, dir.resolve("ckpt")));
    }
    assertTrue(Files.exists(CheckpointFiles.data(dir.resolve("ckpt"))), "the data file was renamed in");
    assertEquals(List.of(), TfCheckpoint.list(dir), "a data file without its index is not a checkpoint");
    assertTrue(TfCheckpoint.latest(dir).isEmpty());
    assertThrows(NoSuchFileException.class, () -> restoredFrom(dir.resolve("ckpt")));
  }

  @Test
  void write_intoPathBelowARegularFile_failsLoudly() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      TfCheckpoint.write(m, dir.resolve("good"));
      assertThrows(IOException.class, () -> TfCheckpoint.write(m, file.resolve("ckpt")));
      assertEquals(List.of(dir.resolve("good")), TfCheckpoint.list(dir));
      CheckpointTesting.assertSameValues(CheckpointTesting.allVariables(m), restoredFrom(dir.resolve("good")));
    }
  }

  @Test
  void write_order_dataBeforeIndexAndStateLast() throws Exception {
    List<String> seen = new ArrayList<>();
    Setup s = overwriteSetup();
    try (Sequential m = s.model()) {
      CheckpointWriter.hook = stage -> seen.add(stage + (Files.exists(CheckpointFiles.index(s.prefix()))
          ? " index" : " no-index"));
      TfCheckpoint.write(m, s.prefix());
    }
    assertEquals(List.of("STAGING_CREATED index", "STAGED index", "PREVIOUS_KEPT index", "OLD_INDEX_REMOVED no-index",
        "DATA_COMMITTED no-index", "INDEX_COMMITTED index", "STATE_WRITTEN index"), seen);
  }

  @Test
  void list_ignoresStagingLeftoversIncompletePairsAndOtherFiles() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      TfCheckpoint.write(m, dir.resolve("ckpt-1"));
      TfCheckpoint.write(m, dir.resolve("ckpt-2"));
      TfCheckpoint.write(m, dir.resolve("ckpt-10"));
    }
    Files.createDirectory(dir.resolve(DurableFiles.STAGING_PREFIX + "tfckpt-123"));
    Files.copy(CheckpointFiles.index(dir.resolve("ckpt-2")),
        dir.resolve(DurableFiles.STAGING_PREFIX + "x-ckpt-3.index"));
    Files.copy(CheckpointFiles.index(dir.resolve("ckpt-2")), CheckpointFiles.index(dir.resolve("ckpt-11")));
    Files.writeString(dir.resolve("notes.txt"), "hello");
    assertEquals(List.of(dir.resolve("ckpt-1"), dir.resolve("ckpt-10"), dir.resolve("ckpt-2")),
        TfCheckpoint.list(dir));
    assertEquals(dir.resolve("ckpt-10"), TfCheckpoint.latest(dir).orElseThrow(), "from the state file");
    Files.delete(dir.resolve(CheckpointState.FILE_NAME));
    assertEquals(dir.resolve("ckpt-10"), TfCheckpoint.latest(dir).orElseThrow(), "highest number without state");
  }

  @Test
  void latest_stateFilePointsAtDeletedCheckpoint_fallsBackToNewestCompleteEntry() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      TfCheckpoint.write(m, dir.resolve("a"));
      TfCheckpoint.write(m, dir.resolve("b"));
    }
    Files.delete(CheckpointFiles.data(dir.resolve("b")));
    assertEquals(dir.resolve("a"), TfCheckpoint.latest(dir).orElseThrow());
  }

  @Test
  void latest_severalUnnumberedWithoutStateFile_isEmptyRatherThanAGuess() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      TfCheckpoint.write(m, dir.resolve("a"));
      TfCheckpoint.write(m, dir.resolve("b"));
    }
    Files.delete(dir.resolve(CheckpointState.FILE_NAME));
    assertTrue(TfCheckpoint.latest(dir).isEmpty());
    try (Sequential fresh = CASES.get("mlp_adam").build(1)) {
      assertThrows(NoSuchFileException.class, () -> TfCheckpoint.restore(fresh, dir));
    }
  }

  @Test
  void delete_removesFilesPreviousPairAndStateEntry() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      TfCheckpoint.write(m, dir.resolve("ckpt-1"));
      TfCheckpoint.write(m, dir.resolve("ckpt-2"));
      TfCheckpoint.write(m, dir.resolve("ckpt-3"));
    }
    TfCheckpoint.delete(dir.resolve("ckpt-3"));
    TfCheckpoint.delete(dir.resolve("ckpt-1"));
    TfCheckpoint.delete(dir.resolve("never-written"));
    assertEquals(List.of(dir.resolve("ckpt-2")), TfCheckpoint.list(dir));
    CheckpointState state = CheckpointState.read(dir).orElseThrow();
    assertEquals("ckpt-2", state.modelCheckpointPath());
    assertEquals(List.of("ckpt-2"), state.allModelCheckpointPaths());
    assertEquals(1, state.allModelCheckpointTimestamps().size());
    TfCheckpoint.delete(dir.resolve("ckpt-2"));
    try (var entries = Files.list(dir)) {
      assertEquals(List.of(), entries.toList(), "nothing left, not even the state file");
    }
  }

  @Test
  void delete_afterInterruptedOverwrite_doesNotResurrectThePreviousPair() throws Exception {
    Setup s = overwriteSetup();
    try (Sequential m = s.model()) {
      CheckpointWriter.hook = stage -> {
        if (stage == CheckpointWriter.Stage.DATA_COMMITTED) {
          throw new CheckpointWriter.SimulatedCrash(stage);
        }
      };
      assertThrows(IOException.class, () -> TfCheckpoint.write(m, s.prefix()));
    }
    assertEquals(List.of(s.prefix()), TfCheckpoint.list(dir));
    TfCheckpoint.delete(s.prefix());
    assertEquals(List.of(), TfCheckpoint.list(dir));
  }

  @Test
  void write_reservedOrSuffixedPrefix_isRejected() throws Exception {
    try (Sequential m = CASES.get("mlp_adam").build(1)) {
      for (String bad : List.of("ckpt.index", "ckpt.data-00000-of-00001", "checkpoint",
          DurableFiles.STAGING_PREFIX + "x", CheckpointFiles.PREVIOUS_PREFIX + "x")) {
        assertThrows(IllegalArgumentException.class, () -> TfCheckpoint.write(m, dir.resolve(bad)), bad);
      }
    }
  }
}
