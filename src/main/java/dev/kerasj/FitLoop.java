package dev.kerasj;

import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.CallbackList;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.ProgbarLogger;
import dev.kerasj.callbacks.TrainingOutcome;
import dev.kerasj.data.BatchIterator;
import dev.kerasj.distribute.WorkerFailureException;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.Network;
import dev.kerasj.internal.Replication;
import dev.kerasj.internal.TrainingGraph;
import dev.kerasj.metrics.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * The epoch and batch loops of {@code fit} and {@code evaluate}: cuts batches from host arrays, runs one
 * {@link TrainingGraph} step per batch, keeps Keras' running means and calls the callbacks.
 */
final class FitLoop {
  private final Model model;
  private final TrainingGraph training;
  private final List<String> metricNames;
  /** The data-parallel group this worker trains in, or null in one process. */
  private final Replication replication;

  public FitLoop(Model model, TrainingGraph training) {
    this.model = model;
    this.training = training;
    this.metricNames = training.metricNames();
    this.replication = training.replicated() ? model.graphForInternalUse().replication() : null;
  }

  /**
   * Runs {@code fit} on one array per model input ({@code x}) and per output ({@code y}), all of one sample count,
   * with sample weights per output shaped as {@link TrainingGraph#sampleWeightShape} says, or null for none
   * ({@code sw} for training, {@code swVal} for validation); {@code xVal}/{@code yVal} may be null.
   */
  public History fit(List<HostArray> x, List<HostArray> y, List<HostArray> sw, List<HostArray> xVal,
      List<HostArray> yVal, List<HostArray> swVal, FitOptions o, long shuffleSeed) {
    FitCallbacks cb = fitCallbacks(o);
    int n = x.get(0).samples();
    if (replication != null) {
      checkShardable(n, o.batchSize(), replication.workers());
    }
    int steps = steps(n, o.batchSize());
    if (replication != null) {
      // Keras' strategy broadcasts initial values from worker 0; the chief's shuffle seed cuts every worker's
      // batches, so all workers read the same global batch at each step. Before any restore: a backup records the
      // seed, and every worker then restores the chief's backup.
      try {
        shuffleSeed = training.syncFromChief(shuffleSeed);
      } catch (TensorFlowException e) {
        throw workerFailure(e, "the start of fit (taking the chief's weights)");
      }
    }
    Run run = new Run(x, y, sw, xVal, yVal, swVal, o, shuffleSeed, steps, cb.callbacks(), cb.backup());
    return drive(run, n, steps, xVal != null);
  }

  /**
   * Runs {@code fit} over a {@link dev.kerasj.data.Dataset} placed in the graph ({@code train}) and an optional
   * validation one ({@code val}, or null). With {@code stepsPerEpoch} unset an epoch runs until the data runs out,
   * on a new pass (iterator) per epoch; with it set, one iterator carries on across epochs, as Keras' does.
   */
  public History fit(BatchIterator train, BatchIterator val, FitOptions o, long seed) {
    // Under MultiWorkerMirroredStrategy the iterators were opened with the chief's seed (syncFromChief) and keep
    // each worker's slice of every global batch: every worker runs the same steps.
    Integer stepsPerEpoch = o.stepsPerEpoch();
    long cardinality = train.cardinality();
    if (cardinality == INFINITE && stepsPerEpoch == null) {
      throw new IllegalArgumentException("When providing an infinite dataset, you must specify the number of steps "
          + "to run (if you did not intend to create an infinite dataset, make sure to not call `repeat()` on the "
          + "dataset). Received: stepsPerEpoch=null");
    }
    if (val != null && val.cardinality() == INFINITE && o.validationSteps() == null) {
      throw new IllegalArgumentException("When providing an infinite validation dataset, you must specify "
          + "validationSteps. Received: validationSteps=null");
    }
    FitCallbacks cb = fitCallbacks(o);
    int steps = stepsPerEpoch != null ? stepsPerEpoch : cardinality >= 0 ? (int) cardinality : 0;
    Run run = new Run(null, null, null, null, null, null, o, seed, steps, cb.callbacks(), cb.backup());
    run.train = new DatasetEpochs.Feed(train, stepsPerEpoch);
    run.val = val == null ? null : new DatasetEpochs.Feed(val, o.validationSteps());
    // The backup records no sample count for a dataset: -1 (the fit's seed and the options still must match).
    return drive(run, -1, steps, val != null);
  }

  /** tf.data's cardinality of an infinite dataset. */
  private static final long INFINITE = -1;

  /** A fit's callbacks (History, a progress bar when verbose, then the user's) and its BackupAndRestore, or null. */
  private record FitCallbacks(CallbackList callbacks, BackupAndRestore backup) {}

  /**
   * Splits {@code o.callbacks()} for one fit, arrays or dataset alike: the BackupAndRestore is taken out of the list,
   * to be driven by this loop after every other callback, so a backup holds their latest state.
   */
  private static FitCallbacks fitCallbacks(FitOptions o) {
    List<Callback> builtIn = new ArrayList<>();
    builtIn.add(new History());
    if (o.verbose() > 0) {
      builtIn.add(new ProgbarLogger(o.verbose()));
    }
    BackupAndRestore backup = null;
    List<Callback> user = new ArrayList<>();
    for (Callback c : o.callbacks()) {
      if (c instanceof BackupAndRestore b) {
        if (backup != null) {
          throw new IllegalArgumentException("fit takes at most one BackupAndRestore. Received two: " + backup.dir()
              + " and " + b.dir());
        }
        backup = b;
      } else {
        user.add(c);
      }
    }
    return new FitCallbacks(new CallbackList(CallbackList.concat(builtIn, user)), backup);
  }

  /** The epochs of one fit, arrays or dataset: callbacks, backups and outcome. */
  private History drive(Run run, int n, int steps, boolean doValidation) {
    FitOptions o = run.o;
    long shuffleSeed = run.shuffleSeed;
    CallbackList callbacks = run.callbacks;
    BackupAndRestore backup = run.backup;
    History history = null;
    for (Callback c : callbacks.callbacks()) {
      if (c instanceof History h) {
        history = h;
        break;
      }
    }
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("epochs", o.epochs());
    params.put("steps", steps);
    params.put("verbose", o.verbose());
    params.put("do_validation", doValidation);
    params.put("initial_epoch", o.initialEpoch());
    callbacks.setModel(model);
    callbacks.setParams(params);
    run.params = params;
    model.setStopTraining(false);
    Map<String, Double> epochLogs = Map.of();
    TrainingOutcome outcome = TrainingOutcome.FAILED;
    try {
      if (backup != null) {
        backup.begin(model, new BackupAndRestore.FitShape(shuffleSeed, o.batchSize(), n, o.epochs()));
      }
      int epoch = o.initialEpoch();
      int firstBatch = 0;
      Map<String, Object> means = null;
      BackupAndRestore.Position p = backup == null ? null : backup.restore();
      if (p != null) {
        epoch = p.epoch();
        firstBatch = p.batch();
        means = p.means();
        if (run.train != null) {
          DatasetEpochs.replay(run, o.initialEpoch(), epoch);
        }
      }
      callbacks.onTrainBegin(Map.of());
      if (backup != null) {
        backup.restoreCallbacks(callbacks.callbacks());
      }
      for (; epoch < o.epochs() && !model.stopTraining() && !run.interrupted; epoch++) {
        Map<String, Double> logs = runEpoch(run, epoch, firstBatch, means);
        firstBatch = 0;
        means = null;
        if (logs != null) {
          epochLogs = logs;
        }
      }
      outcome = run.interrupted ? TrainingOutcome.INTERRUPTED
          : run.stoppedOnNaN ? TrainingOutcome.STOPPED_ON_NAN
          : model.stopTraining() ? TrainingOutcome.STOPPED_EARLY : TrainingOutcome.COMPLETED;
      if (o.epochs() > 0 && !run.interrupted) {
        // Keras' finalize_variable_values, after the last onEpochEnd and before onTrainEnd: with use_ema, the
        // weights take their moving averages. A run interrupted for a resume (BackupAndRestore) is not over.
        training.finalizeVariableValues();
      }
    } catch (RuntimeException | Error e) {
      // Still let callbacks release what they hold (CSVLogger's file); the original failure wins.
      try {
        callbacks.onTrainEnd(epochLogs, TrainingOutcome.FAILED);
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (backup != null) {
        backup.end(TrainingOutcome.FAILED);
      }
      throw e;
    }
    try {
      callbacks.onTrainEnd(epochLogs, outcome);
    } catch (RuntimeException | Error e) {
      if (backup != null) {
        backup.end(TrainingOutcome.FAILED); // a failing onTrainEnd (a last save) keeps the backup
      }
      throw e;
    }
    if (backup != null) {
      backup.end(outcome);
    }
    return history;
  }

  /** What one fit call runs with, and whether it was interrupted. */
  static final class Run {
    final List<HostArray> x;
    final List<HostArray> y;
    final List<HostArray> sw;
    final List<HostArray> xVal;
    final List<HostArray> yVal;
    final List<HostArray> swVal;
    final FitOptions o;
    final long shuffleSeed;
    final int steps;
    final CallbackList callbacks;
    final BackupAndRestore backup;
    /** The params given to the callbacks; a dataset fit fills in {@code steps} once a pass has counted them. */
    Map<String, Object> params;
    /** The training and validation datasets of a dataset fit; null for arrays. */
    DatasetEpochs.Feed train;
    DatasetEpochs.Feed val;
    boolean interrupted;
    /** A callback stopped training with a NaN or infinite loss logged ({@code TerminateOnNaN}). */
    boolean stoppedOnNaN;

    Run(List<HostArray> x, List<HostArray> y, List<HostArray> sw, List<HostArray> xVal, List<HostArray> yVal,
        List<HostArray> swVal, FitOptions o, long shuffleSeed, int steps, CallbackList callbacks,
        BackupAndRestore backup) {
      this.x = x;
      this.y = y;
      this.sw = sw;
      this.xVal = xVal;
      this.yVal = yVal;
      this.swVal = swVal;
      this.o = o;
      this.shuffleSeed = shuffleSeed;
      this.steps = steps;
      this.callbacks = callbacks;
      this.backup = backup;
    }
  }

  /**
   * Runs batches {@code firstBatch..steps} of {@code epoch} (continuing the running means of a resumed epoch), then
   * validation and {@code onEpochEnd}. Returns the epoch's logs, or null when interrupted inside the epoch.
   */
  private Map<String, Double> runEpoch(Run run, int epoch, int firstBatch, Map<String, Object> resumedMeans) {
    if (run.train != null) {
      return new DatasetEpochs(this, model, training).runEpoch(run, epoch, firstBatch, resumedMeans);
    }
    FitOptions o = run.o;
    int n = run.x.get(0).samples();
    CallbackList callbacks = run.callbacks;
    callbacks.onEpochBegin(epoch, Map.of());
    int[] order = o.shuffle() ? permutation(n, run.shuffleSeed, epoch) : null;
    Means means = new Means(metricNames, training.metrics(), training.stateSizes());
    if (resumedMeans != null) {
      means.restore(resumedMeans);
    }
    for (int b = firstBatch; b < run.steps; b++) {
      int from = batchStart(b, o.batchSize());
      int to = batchEnd(from, o.batchSize(), n);
      callbacks.onTrainBatchBegin(b, Map.of());
      means.add(replication == null ? training.trainStep(run.x, run.y, run.sw, order, from, to)
          : shardStep(run, order, from, to, epoch, b), to - from);
      callbacks.onTrainBatchEnd(b, means.results(""));
      if (model.stopTraining()) {
        break;
      }
      if (run.backup != null) {
        if (run.backup.interruptRequested()) {
          run.backup.save(epoch, b + 1, means.state(), callbacks.callbacks(), "interrupted");
          run.interrupted = true;
          return null;
        }
        if (run.backup.dueAfterBatch()) {
          run.backup.save(epoch, b + 1, means.state(), callbacks.callbacks(), "batch");
        }
      }
    }
    Map<String, Double> logs = means.results("");
    if (run.xVal != null) {
      Map<String, Double> val = evaluate(run.xVal, run.yVal, run.swVal, o.batchSize(), callbacks, "val_");
      logs.putAll(replication == null ? val : chiefValidation(val, epoch));
    }
    return endEpoch(run, epoch, logs);
  }

  /** {@code onEpochEnd}, then the NaN check and the epoch-end backup; returns {@code logs}. */
  Map<String, Double> endEpoch(Run run, int epoch, Map<String, Double> logs) {
    FitOptions o = run.o;
    CallbackList callbacks = run.callbacks;
    callbacks.onEpochEnd(epoch, logs);
    Double loss = logs.get("loss");
    run.stoppedOnNaN = model.stopTraining() && loss != null && !Double.isFinite(loss);
    if (run.backup != null && !run.stoppedOnNaN) {
      // Never back up NaN weights over the last good backup (keras-team/keras#21771).
      boolean interrupt = run.backup.interruptRequested();
      if (interrupt || run.backup.dueAfterEpoch()) {
        run.backup.save(epoch + 1, 0, null, callbacks.callbacks(), interrupt ? "interrupted" : "epoch");
      }
      if (interrupt && !model.stopTraining() && epoch + 1 < o.epochs()) {
        run.interrupted = true;
      }
    }
    return logs;
  }

  /**
   * This worker's part of the global batch {@code [from, to)}: a contiguous slice, the slices of workers 0..N-1 in
   * order, sizes differing by at most one (the first {@code B mod N} workers take one more). For a global batch that
   * N divides this is exactly tf.distribute's split of a batched dataset (rebatch into N equal sub-batches, worker i
   * takes the i-th); the step's loss, metrics and gradients are the global batch's (see TrainingGraph).
   */
  private float[][] shardStep(Run run, int[] order, int from, int to, int epoch, int batch) {
    int[] slice = shard(from, to, replication.taskIndex(), replication.workers());
    try {
      return training.trainStep(run.x, run.y, run.sw, order, slice[0], slice[1], to - from);
    } catch (TensorFlowException e) {
      throw workerFailure(e, where(epoch, batch));
    }
  }

  /**
   * The chief's validation logs, on every worker: each worker validates with its own moving statistics (local, as in
   * Keras), and every worker's callbacks must see the same values to decide the same (see
   * {@link TrainingGraph#chiefValues}). Keys come in the same order on every worker (the same model's metrics).
   */
  Map<String, Double> chiefValidation(Map<String, Double> val, int epoch) {
    List<String> keys = new ArrayList<>(val.keySet());
    double[] mine = new double[keys.size()];
    for (int i = 0; i < mine.length; i++) {
      mine[i] = val.get(keys.get(i));
    }
    double[] chief;
    try {
      chief = training.chiefValues(mine);
    } catch (TensorFlowException e) {
      throw workerFailure(e, "epoch " + (epoch + 1) + ", validation");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < chief.length; i++) {
      out.put(keys.get(i), chief[i]);
    }
    return out;
  }

  private WorkerFailureException workerFailure(TensorFlowException e, String where) {
    return WorkerFailureException.of(e, replication.taskIndex(), replication.workers(), where,
        model.distributeStrategy().collectiveTimeout());
  }

  /**
   * Before a dataset fit of a worker of a group opens its pipelines: takes every variable and the shuffle seed from
   * the chief (as the array path does at the start of fit) and returns the seed; the seed unchanged in one process.
   */
  long syncFromChief(long seed) {
    if (replication == null) {
      return seed;
    }
    try {
      return training.syncFromChief(seed);
    } catch (TensorFlowException e) {
      throw workerFailure(e, "the start of fit (taking the chief's weights)");
    }
  }

  /** The worker's part of the data, or null in one process. */
  BatchIterator.Shard shard() {
    return replication == null ? null : new BatchIterator.Shard(replication.taskIndex(), replication.workers());
  }

  /** The validation logs every worker's callbacks see: the chief's in a group (see {@link #chiefValidation}). */
  Map<String, Double> validationLogs(Map<String, Double> val, int epoch) {
    return replication == null ? val : chiefValidation(val, epoch);
  }

  /** One training step on a dataset batch: in a group, on this worker's slice, weighted by its share. */
  float[][] trainStep(BatchIterator.Batch batch, int epoch, int b) {
    if (replication == null) {
      return training.trainStep(batch.inputs(), batch.targets(), batch.weights());
    }
    try {
      return training.trainStep(batch.inputs(), batch.targets(), batch.weights(), batch.share());
    } catch (TensorFlowException e) {
      throw workerFailure(e, where(epoch, b));
    }
  }

  /** Where a step failed, for a worker failure's message (built only then, not on every step). */
  private static String where(int epoch, int batch) {
    return "epoch " + (epoch + 1) + ", batch " + (batch + 1);
  }

  /** Worker {@code index}'s slice {@code [start, end)} of {@code [from, to)} split across {@code workers}. */
  static int[] shard(int from, int to, int index, int workers) {
    int size = to - from;
    int base = size / workers;
    int extra = size % workers;
    int start = from + index * base + Math.min(index, extra);
    return new int[] {start, start + base + (index < extra ? 1 : 0)};
  }

  /** Every worker needs at least one sample of every global batch, the last (partial) one included. */
  static void checkShardable(int samples, int batchSize, int workers) {
    int last = samples % batchSize == 0 ? Math.min(batchSize, samples) : samples % batchSize;
    if (Math.min(batchSize, samples) < workers || last < workers) {
      throw new IllegalArgumentException("MultiWorkerMirroredStrategy splits each global batch across " + workers
          + " workers, and every worker needs at least one sample of every batch. Received: " + samples
          + " samples in batches of " + batchSize + " (the last batch has " + last + "). Use a batch size of at "
          + "least " + workers + " and a sample count whose last batch has at least " + workers + " samples");
    }
  }

  /** Runs {@code evaluate} over a dataset: until {@code steps} or the end of the data; keys get {@code prefix}. */
  public Map<String, Double> evaluate(BatchIterator data, Integer steps, Callback callbacks, String prefix) {
    return new DatasetEpochs(this, model, training).evaluate(new DatasetEpochs.Feed(data, steps), 0, callbacks,
        prefix);
  }

  /**
   * Runs {@code evaluate} in batches with the inference graph, with sample weights per output ({@code sw}, null for
   * none); keys get {@code prefix}.
   */
  public Map<String, Double> evaluate(List<HostArray> x, List<HostArray> y, List<HostArray> sw, int batchSize,
      Callback callbacks, String prefix) {
    Means means = new Means(metricNames, training.metrics(), training.stateSizes());
    int n = x.get(0).samples();
    callbacks.onTestBegin(Map.of());
    int steps = steps(n, batchSize);
    for (int b = 0; b < steps; b++) {
      int from = batchStart(b, batchSize);
      int to = batchEnd(from, batchSize, n);
      callbacks.onTestBatchBegin(b, Map.of());
      means.add(training.evalStep(x, y, sw, from, to), to - from);
      callbacks.onTestBatchEnd(b, means.results(""));
    }
    Map<String, Double> logs = means.results("");
    callbacks.onTestEnd(logs);
    return means.results(prefix);
  }

  /**
   * Batches of {@code batchSize} in {@code n} samples, the last one partial; a batch larger than the data is one batch
   * of all samples, as in Keras. Computed in long: {@code n + batchSize - 1} overflows an int for a large batch size.
   */
  public static int steps(int n, int batchSize) {
    return (int) ((n + (long) batchSize - 1) / batchSize);
  }

  /** The first sample of batch {@code b}. */
  public static int batchStart(int b, int batchSize) {
    return Math.toIntExact((long) b * batchSize); // below n for every b < steps(n, batchSize)
  }

  /** The end (exclusive) of the batch starting at {@code from}. */
  public static int batchEnd(int from, int batchSize, int n) {
    return (int) Math.min(n, (long) from + batchSize);
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

  /**
   * Keras' running metric state of one epoch or one evaluation: the loss weighted by batch size, and each metric's
   * state variables as sums of every batch's contribution (a mean metric's (total, count), AUC's confusion counts
   * ...), turned into logs by {@link Metric#result}. A new instance is Keras' {@code reset_state}.
   */
  static final class Means {
    private final List<String> metricNames;
    private final List<Metric> metrics;
    private final List<Integer> sizes;
    private double lossTotal;
    private long samples;
    /** Per metric, per state tensor, the running sums; null before the first batch. */
    private final double[][][] states;

    Means(List<String> metricNames, List<Metric> metrics, List<Integer> sizes) {
      this.metricNames = metricNames;
      this.metrics = metrics;
      this.sizes = sizes;
      this.states = new double[metricNames.size()][][];
    }

    void add(float[][] step, int batchSamples) {
      lossTotal += (double) step[0][0] * batchSamples;
      samples += batchSamples;
      int k = 1;
      for (int i = 0; i < states.length; i++) {
        int n = sizes.get(i);
        if (states[i] == null) {
          states[i] = new double[n][];
          for (int j = 0; j < n; j++) {
            states[i][j] = new double[step[k + j].length];
          }
        }
        for (int j = 0; j < n; j++) {
          double[] acc = states[i][j];
          float[] batch = step[k + j];
          for (int e = 0; e < acc.length; e++) {
            acc[e] += batch[e];
          }
        }
        k += n;
      }
    }

    /** The running sums, for a backup taken inside the epoch: doubles, which JSON keeps exactly. */
    Map<String, Object> state() {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("loss_total", lossTotal);
      s.put("samples", samples);
      List<Object> all = new ArrayList<>();
      for (double[][] metric : states) {
        List<Object> one = new ArrayList<>();
        if (metric != null) {
          for (double[] v : metric) {
            one.add(java.util.Arrays.stream(v).boxed().toList());
          }
        }
        all.add(one);
      }
      s.put("metric_states", all);
      return s;
    }

    @SuppressWarnings("unchecked")
    void restore(Map<String, Object> s) {
      lossTotal = BackupAndRestore.number(s.get("loss_total"));
      samples = ((Number) s.get("samples")).longValue();
      if (!s.containsKey("metric_states")) {
        restoreMeans(s); // a backup written before stateful metrics: (sum, count) per metric
        return;
      }
      List<Object> all = (List<Object>) s.get("metric_states");
      if (all.size() != states.length) {
        throw new IllegalStateException("The backup's running metrics (" + all.size() + ") do not match this "
            + "model's metrics " + metricNames);
      }
      for (int i = 0; i < states.length; i++) {
        List<Object> one = (List<Object>) all.get(i);
        if (one.isEmpty()) {
          states[i] = null;
          continue;
        }
        if (one.size() != sizes.get(i)) {
          throw new IllegalStateException("The backup's state of metric '" + metricNames.get(i) + "' has "
              + one.size() + " variables; this model's has " + sizes.get(i));
        }
        states[i] = new double[one.size()][];
        for (int j = 0; j < one.size(); j++) {
          List<Object> v = (List<Object>) one.get(j);
          states[i][j] = new double[v.size()];
          for (int e = 0; e < v.size(); e++) {
            states[i][j][e] = BackupAndRestore.number(v.get(e));
          }
        }
      }
    }

    @SuppressWarnings("unchecked")
    private void restoreMeans(Map<String, Object> s) {
      List<Object> restoredSums = (List<Object>) s.get("sums");
      List<Object> restoredCounts = (List<Object>) s.get("counts");
      if (restoredSums.size() != states.length || restoredCounts.size() != states.length
          || sizes.stream().anyMatch(n -> n != 2)) {
        throw new IllegalStateException("The backup's running metrics " + restoredSums.size() + " do not match "
            + "this model's metrics " + metricNames);
      }
      for (int i = 0; i < states.length; i++) {
        states[i] = new double[][] {{BackupAndRestore.number(restoredSums.get(i))},
            {BackupAndRestore.number(restoredCounts.get(i))}};
      }
    }

    Map<String, Double> results(String prefix) {
      Map<String, Double> out = new LinkedHashMap<>();
      out.put(prefix + "loss", samples == 0 ? 0.0 : lossTotal / samples);
      for (int i = 0; i < states.length; i++) {
        out.put(prefix + metricNames.get(i), states[i] == null ? 0.0 : metrics.get(i).result(List.of(states[i]))[0]);
      }
      return out;
    }
  }
}
