package dev.kerasj.callbacks;

import dev.kerasj.models.KerasModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Dispatches each hook to every callback in order, giving each a read-only copy of the logs. */
public final class CallbackList implements Callback {
  private final List<Callback> callbacks;

  public CallbackList(List<? extends Callback> callbacks) {
    this.callbacks = List.copyOf(callbacks);
  }

  public List<Callback> callbacks() {
    return callbacks;
  }

  private static Map<String, Double> frozen(Map<String, Double> logs) {
    return logs == null || logs.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(logs));
  }

  @Override
  public void setModel(KerasModel model) {
    callbacks.forEach(c -> c.setModel(model));
  }

  @Override
  public void setParams(Map<String, Object> params) {
    Map<String, Object> p = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    callbacks.forEach(c -> c.setParams(p));
  }

  @Override
  public void onTrainBegin(Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onTrainBegin(l));
  }

  @Override
  public void onTrainEnd(Map<String, Double> logs) {
    onTrainEnd(logs, TrainingOutcome.COMPLETED);
  }

  /**
   * Calls every callback's {@code onTrainEnd} even when one throws (each may hold files to release); the first
   * failure is rethrown with the others suppressed.
   */
  @Override
  public void onTrainEnd(Map<String, Double> logs, TrainingOutcome outcome) {
    Map<String, Double> l = frozen(logs);
    RuntimeException first = null;
    for (Callback c : callbacks) {
      try {
        c.onTrainEnd(l, outcome);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public void onEpochBegin(int epoch, Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onEpochBegin(epoch, l));
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onEpochEnd(epoch, l));
  }

  @Override
  public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onTrainBatchBegin(batch, l));
  }

  @Override
  public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onTrainBatchEnd(batch, l));
  }

  @Override
  public void onTestBegin(Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onTestBegin(l));
  }

  @Override
  public void onTestEnd(Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onTestEnd(l));
  }

  @Override
  public void onTestBatchBegin(int batch, Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onTestBatchBegin(batch, l));
  }

  @Override
  public void onTestBatchEnd(int batch, Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onTestBatchEnd(batch, l));
  }

  @Override
  public void onPredictBegin(Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onPredictBegin(l));
  }

  @Override
  public void onPredictEnd(Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onPredictEnd(l));
  }

  @Override
  public void onPredictBatchBegin(int batch, Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onPredictBatchBegin(batch, l));
  }

  @Override
  public void onPredictBatchEnd(int batch, Map<String, Double> logs) {
    Map<String, Double> l = frozen(logs);
    callbacks.forEach(c -> c.onPredictBatchEnd(batch, l));
  }

  /** A list with {@code first} prepended (used to put History and the progress bar around user callbacks). */
  public static List<Callback> concat(List<? extends Callback> first, List<? extends Callback> rest) {
    List<Callback> all = new ArrayList<>(first);
    all.addAll(rest);
    return all;
  }
}
