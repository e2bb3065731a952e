package dev.kerasj.reliability;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.examples.Digits;
import dev.kerasj.saving.savedmodel.SavedModelLoader;
import java.nio.file.Path;

/**
 * The second half of {@link SaveFailureTest}, run in a JVM that cannot write (a directory it has no permission for,
 * or a file size limit standing in for a full disk): resumes the run in {@code <dir>} from its SavedModel and trains
 * one more epoch twice, first with a weights-only {@link ModelCheckpoint} to {@code <dir>/weights/ckpt-{epoch:03d}},
 * then with one writing the SavedModel {@code <dir>/model}. Prints one line per fit:
 * {@code FAILED weights|model <exception class>: <message on one line>}, or {@code SAVED weights|model} when the save
 * unexpectedly succeeded.
 *
 * <p>Usage: {@code SaveFailureChild <dir> <digits.csv>}
 */
public final class SaveFailureChild {
  private SaveFailureChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Digits data = Digits.load(Path.of(args[1])).slice(0, TrainerChild.SAMPLES);
    int epoch = SavedModelLoader.readTrainingState(dir.resolve("model")).epoch();
    try (Sequential model = Sequential.load(dir.resolve("model"))) {
      fitOnce(model, data, epoch, "weights", ModelCheckpoint.builder(dir.resolve("weights/ckpt-{epoch:03d}").toString())
          .saveWeightsOnly(true).build());
      fitOnce(model, data, epoch, "model", ModelCheckpoint.builder(dir.resolve("model").toString()).build());
    }
  }

  private static void fitOnce(Sequential model, Digits data, int epoch, String kind, ModelCheckpoint checkpoint) {
    try {
      model.fit(data.pixels(), data.labels(), FitOptions.builder().epochs(epoch + 1).initialEpoch(epoch)
          .batchSize(TrainerChild.BATCH).seed(TrainerChild.SEED).verbose(0).callbacks(checkpoint).build());
      TrainerChild.emit("SAVED " + kind);
    } catch (RuntimeException e) {
      TrainerChild.emit("FAILED " + kind + " " + e.getClass().getName() + ": "
          + String.valueOf(e.getMessage()).replace('\n', ' '));
    }
  }
}
