package dev.kerasj.internal;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.CallbackList;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.ProgbarLogger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The epoch and batch loops of {@code fit} and {@code evaluate}: cuts batches from host arrays, runs one
 * {@link TrainingGraph} step per batch, keeps Keras' running means and calls the callbacks.
 */
public final class FitLoop {
  private final Sequential model;
  private final TrainingGraph training;
  private final List<String> metricNames;

  public FitLoop(Sequential model, TrainingGraph training, List<String> metricNames) {
    this.model = model;
    this.training = training;
    this.metricNames = List.copyOf(metricNames);
  }

  /** Runs {@code fit}; {@code xVal}/{@code yVal} may be null. */
  public History fit(HostArray x, HostArray y, HostArray xVal, HostArray yVal, FitOptions o, long shuffleSeed) {
    History history = new History();
    List<Callback> builtIn = new ArrayList<>();
    builtIn.add(history);
    if (o.verbose() > 0) {
      builtIn.add(new ProgbarLogger(o.verbose()));
    }
    CallbackList callbacks = new CallbackList(CallbackList.concat(builtIn, o.callbacks()));
    int n = x.samples();
    int steps = (n + o.batchSize() - 1) / o.batchSize();
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("epochs", o.epochs());
    params.put("steps", steps);
    params.put("verbose", o.verbose());
    params.put("do_validation", xVal != null);
    callbacks.setModel(model);
    callbacks.setParams(params);
    model.setStopTraining(false);
    callbacks.onTrainBegin(Map.of());
    Map<String, Double> epochLogs = Map.of();
    try {
      for (int epoch = o.initialEpoch(); epoch < o.epochs() && !model.stopTraining(); epoch++) {
        epochLogs = runEpoch(epoch, x, y, xVal, yVal, o, shuffleSeed, steps, callbacks);
      }
    } catch (RuntimeException | Error e) {
      // Still let callbacks release what they hold (CSVLogger's file); the original failure wins.
      try {
        callbacks.onTrainEnd(epochLogs);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    callbacks.onTrainEnd(epochLogs);
    return history;
  }

  private Map<String, Double> runEpoch(int epoch, HostArray x, HostArray y, HostArray xVal, HostArray yVal,
      FitOptions o, long shuffleSeed, int steps, CallbackList callbacks) {
    int n = x.samples();
    callbacks.onEpochBegin(epoch, Map.of());
    int[] order = o.shuffle() ? permutation(n, shuffleSeed, epoch) : null;
    Means means = new Means(metricNames);
    for (int b = 0; b < steps; b++) {
      int from = b * o.batchSize();
      int to = Math.min(n, from + o.batchSize());
      callbacks.onTrainBatchBegin(b, Map.of());
      means.add(training.trainStep(x, y, order, from, to), to - from);
      callbacks.onTrainBatchEnd(b, means.results(""));
      if (model.stopTraining()) {
        break;
      }
    }
    Map<String, Double> logs = means.results("");
    if (xVal != null) {
      logs.putAll(evaluate(xVal, yVal, o.batchSize(), callbacks, "val_"));
    }
    callbacks.onEpochEnd(epoch, logs);
    return logs;
  }

  /** Runs {@code evaluate} in batches with the inference graph; keys get {@code prefix}. */
  public Map<String, Double> evaluate(HostArray x, HostArray y, int batchSize, Callback callbacks, String prefix) {
    Means means = new Means(metricNames);
    int n = x.samples();
    callbacks.onTestBegin(Map.of());
    for (int b = 0, from = 0; from < n; b++, from += batchSize) {
      int to = Math.min(n, from + batchSize);
      callbacks.onTestBatchBegin(b, Map.of());
      means.add(training.evalStep(x, y, from, to), to - from);
      callbacks.onTestBatchEnd(b, means.results(""));
    }
    Map<String, Double> logs = means.results("");
    callbacks.onTestEnd(logs);
    return means.results(prefix);
  }

  /**
   * The sample order of one epoch: a Fisher-Yates shuffle seeded by {@code (seed, epoch)} alone, so a run resumed
   * at epoch {@code e} sees the same order as an uninterrupted one.
   */
  static int[] permutation(int n, long seed, int epoch) {
    SplittableRandom rng = new SplittableRandom(Network.mix(seed, "shuffle", epoch));
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Keras' running means: the loss weighted by batch size, each metric as total / count. */
  private static final class Means {
    private final List<String> metricNames;
    private double lossTotal;
    private long samples;
    private final double[] sums;
    private final double[] counts;

    Means(List<String> metricNames) {
      this.metricNames = metricNames;
      this.sums = new double[metricNames.size()];
      this.counts = new double[metricNames.size()];
    }

    void add(float[] step, int batchSamples) {
      lossTotal += (double) step[0] * batchSamples;
      samples += batchSamples;
      for (int i = 0; i < sums.length; i++) {
        sums[i] += step[1 + 2 * i];
        counts[i] += step[2 + 2 * i];
      }
    }

    Map<String, Double> results(String prefix) {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put(prefix + "loss", samples == 0 ? 0.0 : lossTotal / samples);
      for (int i = 0; i < sums.length; i++) {
        out.put(prefix + metricNames.get(i), counts[i] == 0 ? 0.0 : sums[i] / counts[i]);
      }
      return out;
    }
  }
}
