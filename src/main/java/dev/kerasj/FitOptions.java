package dev.kerasj;

import dev.kerasj.callbacks.Callback;
import dev.kerasj.data.Dataset;
import java.util.ArrayList;
import java.util.List;

/**
 * Options of {@link Sequential#fit}, immutable once built. Every default is Keras' {@code fit} default.
 *
 * <pre>{@code
 * FitOptions opts = FitOptions.builder().epochs(10).batchSize(64).validationSplit(0.1)
 *     .callbacks(new EarlyStopping(...)).build();
 * }</pre>
 */
public final class FitOptions {
  /** Keras' default {@code batch_size}. */
  public static final int DEFAULT_BATCH_SIZE = 32;
  /** Keras' default {@code epochs}. */
  public static final int DEFAULT_EPOCHS = 1;
  /** Keras' default {@code verbose} ("auto", which is 1: a progress bar). */
  public static final int DEFAULT_VERBOSE = 1;

  private final int batchSize;
  private final int epochs;
  private final int initialEpoch;
  private final Object validationX;
  private final Object validationY;
  private final double validationSplit;
  private final boolean shuffle;
  private final Long seed;
  private final int verbose;
  private final List<Callback> callbacks;
  private final Integer stepsPerEpoch;
  private final Integer validationSteps;
  private final Dataset validationDataset;

  private FitOptions(Builder b) {
    this.batchSize = b.batchSize;
    this.epochs = b.epochs;
    this.initialEpoch = b.initialEpoch;
    this.validationX = b.validationX;
    this.validationY = b.validationY;
    this.validationSplit = b.validationSplit;
    this.shuffle = b.shuffle;
    this.seed = b.seed;
    this.verbose = b.verbose;
    this.callbacks = List.copyOf(b.callbacks);
    this.stepsPerEpoch = b.stepsPerEpoch;
    this.validationSteps = b.validationSteps;
    this.validationDataset = b.validationDataset;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Keras' defaults: batch 32, 1 epoch, shuffled, progress bar. */
  public static FitOptions defaults() {
    return builder().build();
  }

  public int batchSize() {
    return batchSize;
  }

  public int epochs() {
    return epochs;
  }

  public int initialEpoch() {
    return initialEpoch;
  }

  /** Validation inputs, or null. */
  public Object validationX() {
    return validationX;
  }

  /** Validation labels, or null. */
  public Object validationY() {
    return validationY;
  }

  public double validationSplit() {
    return validationSplit;
  }

  public boolean shuffle() {
    return shuffle;
  }

  /** Shuffle seed, or null to use the model's seed. */
  public Long seed() {
    return seed;
  }

  public int verbose() {
    return verbose;
  }

  public List<Callback> callbacks() {
    return callbacks;
  }

  /** Batches per epoch of a {@link Dataset} fit, or null: until the data runs out (Keras' {@code steps_per_epoch}). */
  public Integer stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** Batches per validation of a validation {@link Dataset}, or null: all of it (Keras' {@code validation_steps}). */
  public Integer validationSteps() {
    return validationSteps;
  }

  /** The validation {@link Dataset}, or null. */
  public Dataset validationDataset() {
    return validationDataset;
  }

  /** Builder of {@link FitOptions}; {@link #build()} validates every field. */
  public static final class Builder {
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int epochs = DEFAULT_EPOCHS;
    private int initialEpoch = 0;
    private Object validationX;
    private Object validationY;
    private double validationSplit = 0.0;
    private boolean shuffle = true;
    private Long seed;
    private int verbose = DEFAULT_VERBOSE;
    private final List<Callback> callbacks = new ArrayList<>();
    private Integer stepsPerEpoch;
    private Integer validationSteps;
    private Dataset validationDataset;

    private Builder() {}

    /**
     * Keras' {@code steps_per_epoch}, for a {@link Dataset}: each epoch runs this many batches from one iterator
     * that carries on across epochs; if the data runs out first, the epoch ends with a warning (as in Keras) and the
     * next epoch starts a new pass. Unset: each epoch is one full pass.
     */
    public Builder stepsPerEpoch(int steps) {
      this.stepsPerEpoch = steps;
      return this;
    }

    /** Keras' {@code validation_steps}: batches of the validation {@link Dataset} per validation. */
    public Builder validationSteps(int steps) {
      this.validationSteps = steps;
      return this;
    }

    /** A {@link Dataset} evaluated at the end of every epoch (its targets give the {@code val_} logs). */
    public Builder validationData(Dataset data) {
      if (data == null) {
        throw new IllegalArgumentException("validationData needs a Dataset. Received: null");
      }
      this.validationDataset = data;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Index of the last epoch to run + 1 (Keras semantics: with {@code initialEpoch=3, epochs=6}, 3 epochs run). */
    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /** Epoch to start from (0-based), to resume a previous run. */
    public Builder initialEpoch(int initialEpoch) {
      this.initialEpoch = initialEpoch;
      return this;
    }

    /** Data evaluated at the end of every epoch, logged with {@code val_} keys. */
    public Builder validationData(Object x, Object y) {
      this.validationX = x;
      this.validationY = y;
      return this;
    }

    /** Fraction of the training data held out for validation: the last samples, taken before shuffling. */
    public Builder validationSplit(double fraction) {
      this.validationSplit = fraction;
      return this;
    }

    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Seed of the per-epoch shuffle (epoch {@code e} uses an order derived from {@code (seed, e)} only). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** 0 silent, 1 progress bar, 2 one line per epoch. */
    public Builder verbose(int verbose) {
      this.verbose = verbose;
      return this;
    }

    public Builder callbacks(Callback... callbacks) {
      this.callbacks.addAll(List.of(callbacks));
      return this;
    }

    public Builder callbacks(List<? extends Callback> callbacks) {
      this.callbacks.addAll(callbacks);
      return this;
    }

    public FitOptions build() {
      if (batchSize <= 0) {
        throw new IllegalArgumentException(
            "Expected batchSize to be a positive integer. Received: batchSize=" + batchSize);
      }
      if (epochs < 0) {
        throw new IllegalArgumentException("Expected epochs >= 0. Received: epochs=" + epochs);
      }
      if (initialEpoch < 0) {
        throw new IllegalArgumentException("Expected initialEpoch >= 0. Received: initialEpoch=" + initialEpoch);
      }
      if (!(validationSplit >= 0 && validationSplit < 1)) {
        throw new IllegalArgumentException(
            "Expected validationSplit to be in [0, 1). Received: validationSplit=" + validationSplit);
      }
      if ((validationX == null) != (validationY == null)) {
        throw new IllegalArgumentException(
            "validationData needs both x and y. Received: x=" + (validationX == null ? "null" : "an array")
                + ", y=" + (validationY == null ? "null" : "an array"));
      }
      if (validationX != null && validationSplit > 0) {
        throw new IllegalArgumentException(
            "Pass either validationData or validationSplit, not both. Received: validationSplit=" + validationSplit);
      }
      if (stepsPerEpoch != null && stepsPerEpoch <= 0) {
        throw new IllegalArgumentException("Expected stepsPerEpoch > 0. Received: stepsPerEpoch=" + stepsPerEpoch);
      }
      if (validationSteps != null && validationSteps <= 0) {
        throw new IllegalArgumentException("Expected validationSteps > 0. Received: validationSteps="
            + validationSteps);
      }
      if (validationDataset != null && (validationX != null || validationSplit > 0)) {
        throw new IllegalArgumentException("Pass one of validationData(Dataset), validationData(x, y) and "
            + "validationSplit. Received: more than one");
      }
      if (verbose < 0 || verbose > 2) {
        throw new IllegalArgumentException("Expected verbose to be 0, 1 or 2. Received: verbose=" + verbose);
      }
      if (callbacks.contains(null)) {
        throw new IllegalArgumentException("callbacks must not contain null");
      }
      return new FitOptions(this);
    }
  }
}
