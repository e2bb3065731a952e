package dev.kerasj.callbacks;

import dev.kerasj.metrics.Metric;
import dev.kerasj.models.KerasModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * Keras' {@code EarlyStopping}: stops training when a monitored quantity has stopped improving.
 *
 * <pre>{@code
 * EarlyStopping stop = EarlyStopping.builder().monitor("val_loss").patience(3).restoreBestWeights(true).build();
 * History h = model.fit(x, y, FitOptions.builder().epochs(100).validationSplit(0.2).callbacks(stop).build());
 * }</pre>
 *
 * <p>At the end of each epoch (from {@code startFromEpoch} on) the monitored value is compared with the best so far;
 * it improves when it beats the best by more than {@code minDelta}. After {@code patience} epochs without an
 * improvement the model's {@code stopTraining} flag is set, and {@code fit} ends after that epoch. With a
 * {@code baseline}, an improvement resets the patience count only if it also beats the baseline. This is Keras
 * 3.15's algorithm, with one deliberate difference: a NaN value never counts as an improvement (Keras takes a NaN
 * in the first monitored epoch as the best value, after which nothing can beat it).
 *
 * <p>Mode {@code "auto"} minimizes {@code loss} and {@code val_loss}; for any other key it uses the
 * {@link Metric#direction()} of the compiled metric of that name (a {@code val_} prefix stripped), and {@code fit}
 * fails at train begin when there is none. A monitored key missing from an epoch's logs logs a warning once per
 * run, naming the available keys, and training goes on.
 *
 * <p>With {@code restoreBestWeights}, the weights are snapshot at every improvement and set back on the model at
 * train end, whether or not training stopped early (as Keras 3 does). Messages go to SLF4J (logger
 * {@code dev.kerasj.callbacks.EarlyStopping}): Keras' messages at INFO for {@code verbose > 0} and at DEBUG for 0,
 * the missing-monitor warning at WARN. An instance can be reused across {@code fit} calls: its state is reset at
 * train begin.
 */
public final class EarlyStopping implements Callback {
  private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);
  /** Keras' default {@code monitor="val_loss"}. */
  public static final String DEFAULT_MONITOR = "val_loss";
  /** Keras' default {@code min_delta=0}. */
  public static final double DEFAULT_MIN_DELTA = 0.0;
  /** Keras' default {@code patience=0}: stop at the first epoch without improvement. */
  public static final int DEFAULT_PATIENCE = 0;
  /** Keras' default {@code verbose=0}: silent. */
  public static final int DEFAULT_VERBOSE = 0;
  /** Keras' default {@code mode="auto"}. */
  public static final String DEFAULT_MODE = "auto";
  /** Keras' default {@code baseline=None}: no baseline. */
  public static final OptionalDouble DEFAULT_BASELINE = OptionalDouble.empty();
  /** Keras' default {@code restore_best_weights=False}: keep the last epoch's weights. */
  public static final boolean DEFAULT_RESTORE_BEST_WEIGHTS = false;
  /** Keras' default {@code start_from_epoch=0}: monitor from the first epoch. */
  public static final int DEFAULT_START_FROM_EPOCH = 0;

  private static final List<String> MODES = List.of("auto", "min", "max");
  private static final String VAL_PREFIX = "val_";

  private final String monitor;
  private final double minDelta;
  private final int patience;
  private final int verbose;
  private final String mode;
  private final OptionalDouble baseline;
  private final boolean restoreBestWeights;
  private final int startFromEpoch;

  private KerasModel model;
  private Metric.Direction direction;
  private int wait;
  private int stoppedEpoch;
  private int bestEpoch;
  private OptionalDouble best = OptionalDouble.empty();
  private List<FloatNdArray> bestWeights;
  private boolean warnedMissing;

  private EarlyStopping(Builder b) {
    this.monitor = b.monitor;
    this.minDelta = b.minDelta;
    this.patience = b.patience;
    this.verbose = b.verbose;
    this.mode = b.mode;
    this.baseline = b.baseline;
    this.restoreBestWeights = b.restoreBestWeights;
    this.startFromEpoch = b.startFromEpoch;
  }

  /** A builder holding Keras' defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The monitored log key, such as {@code "val_loss"}. */
  public String monitor() {
    return monitor;
  }

  /** {@code "auto"}, {@code "min"} or {@code "max"}. */
  public Mode mode() {
    return Mode.of(mode, "EarlyStopping");
  }

  /** The smallest change that counts as an improvement. */
  public double minDelta() {
    return minDelta;
  }

  /** Epochs without improvement after which training stops. */
  public int patience() {
    return patience;
  }

  /** The value to beat before patience is reset, if any. */
  public OptionalDouble baseline() {
    return baseline;
  }

  /** Whether the best epoch's weights are set back at train end. */
  public boolean restoreBestWeights() {
    return restoreBestWeights;
  }

  /** The first (0-based) epoch that is monitored. */
  public int startFromEpoch() {
    return startFromEpoch;
  }

  /** 0 silent, above 0 prints when training stops and when weights are restored. */
  public int verbose() {
    return verbose;
  }

  /** The 0-based epoch at which this callback stopped training, or 0 when it did not (Keras' {@code stopped_epoch}). */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /** The 0-based epoch of the best value (Keras' {@code best_epoch}; 0 before any epoch was monitored). */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** The best monitored value of the current or last run; empty before a value was seen. */
  public OptionalDouble best() {
    return best;
  }

  /** Called by {@code fit}: the model to stop, and to read and restore weights from. */
  @Override
  public void setModel(KerasModel model) {
    this.model = model;
  }

  /**
   * Resets the state of a previous run and resolves the direction of {@code "auto"} mode.
   *
   * @throws IllegalArgumentException in mode auto, when the monitored key is neither a loss nor a compiled metric
   * @throws IllegalStateException when no model was set
   */
  @Override
  public void onTrainBegin(Map<String, Double> logs) {
    requireModel();
    wait = 0;
    stoppedEpoch = 0;
    best = OptionalDouble.empty();
    bestWeights = null;
    bestEpoch = 0;
    warnedMissing = false;
    direction = resolveDirection();
  }

  /** Wait counter, best value and epoch, and (with {@code restoreBestWeights}) the best weights, for a backup. */
  @Override
  public Map<String, Object> backupState() {
    Map<String, Object> s = new java.util.LinkedHashMap<>();
    s.put("wait", wait);
    s.put("stopped_epoch", stoppedEpoch);
    s.put("best_epoch", bestEpoch);
    s.put("best", best.isPresent() ? best.getAsDouble() : null);
    s.put("best_weights", bestWeights == null ? null : BackupValues.encodeWeights(bestWeights));
    return s;
  }

  @Override
  public void restoreBackupState(Map<String, Object> s) {
    wait = ((Number) s.get("wait")).intValue();
    stoppedEpoch = ((Number) s.get("stopped_epoch")).intValue();
    bestEpoch = ((Number) s.get("best_epoch")).intValue();
    best = s.get("best") == null ? OptionalDouble.empty() : OptionalDouble.of(BackupValues.toDouble(s.get("best")));
    bestWeights = s.get("best_weights") == null ? null : BackupValues.decodeWeights(s.get("best_weights"));
  }

  /** Compares the epoch's monitored value with the best and asks the model to stop once patience is exhausted. */
  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    if (direction == null) {
      throw new IllegalStateException("EarlyStopping(monitor=" + monitor + "): onTrainBegin must run first");
    }
    Map<String, Double> values = logs == null ? Map.of() : logs;
    Double current = values.get(monitor);
    if (current == null) {
      warnMissing(values);
      return;
    }
    if (epoch < startFromEpoch) {
      return;
    }
    if (restoreBestWeights && bestWeights == null) {
      // As Keras: until an improvement is seen, the first monitored epoch's weights stand in for the best.
      bestWeights = model.getWeights();
      bestEpoch = epoch;
    }
    wait++;
    if (isImprovement(current, best)) {
      best = OptionalDouble.of(current);
      bestEpoch = epoch;
      if (restoreBestWeights) {
        bestWeights = model.getWeights();
      }
      if (baseline.isEmpty() || isImprovement(current, baseline)) {
        wait = 0;
      }
      return;
    }
    if (wait >= patience && epoch > 0) {
      stoppedEpoch = epoch;
      model.setStopTraining(true);
    }
  }

  /** Prints the stop message and, with {@code restoreBestWeights}, sets the best epoch's weights on the model. */
  @Override
  public void onTrainEnd(Map<String, Double> logs, TrainingOutcome outcome) {
    if (outcome == TrainingOutcome.INTERRUPTED || outcome == TrainingOutcome.FAILED) {
      return; // training goes on after a resume: the best weights are restored when it really ends
    }
    onTrainEnd(logs);
  }

  @Override
  public void onTrainEnd(Map<String, Double> logs) {
    Level level = CallbackLogging.level(verbose);
    if (stoppedEpoch > 0) {
      LOG.atLevel(level).log("Epoch {}: early stopping", stoppedEpoch + 1);
    }
    if (restoreBestWeights && bestWeights != null) {
      LOG.atLevel(level).log("Restoring model weights from the end of the best epoch: {}.", bestEpoch + 1);
      model.setWeights(bestWeights);
    }
  }

  private boolean isImprovement(double value, OptionalDouble reference) {
    if (Double.isNaN(value)) {
      return false;
    }
    if (reference.isEmpty()) {
      return true;
    }
    return direction == Metric.Direction.MIN
        ? value + minDelta < reference.getAsDouble()
        : value - minDelta > reference.getAsDouble();
  }

  private Metric.Direction resolveDirection() {
    if (mode.equals("min")) {
      return Metric.Direction.MIN;
    }
    if (mode.equals("max")) {
      return Metric.Direction.MAX;
    }
    Metric.Direction direction = model.logDirection(monitor);
    if (direction != null) {
      return direction;
    }
    List<String> available = new ArrayList<>(List.of("loss", "val_loss"));
    for (Metric m : model.metrics()) {
      available.add(m.name());
      available.add(VAL_PREFIX + m.name());
    }
    throw new IllegalArgumentException("EarlyStopping callback received monitor=" + monitor
        + ", but it is neither the loss nor a metric the model was compiled with, so mode='auto' cannot tell "
        + "whether it should be maximized or minimized. Available: " + String.join(", ", available)
        + ". Monitor one of those, or pass mode(\"max\") or mode(\"min\").");
  }

  private void warnMissing(Map<String, Double> logs) {
    if (warnedMissing) {
      return;
    }
    warnedMissing = true;
    LOG.warn("Early stopping conditioned on metric `{}` which is not available. Available metrics are: {}", monitor,
        String.join(",", logs.keySet()));
  }

  private void requireModel() {
    if (model == null) {
      throw new IllegalStateException(
          "EarlyStopping(monitor=" + monitor + ") has no model: pass it to fit's callbacks, or call setModel first");
    }
  }

  /** Builder of {@link EarlyStopping}; starts from Keras' defaults and {@link #build()} validates every field. */
  public static final class Builder {
    private String monitor = DEFAULT_MONITOR;
    private double minDelta = DEFAULT_MIN_DELTA;
    private int patience = DEFAULT_PATIENCE;
    private int verbose = DEFAULT_VERBOSE;
    private String mode = DEFAULT_MODE;
    private OptionalDouble baseline = DEFAULT_BASELINE;
    private boolean restoreBestWeights = DEFAULT_RESTORE_BEST_WEIGHTS;
    private int startFromEpoch = DEFAULT_START_FROM_EPOCH;

    private Builder() {}

    /** The log key to watch, such as {@code "loss"}, {@code "val_loss"} or {@code "val_accuracy"}. */
    public Builder monitor(String monitor) {
      this.monitor = monitor;
      return this;
    }

    /**
     * The smallest change that counts as an improvement; must be {@code >= 0} (Keras silently takes the absolute
     * value of a negative one; this builder rejects it).
     */
    public Builder minDelta(double minDelta) {
      this.minDelta = minDelta;
      return this;
    }

    /** Epochs without improvement after which training stops; {@code >= 0}. */
    public Builder patience(int patience) {
      this.patience = patience;
      return this;
    }

    /**
     * Above 0, logs at INFO when training stops and when weights are restored; 0 (Keras' default, silent) logs the
     * same messages at DEBUG.
     */
    public Builder verbose(int verbose) {
      this.verbose = verbose;
      return this;
    }

    /** {@link Mode#MIN}, {@link Mode#MAX}, or {@link Mode#AUTO} (from the loss or the compiled metric's direction). */
    public Builder mode(Mode mode) {
      return mode(mode == null ? null : mode.kerasName());
    }

    /** {@code "min"}, {@code "max"}, or {@code "auto"} (from the loss or the compiled metric's direction). */
    public Builder mode(String mode) {
      this.mode = mode;
      return this;
    }

    /** A value the monitored quantity must beat for patience to be reset. */
    public Builder baseline(double baseline) {
      this.baseline = OptionalDouble.of(baseline);
      return this;
    }

    /** Whether to set the best epoch's weights back on the model at train end. */
    public Builder restoreBestWeights(boolean restoreBestWeights) {
      this.restoreBestWeights = restoreBestWeights;
      return this;
    }

    /** Epochs of warm-up, not monitored, before improvements are looked for; {@code >= 0}. */
    public Builder startFromEpoch(int startFromEpoch) {
      this.startFromEpoch = startFromEpoch;
      return this;
    }

    /**
     * The callback.
     *
     * @throws IllegalArgumentException naming the field and the value received when one is invalid
     */
    public EarlyStopping build() {
      if (monitor == null || monitor.isBlank()) {
        throw new IllegalArgumentException(
            "Expected monitor to name a log key such as \"val_loss\". Received: monitor=" + quoted(monitor));
      }
      if (mode == null || !MODES.contains(mode)) {
        throw new IllegalArgumentException(
            "Expected mode to be one of " + MODES + ". Received: mode=" + quoted(mode));
      }
      if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
        throw new IllegalArgumentException(
            "Expected minDelta to be a finite number >= 0. Received: minDelta=" + minDelta);
      }
      if (patience < 0) {
        throw new IllegalArgumentException("Expected patience >= 0. Received: patience=" + patience);
      }
      if (verbose < 0) {
        throw new IllegalArgumentException("Expected verbose >= 0. Received: verbose=" + verbose);
      }
      if (startFromEpoch < 0) {
        throw new IllegalArgumentException("Expected startFromEpoch >= 0. Received: startFromEpoch=" + startFromEpoch);
      }
      if (baseline.isPresent() && Double.isNaN(baseline.getAsDouble())) {
        throw new IllegalArgumentException("Expected baseline to be a number. Received: baseline=NaN");
      }
      return new EarlyStopping(this);
    }

    private static String quoted(String s) {
      return s == null ? "null" : "\"" + s + "\"";
    }
  }
}
