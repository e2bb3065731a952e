package dev.kerasj.callbacks;

import dev.kerasj.models.KerasModel;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' {@code LearningRateScheduler}: at the start of each epoch sets the learning rate to
 * {@code schedule.apply(epoch, currentLearningRate)} (epoch 0-based).
 *
 * <pre>{@code
 * new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1))
 * }</pre>
 *
 * <p>The learning rate is a model variable saved with every checkpoint and backup, so a resumed run continues
 * from the value the interrupted run had set.
 *
 * <p>Each new rate is logged to SLF4J (logger {@code dev.kerasj.callbacks.LearningRateScheduler}) at INFO for
 * {@code verbose > 0} and at DEBUG for 0.
 */
public final class LearningRateScheduler implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(LearningRateScheduler.class);
  /** The schedule: a new learning rate from the 0-based epoch and the current learning rate. */
  @FunctionalInterface
  public interface Schedule {
    double apply(int epoch, double currentLearningRate);
  }

  private final Schedule schedule;
  private final int verbose;
  private KerasModel model;
  /** The epoch whose learning rate was set last; a resume inside that epoch must not apply the schedule twice. */
  private int lastEpoch = -1;

  public LearningRateScheduler(Schedule schedule) {
    this(schedule, 0);
  }

  /** @param verbose above 0 logs the new learning rate each epoch at INFO; 0 at DEBUG */
  public LearningRateScheduler(Schedule schedule, int verbose) {
    if (schedule == null) {
      throw new IllegalArgumentException("LearningRateScheduler needs a schedule. Received: null");
    }
    this.schedule = schedule;
    this.verbose = verbose;
  }

  @Override
  public void setModel(KerasModel model) {
    this.model = model;
  }

  @Override
  public void onTrainBegin(Map<String, Double> logs) {
    lastEpoch = -1;
  }

  /** The last epoch whose learning rate was set, for {@link BackupAndRestore}. */
  @Override
  public Map<String, Object> backupState() {
    return Map.of("last_epoch", lastEpoch);
  }

  @Override
  public void restoreBackupState(Map<String, Object> state) {
    lastEpoch = ((Number) state.get("last_epoch")).intValue();
  }

  /**
   * @throws IllegalArgumentException when the schedule returns a value that is not a positive finite number
   */
  @Override
  public void onEpochBegin(int epoch, Map<String, Double> logs) {
    if (epoch == lastEpoch) {
      return; // resumed inside this epoch: its learning rate is already in the restored variable
    }
    lastEpoch = epoch;
    double lr = schedule.apply(epoch, model.learningRate());
    if (!(lr > 0) || !Double.isFinite(lr)) {
      throw new IllegalArgumentException("The output of the LearningRateScheduler schedule should be a positive "
          + "finite float. Received: " + lr + " at epoch " + epoch);
    }
    model.setLearningRate(lr);
    LOG.atLevel(CallbackLogging.level(verbose)).log(
        "Epoch {}: LearningRateScheduler setting learning rate to {}.", epoch + 1, CSVLogger.pythonRepr(lr));
  }
}
