package dev.kerasj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.examples.Digits;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code maxToKeep} still holds after a crash. {@link ModelCheckpoint} writes a checkpoint (which records it in
 * TensorFlow's {@code checkpoint} state file) and only then its own {@code .kerasj-modelcheckpoint-*.properties},
 * the list its retention deletes from. A SIGKILL between the two (or between that file's update and the deletion of
 * the dropped checkpoints) leaves a complete checkpoint that the state file lists and the properties do not; the
 * resumed run must still manage it, as {@code tf.train.CheckpointManager} manages whatever its state file lists.
 *
 * <p>The crash is reproduced exactly rather than by timing a kill: the disk state after "ModelCheckpoint's writer
 * returned, then the process died" is what {@link TfCheckpoint#write} alone leaves, since that is the call its
 * default writer makes.
 */
class RetentionAfterCrashTest {
  static final int MAX_TO_KEEP = 2;

  @TempDir Path dir;

  @Test
  void resumedRun_afterCrashBetweenWriteAndBookkeeping_stillKeepsAtMostMaxToKeep() throws Exception {
    Digits data = Digits.load(Path.of("testdata", "digits", "digits.csv")).slice(0, TrainerChild.SAMPLES);
    String template = dir.resolve("ckpt-{epoch:03d}").toString();
    try (Sequential model = TrainerChild.newModel()) {
      fit(model, data, 0, 2, ModelCheckpoint.builder(template).saveWeightsOnly(true).maxToKeep(MAX_TO_KEEP).build());
      fit(model, data, 2, 3);
      TfCheckpoint.write(model, dir.resolve("ckpt-003")); // epoch 3's save; the process dies right after it
    }
    assertEquals(Optional.of(dir.resolve("ckpt-003")), TfCheckpoint.latest(dir));

    try (Sequential resumed = TrainerChild.newModel()) {
      resumed.loadWeights(dir);
      fit(resumed, data, 3, 6, ModelCheckpoint.builder(template).saveWeightsOnly(true).maxToKeep(MAX_TO_KEEP)
          .build());
    }
    List<Path> kept = TfCheckpoint.list(dir);
    assertEquals(Optional.of(dir.resolve("ckpt-006")), TfCheckpoint.latest(dir));
    assertTrue(kept.size() <= MAX_TO_KEEP, "maxToKeep=" + MAX_TO_KEEP + " after a resumed run, but " + kept.size()
        + " checkpoints remain: " + kept + ". The one written just before the crash is in TensorFlow's state file "
        + "but not in ModelCheckpoint's list, so no retention ever deletes it (one leaked copy per such crash)");
  }

  private static void fit(Sequential model, Digits data, int from, int to, ModelCheckpoint... callbacks) {
    model.fit(data.pixels(), data.labels(), FitOptions.builder().epochs(to).initialEpoch(from)
        .batchSize(TrainerChild.BATCH).seed(TrainerChild.SEED).verbose(0).callbacks(callbacks).build());
  }
}
