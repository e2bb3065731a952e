package dev.kerasj.callbacks;

import dev.kerasj.metrics.Metric;
import dev.kerasj.models.KerasModel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keras' {@code ReduceLROnPlateau}: multiplies the learning rate by {@code factor} (not below {@code minLr}) when
 * {@code monitor} has not improved by more than {@code minDelta} for {@code patience} epochs, then waits
 * {@code cooldown} epochs before counting again.
 *
 * <pre>{@code
 * ReduceLROnPlateau.builder().monitor("val_loss").factor(0.5).patience(3).minLr(1e-5).build()
 * }</pre>
 *
 * <p>The learning rate is a variable of the compiled model ({@link dev.kerasj.Model#setLearningRate}), saved with every
 * checkpoint, and this callback's wait and cooldown counters and best value go into {@link BackupAndRestore}
 * backups, so a resumed run reduces exactly when an uninterrupted one would. Differences from Keras:
 * {@code mode="auto"} takes the direction a metric declares (Keras guesses from {@code "acc"} in the name), and
 * the learning rate is not added to the epoch logs (kerasj logs are read-only snapshots).
 *
 * <p>Messages go to SLF4J (logger {@code dev.kerasj.callbacks.ReduceLROnPlateau}): each reduction at INFO for
 * {@code verbose > 0} and at DEBUG for 0, a monitor missing from the logs at WARN.
 */
public final class ReduceLROnPlateau implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(ReduceLROnPlateau.class);
  /** Keras' defaults. */
  public static final String DEFAULT_MONITOR = "val_loss";
  public static final double DEFAULT_FACTOR = 0.1;
  public static final int DEFAULT_PATIENCE = 10;
  public static final double DEFAULT_MIN_DELTA = 1e-4;
  public static final int DEFAULT_COOLDOWN = 0;
  public static final double DEFAULT_MIN_LR = 0.0;

  private final String monitor;
  private final double factor;
  private final int patience;
  private final String mode;
  private final double minDelta;
  private final int cooldown;
  private final double minLr;
  private final int verbose;

  private KerasModel model;
  private boolean minimize;
  private double best;
  private int wait;
  private int cooldownCounter;

  private ReduceLROnPlateau(Builder b) {
    this.monitor = b.monitor;
    this.factor = b.factor;
    this.patience = b.patience;
    this.mode = b.mode;
    this.minDelta = b.minDelta;
    this.cooldown = b.cooldown;
    this.minLr = b.minLr;
    this.verbose = b.verbose;
  }

  /** A builder holding Keras' defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void setModel(KerasModel model) {
    this.model = model;
  }

  /** Resets the counters, like Keras' {@code _reset}. */
  @Override
  public void onTrainBegin(Map<String, Double> logs) {
    if (model == null) {
      throw new IllegalStateException("ReduceLROnPlateau has no model: pass it to fit's callbacks");
    }
    minimize = resolveMinimize();
    best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    wait = 0;
    cooldownCounter = 0;
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    Double current = logs == null ? null : logs.get(monitor);
    if (current == null) {
      LOG.warn("Learning rate reduction is conditioned on metric `{}` which is not available. Available metrics "
          + "are: {}.", monitor, logs == null ? "" : String.join(",", logs.keySet()));
      return;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      wait = 0;
    }
    if (minimize ? current < best - minDelta : current > best + minDelta) {
      best = current;
      wait = 0;
    } else if (cooldownCounter <= 0) {
      wait++;
      if (wait >= patience) {
        double old = model.learningRate();
        if (old > (float) minLr) {
          double next = Math.max(old * factor, minLr);
          model.setLearningRate(next);
          LOG.atLevel(CallbackLogging.level(verbose)).log(
              "Epoch {}: ReduceLROnPlateau reducing learning rate to {}.", epoch + 1,
              CSVLogger.pythonRepr((float) next));
          cooldownCounter = cooldown;
          wait = 0;
        }
      }
    }
  }

  /** Wait and cooldown counters and the best value, for {@link BackupAndRestore}. */
  @Override
  public Map<String, Object> backupState() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("best", best);
    s.put("wait", wait);
    s.put("cooldown_counter", cooldownCounter);
    return s;
  }

  @Override
  public void restoreBackupState(Map<String, Object> s) {
    best = BackupValues.toDouble(s.get("best"));
    wait = ((Number) s.get("wait")).intValue();
    cooldownCounter = ((Number) s.get("cooldown_counter")).intValue();
  }

  /** Epochs without improvement so far. */
  public int waitCount() {
    return wait;
  }

  /** Epochs of cooldown left. */
  public int cooldownCounter() {
    return cooldownCounter;
  }

  private boolean resolveMinimize() {
    if (mode.equals("min")) {
      return true;
    }
    if (mode.equals("max")) {
      return false;
    }
    Metric.Direction direction = model.logDirection(monitor);
    if (direction != null) {
      return direction == Metric.Direction.MIN;
    }
    throw new IllegalArgumentException("ReduceLROnPlateau(mode=auto) cannot tell whether '" + monitor + "' should be "
        + "minimized or maximized: it is neither a loss nor a compiled metric. Pass mode min or max");
  }

  /** Options with Keras' defaults. */
  public static final class Builder {
    private String monitor = DEFAULT_MONITOR;
    private double factor = DEFAULT_FACTOR;
    private int patience = DEFAULT_PATIENCE;
    private String mode = "auto";
    private double minDelta = DEFAULT_MIN_DELTA;
    private int cooldown = DEFAULT_COOLDOWN;
    private double minLr = DEFAULT_MIN_LR;
    private int verbose;

    private Builder() {}

    public Builder monitor(String monitor) {
      if (monitor == null || monitor.isEmpty()) {
        throw new IllegalArgumentException("Expected a monitor log key such as val_loss. Received: " + monitor);
      }
      this.monitor = monitor;
      return this;
    }

    /** Multiplier of the learning rate, in (0, 1). */
    public Builder factor(double factor) {
      if (!(factor < 1.0)) {
        throw new IllegalArgumentException(
            "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=" + factor);
      }
      if (!(factor > 0)) {
        throw new IllegalArgumentException("ReduceLROnPlateau needs a factor > 0. Received factor=" + factor);
      }
      this.factor = factor;
      return this;
    }

    public Builder patience(int patience) {
      if (patience < 0) {
        throw new IllegalArgumentException("patience must be >= 0. Received: patience=" + patience);
      }
      this.patience = patience;
      return this;
    }

    /** {@link Mode#AUTO} (default), {@link Mode#MIN} or {@link Mode#MAX}. */
    public Builder mode(Mode mode) {
      return mode(mode == null ? null : mode.kerasName());
    }

    /** {@code auto}, {@code min} or {@code max}. */
    public Builder mode(String mode) {
      if (!"auto".equals(mode) && !"min".equals(mode) && !"max".equals(mode)) {
        throw new IllegalArgumentException("Expected mode auto, min or max. Received: mode=" + mode);
      }
      this.mode = mode;
      return this;
    }

    public Builder minDelta(double minDelta) {
      if (!(minDelta >= 0)) {
        throw new IllegalArgumentException("minDelta must be >= 0. Received: minDelta=" + minDelta);
      }
      this.minDelta = minDelta;
      return this;
    }

    public Builder cooldown(int cooldown) {
      if (cooldown < 0) {
        throw new IllegalArgumentException("cooldown must be >= 0. Received: cooldown=" + cooldown);
      }
      this.cooldown = cooldown;
      return this;
    }

    public Builder minLr(double minLr) {
      if (!(minLr >= 0)) {
        throw new IllegalArgumentException("minLr must be >= 0. Received: minLr=" + minLr);
      }
      this.minLr = minLr;
      return this;
    }

    /** Above 0, logs each reduction at INFO; 0 (Keras' default, silent) logs it at DEBUG. */
    public Builder verbose(int verbose) {
      this.verbose = verbose;
      return this;
    }

    public ReduceLROnPlateau build() {
      return new ReduceLROnPlateau(this);
    }
  }
}
