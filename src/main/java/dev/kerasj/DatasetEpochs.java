package dev.kerasj;

import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.CallbackList;
import dev.kerasj.data.BatchIterator;
import dev.kerasj.internal.TrainingGraph;
import java.util.Map;

/**
 * The epochs of {@code fit} over a {@link dev.kerasj.data.Dataset}: batches pulled through the graph's tf.data
 * iterator ({@link BatchIterator}), Keras' {@code steps_per_epoch} semantics, and the replay that puts a resumed
 * run's iterator back at the same element. The callbacks, backups and running means are {@link FitLoop}'s.
 */
final class DatasetEpochs {
  private final FitLoop loop;
  private final Model model;
  private final TrainingGraph training;

  DatasetEpochs(FitLoop loop, Model model, TrainingGraph training) {
    this.loop = loop;
    this.model = model;
    this.training = training;
  }

  /**
   * A dataset's iterator as one fit uses it. With {@code steps} unset, every epoch starts pass {@code epoch} and
   * runs it out. With {@code steps} set, one pass carries on across epochs and a new pass starts in the epoch after
   * the data ran out (Keras' {@code EpochIterator} with {@code steps_per_epoch}), or at once when an epoch's first
   * pull finds the pass exactly used up (Keras, knowing the length, re-creates its iterator then too).
   */
  static final class Feed {
    final BatchIterator it;
    final Integer steps;
    boolean live;
    long pass;

    Feed(BatchIterator it, Integer steps) {
      this.it = it;
      this.steps = steps;
    }

    /** Makes sure an iterator runs for the epoch {@code epoch}; true when it started a new pass. */
    boolean begin(int epoch) {
      if (steps == null || !live) {
        it.start(steps == null ? epoch : pass);
        live = true;
        return true;
      }
      return false;
    }

    /**
     * Batch {@code b} of epoch {@code epoch} ({@code started}: this epoch began a new pass), or null at the end of
     * the pass.
     */
    BatchIterator.Batch next(int epoch, int b, boolean started) {
      BatchIterator.Batch batch = it.next();
      if (batch == null && steps != null) {
        live = false;
        pass++;
        if (b == 0 && !started) {
          begin(epoch);
          batch = it.next();
          if (batch == null) {
            live = false;
            pass++;
          }
        }
      }
      return batch;
    }
  }

  /** fit's logger: the warnings of a dataset fit come from where those of every fit do. */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FitLoop.class);

  /** Keras' warning when the data runs out before {@code steps_per_epoch} (or {@code validation_steps}). */
  private static void ranOut(String what) {
    LOG.warn("Your input ran out of data; interrupting {}. Make sure that your dataset can generate at least "
        + "`{}` batches. You may need to use the `.repeat()` function when building your dataset.", what,
        what.equals("training") ? "steps_per_epoch * epochs" : "validation_steps * epochs");
  }

  /**
   * Moves a resumed dataset fit's iterator to where the interrupted run's was at the start of {@code toEpoch}:
   * with {@code stepsPerEpoch}, the epochs {@code fromEpoch..toEpoch} are pulled through again (no training), since
   * one iterator spans epochs. Without it, each epoch starts its own pass and nothing needs replaying.
   */
  static void replay(FitLoop.Run run, int fromEpoch, int toEpoch) {
    Feed f = run.train;
    if (f.steps == null) {
      return;
    }
    for (int e = fromEpoch; e < toEpoch; e++) {
      boolean started = f.begin(e);
      for (int b = 0; b < f.steps; b++) {
        BatchIterator.Batch batch = f.next(e, b, started);
        if (batch == null) {
          break;
        }
        batch.close(); // pulled again, not trained on
      }
    }
  }

  /**
   * One epoch over a dataset: batches until {@code stepsPerEpoch} or the end of the data (Keras warns, ends the
   * epoch and starts a new pass next epoch), then validation and {@link #endEpoch}. Null when interrupted.
   */
  Map<String, Double> runEpoch(FitLoop.Run run, int epoch, int firstBatch, Map<String, Object> resumedMeans) {
    Feed f = run.train;
    CallbackList callbacks = run.callbacks;
    callbacks.onEpochBegin(epoch, Map.of());
    FitLoop.Means means = new FitLoop.Means(training.metricNames(), training.metrics(), training.stateSizes());
    if (resumedMeans != null) {
      means.restore(resumedMeans);
    }
    boolean started = f.begin(epoch);
    for (int b = 0; b < firstBatch; b++) { // a resumed epoch: the same elements, pulled again, not trained on
      BatchIterator.Batch skipped = f.next(epoch, b, started);
      if (skipped == null) {
        throw new IllegalStateException("The dataset ran out after " + b + " batches while resuming at batch "
            + firstBatch + " of epoch " + (epoch + 1) + ": it is not the dataset the backup was taken with");
      }
      skipped.close();
    }
    int b = firstBatch;
    boolean ranToTheEnd = false;
    while (f.steps == null || b < f.steps) {
      // One Session.run pulls the batch through tf.data (no copy through Java), the next trains on its tensors.
      BatchIterator.Batch batch = f.next(epoch, b, started);
      if (batch == null) {
        ranToTheEnd = true;
        if (f.steps != null) {
          ranOut("training");
        }
        break;
      }
      try (batch) {
        callbacks.onTrainBatchBegin(b, Map.of());
        means.add(loop.trainStep(batch, epoch, b), batch.size());
      }
      b++;
      callbacks.onTrainBatchEnd(b - 1, means.results(""));
      if (model.stopTraining()) {
        break;
      }
      if (run.backup != null) {
        if (run.backup.interruptRequested()) {
          run.backup.save(epoch, b, means.state(), callbacks.callbacks(), "interrupted");
          run.interrupted = true;
          return null;
        }
        if (run.backup.dueAfterBatch()) {
          run.backup.save(epoch, b, means.state(), callbacks.callbacks(), "batch");
        }
      }
    }
    if (f.steps == null && ranToTheEnd && Integer.valueOf(0).equals(run.params.get("steps")) && firstBatch == 0
        && b > 0) {
      // Keras learns an unknown dataset length from the first full pass; the progress bar shows it from then on.
      run.params.put("steps", b);
      callbacks.setParams(run.params);
    }
    if (b == 0) {
      throw new IllegalStateException("The dataset yielded no batch in epoch " + (epoch + 1) + ". Received: "
          + (f.steps == null ? "an empty dataset" : "a dataset that ran out; use repeat() or fewer stepsPerEpoch"));
    }
    Map<String, Double> logs = means.results("");
    if (run.val != null) {
      logs.putAll(loop.validationLogs(evaluate(run.val, epoch, callbacks, "val_"), epoch));
    }
    return loop.endEpoch(run, epoch, logs);
  }

  Map<String, Double> evaluate(Feed f, int epoch, Callback callbacks, String prefix) {
    FitLoop.Means means = new FitLoop.Means(training.metricNames(), training.metrics(), training.stateSizes());
    callbacks.onTestBegin(Map.of());
    boolean started = f.begin(epoch);
    for (int b = 0; f.steps == null || b < f.steps; b++) {
      BatchIterator.Batch batch = f.next(epoch, b, started);
      if (batch == null) {
        if (f.steps != null) {
          ranOut("evaluation");
        }
        break;
      }
      try (batch) {
        callbacks.onTestBatchBegin(b, Map.of());
        means.add(training.evalStep(batch.inputs(), batch.targets(), batch.weights()), batch.size());
      }
      callbacks.onTestBatchEnd(b, means.results(""));
    }
    Map<String, Double> logs = means.results("");
    callbacks.onTestEnd(logs);
    return means.results(prefix);
  }
}
