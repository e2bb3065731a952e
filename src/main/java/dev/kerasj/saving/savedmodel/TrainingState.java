package dev.kerasj.saving.savedmodel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training progress stored next to a model in {@code assets/kerasj.json}, so that a resumed run knows where it
 * stopped: pass {@link #epoch()} as {@code FitOptions.initialEpoch}.
 *
 * <pre>{@code
 * SavedModelWriter.write(model, dir, TrainingState.afterEpoch(3));
 * ...
 * TrainingState s = SavedModelLoader.readTrainingState(dir);   // s.epoch() == 3
 * }</pre>
 *
 * @param epoch epochs completed (Keras' {@code initial_epoch} to resume with), or null when the writer did not say
 * @param batch batches completed inside the epoch after {@code epoch}, 0 for a save at an epoch end
 * @param step the optimizer's iteration count at save time; {@link SavedModelWriter} always records the model's own
 *     count, so this field is read back, never taken from the caller
 * @param callbacks callbacks' state (such as {@code ModelCheckpoint}'s best value) as JSON-compatible values:
 *     strings, numbers, booleans, null, lists and maps of those
 */
public record TrainingState(Integer epoch, int batch, long step, Map<String, Object> callbacks) {
  /** Nothing known: a save outside {@code fit}. */
  public static final TrainingState UNKNOWN = new TrainingState(null, 0, 0, Map.of());

  public TrainingState {
    if (epoch != null && epoch < 0 || batch < 0 || step < 0) {
      throw new IllegalArgumentException(
          "TrainingState needs epoch, batch and step >= 0. Received: epoch=" + epoch + ", batch=" + batch + ", step="
              + step);
    }
    callbacks = Collections.unmodifiableMap(new LinkedHashMap<>(callbacks == null ? Map.of() : callbacks));
  }

  /** The state at the end of epoch {@code epochsCompleted} (1-based count of finished epochs). */
  public static TrainingState afterEpoch(int epochsCompleted) {
    return new TrainingState(epochsCompleted, 0, 0, Map.of());
  }

  /** This state with callbacks' state attached. */
  public TrainingState withCallbacks(Map<String, Object> state) {
    return new TrainingState(epoch, batch, step, state);
  }
}
