package dev.kerasj.saving.tfcheckpoint;

import static dev.kerasj.saving.tfcheckpoint.CheckpointTesting.CASES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.internal.HostArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TfCheckpoint#snapshot} and {@code ModelCheckpoint.asyncSave(true)}: the files written in the background hold
 * the variables of the moment of the save, exactly as a synchronous write would, and a background failure comes out
 * of {@code fit}.
 */
class AsyncCheckpointTest {
  static final long SEED = 23L;
  /** 40 samples in batches of 8: five training batches per epoch. */
  static final int BATCH = 8;
  @TempDir Path dir;

  @AfterEach
  void resetHook() {
    CheckpointWriter.hook = stage -> { };
  }

  private static Map<String, HostArray> restoredFrom(Path prefixOrDir) throws IOException {
    try (Sequential fresh = CASES.get("mlp_adam").build(SEED + 99)) {
      TfCheckpoint.restore(fresh, prefixOrDir);
      return CheckpointTesting.allVariables(fresh);
    }
  }

  private static FitOptions fitOptions(int epochs, Callback... callbacks) {
    return FitOptions.builder().epochs(epochs).batchSize(BATCH).seed(SEED).verbose(0).callbacks(callbacks).build();
  }

  private static ModelCheckpoint.Builder weightsEvery(Path prefix, int batches) {
    return ModelCheckpoint.builder(prefix.toString()).saveWeightsOnly(true).saveFreq(batches).resumeBest(false);
  }

  @Test
  void snapshot_writtenLater_holdsValuesOfSnapshotTimeLikeSynchronousWrite() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      Map<String, HostArray> atSnapshot = CheckpointTesting.allVariables(m);
      CheckpointSnapshot snapshot = TfCheckpoint.snapshot(m);
      TfCheckpoint.write(m, dir.resolve("sync/ckpt"));
      Object[] d = CheckpointTesting.randomData(SEED, 40);
      m.fit(d[0], d[1], fitOptions(1));
      assertNotEquals(atSnapshot.get("dense/kernel").floats()[0], CheckpointTesting.allVariables(m)
          .get("dense/kernel").floats()[0], "training moved the weights on");

      snapshot.write(dir.resolve("async/ckpt"));

      CheckpointTesting.assertSameValues(atSnapshot, restoredFrom(dir.resolve("async")));
      CheckpointTesting.assertSameValues(restoredFrom(dir.resolve("sync")), restoredFrom(dir.resolve("async")));
      assertEquals(CheckpointTesting.objectGraph(dir.resolve("sync/ckpt")),
          CheckpointTesting.objectGraph(dir.resolve("async/ckpt")));
      assertEquals(CheckpointTesting.entries(dir.resolve("sync/ckpt")).keySet(),
          CheckpointTesting.entries(dir.resolve("async/ckpt")).keySet());
    }
  }

  @Test
  void snapshotWrite_overwrite_followsSynchronousProtocolOrder() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 1)) {
      Path prefix = dir.resolve("ckpt");
      List<List<CheckpointWriter.Stage>> orders = new ArrayList<>();
      for (boolean snapshot : new boolean[] {false, true}) {
        TfCheckpoint.write(m, prefix); // something to overwrite
        List<CheckpointWriter.Stage> seen = new ArrayList<>();
        CheckpointWriter.hook = seen::add;
        if (snapshot) {
          TfCheckpoint.snapshot(m).write(prefix);
        } else {
          TfCheckpoint.write(m, prefix);
        }
        CheckpointWriter.hook = stage -> { };
        orders.add(seen);
      }
      assertEquals(List.of(CheckpointWriter.Stage.values()), orders.get(0));
      assertEquals(orders.get(0), orders.get(1));
    }
  }

  @Test
  void asyncSave_sameSavePointAsSynchronous_restoresToIdenticalValues() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 0)) {
      Object[] d = CheckpointTesting.randomData(SEED, 40);
      ModelCheckpoint sync = weightsEvery(dir.resolve("sync/ckpt-{epoch}-{batch}"), 2).build();
      ModelCheckpoint async = weightsEvery(dir.resolve("async/ckpt-{epoch}-{batch}"), 2).asyncSave(true).build();

      m.fit(d[0], d[1], fitOptions(2, sync, async));

      List<String> syncNames = names(sync.keptPaths());
      assertEquals(syncNames, names(async.keptPaths()));
      assertEquals(List.of("ckpt-1-2", "ckpt-1-4", "ckpt-2-1", "ckpt-2-3", "ckpt-2-5"), syncNames);
      for (String name : syncNames) {
        CheckpointTesting.assertSameValues(restoredFrom(dir.resolve("sync").resolve(name)),
            restoredFrom(dir.resolve("async").resolve(name)));
      }
      assertEquals(dir.resolve("async/ckpt-2-5"), TfCheckpoint.latest(dir.resolve("async")).orElseThrow());
    }
  }

  @Test
  void asyncSave_trainingGoesOnDuringWrite_writesWeightsOfSaveTime() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 0)) {
      Object[] d = CheckpointTesting.randomData(SEED, 40);
      CountDownLatch laterBatchDone = new CountDownLatch(1);
      AtomicBoolean trainedDuringWrite = new AtomicBoolean();
      CheckpointWriter.hook = stage -> {
        if (stage == CheckpointWriter.Stage.STAGING_CREATED) { // before SaveV2: later values would show
          try {
            trainedDuringWrite.set(laterBatchDone.await(60, TimeUnit.SECONDS));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      };
      List<Map<String, HostArray>> atSave = new ArrayList<>();
      Callback recorder = new Callback() {
        @Override
        public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
          if (batch == 2) { // the batch ModelCheckpoint(saveFreq=3) saves after; it runs right after this callback
            atSave.add(CheckpointTesting.allVariables(m));
          } else if (batch == 3) {
            laterBatchDone.countDown();
          }
        }
      };
      ModelCheckpoint checkpoint = weightsEvery(dir.resolve("ckpt"), 3).asyncSave(true).build();

      m.fit(d[0], d[1], fitOptions(1, recorder, checkpoint));

      assertTrue(trainedDuringWrite.get(), "batch 4 ended while the checkpoint of batch 3 was being written");
      Map<String, HostArray> restored = restoredFrom(dir.resolve("ckpt"));
      CheckpointTesting.assertSameValues(atSave.get(0), restored);
      assertNotEquals(CheckpointTesting.allVariables(m).get("dense/kernel").floats()[0],
          restored.get("dense/kernel").floats()[0], "the model trained on after the save");
    }
  }

  @Test
  void asyncSave_backgroundIoFailure_throwsFromFitNamingPath() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 0)) {
      Object[] d = CheckpointTesting.randomData(SEED, 40);
      CheckpointWriter.hook = stage -> {
        if (stage == CheckpointWriter.Stage.STAGED) {
          throw new IOException("No space left on device (simulated)");
        }
      };
      Path prefix = dir.resolve("ckpt");
      ModelCheckpoint checkpoint = weightsEvery(prefix, 2).asyncSave(true).build();

      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> m.fit(d[0], d[1], fitOptions(1, checkpoint)));

      assertTrue(e.getMessage().contains(prefix.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("No space left on device (simulated)"), e.getMessage());
      assertEquals(List.of(), TfCheckpoint.list(dir), "a failed write leaves no checkpoint behind");
    }
  }

  @Test
  void asyncSave_failureOfLastWrite_throwsAtTrainEnd() throws Exception {
    try (Sequential m = CheckpointTesting.trainedMlp(SEED, 0)) {
      Object[] d = CheckpointTesting.randomData(SEED, 40);
      CheckpointWriter.hook = stage -> {
        if (stage == CheckpointWriter.Stage.STAGED) {
          throw new IOException("Input/output error (simulated)");
        }
      };
      ModelCheckpoint checkpoint = ModelCheckpoint.builder(dir.resolve("ckpt").toString()).saveWeightsOnly(true)
          .asyncSave(true).build(); // once per epoch: the only write is the one onTrainEnd waits for

      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> m.fit(d[0], d[1], fitOptions(1, checkpoint)));

      assertTrue(e.getMessage().contains(dir.resolve("ckpt").toString()), e.getMessage());
    }
  }

  private static List<String> names(List<String> paths) {
    return paths.stream().map(p -> Path.of(p).getFileName().toString()).toList();
  }
}
