package dev.kerasj.callbacks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras' {@code History}: records every epoch's logs; {@code fit} returns it. {@link #history()} maps each log key
 * ({@code loss}, {@code val_accuracy} ...) to its per-epoch values, and {@link #epochs()} lists the (0-based) epochs
 * that ran.
 */
public final class History implements Callback {
  private final List<Integer> epochs = new ArrayList<>();
  private final Map<String, List<Double>> history = new LinkedHashMap<>();
  private TrainingOutcome outcome;

  @Override
  public void onTrainEnd(Map<String, Double> logs, TrainingOutcome outcome) {
    this.outcome = outcome;
  }

  /** How {@code fit} ended, or null while it runs (or for a History not returned by {@code fit}). */
  public TrainingOutcome outcome() {
    return outcome;
  }

  /** Epochs and values so far, so a run resumed from a backup returns the whole run's history. */
  @Override
  public Map<String, Object> backupState() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("epochs", List.copyOf(epochs));
    Map<String, Object> values = new LinkedHashMap<>();
    history.forEach((k, v) -> values.put(k, List.copyOf(v)));
    s.put("history", values);
    return s;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void restoreBackupState(Map<String, Object> state) {
    epochs.clear();
    history.clear();
    for (Object e : (List<Object>) state.get("epochs")) {
      epochs.add(((Number) e).intValue());
    }
    ((Map<String, Object>) state.get("history")).forEach((k, v) -> {
      List<Double> values = new ArrayList<>();
      for (Object d : (List<Object>) v) {
        values.add(BackupValues.toDouble(d));
      }
      history.put(k, values);
    });
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    epochs.add(epoch);
    for (Map.Entry<String, Double> e : logs.entrySet()) {
      history.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }
  }

  /** Per-key values, one per epoch that ran. */
  public Map<String, List<Double>> history() {
    Map<String, List<Double>> copy = new LinkedHashMap<>();
    history.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  /** Values of one log key, such as {@code "val_loss"}; throws naming the known keys if absent. */
  public List<Double> get(String key) {
    List<Double> v = history.get(key);
    if (v == null) {
      throw new IllegalArgumentException("No log key '" + key + "' in history. Available: " + history.keySet());
    }
    return List.copyOf(v);
  }

  /** The 0-based epochs that ran. */
  public List<Integer> epochs() {
    return List.copyOf(epochs);
  }

  @Override
  public String toString() {
    return "History" + history;
  }
}
