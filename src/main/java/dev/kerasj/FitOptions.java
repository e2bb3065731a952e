package dev.kerasj;

import dev.kerasj.callbacks.Callback;
import dev.kerasj.data.Dataset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  private final Object validationSampleWeight;
  private final Object sampleWeight;
  private final Map<Integer, Double> classWeight;
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
    this.validationSampleWeight = b.validationSampleWeight;
    this.sampleWeight = b.sampleWeight;
    this.classWeight = b.classWeight == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(b.classWeight));
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

  /** Sample weights of the validation data (Keras' third element of {@code validation_data}), or null. */
  public Object validationSampleWeight() {
    return validationSampleWeight;
  }

  /** Keras' {@code sample_weight}: one array per output (or one for every output), or null. */
  public Object sampleWeight() {
    return sampleWeight;
  }

  /** Keras' {@code class_weight}: class index to weight, or null. */
  public Map<Integer, Double> classWeight() {
    return classWeight;
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
    private Object validationSampleWeight;
    private Object sampleWeight;
    private Map<Integer, Double> classWeight;
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
      return validationData(x, y, null);
    }

    /**
     * Data evaluated at the end of every epoch with its sample weights (Keras' {@code validation_data=(x, y,
     * sample_weight)}), in the forms {@link #sampleWeight} takes; null for none. {@code classWeight} is not applied
     * to validation data, as in Keras.
     */
    public Builder validationData(Object x, Object y, Object sampleWeight) {
      this.validationX = x;
      this.validationY = y;
      this.validationSampleWeight = sampleWeight;
      return this;
    }

    /**
     * Keras' {@code sample_weight}: how much each sample counts in the loss and in the weighted metrics
     * ({@code CompileOptions.weightedMetrics}). One array ({@code float[]}, {@code double[]}, an {@code NdArray}) of
     * shape {@code (samples,)} for a single-output model, or for every output of a model of several; a {@code List}
     * in output order or a {@code Map} by output name to weight each output differently. A sequence output (a loss
     * value per timestep) takes {@code (samples, timesteps)} or {@code (samples, 1)}. Weights must be finite and
     * non-negative. {@code validationSplit} holds out the same last samples of the weights; shuffling moves each
     * weight with its sample.
     */
    public Builder sampleWeight(Object sampleWeight) {
      this.sampleWeight = sampleWeight;
      return this;
    }

    /**
     * Keras' {@code class_weight}: each training sample counts as much as the weight of its class, for a
     * single-output model with class-id labels ({@code int[]}) or one-hot labels (the class is the argmax, as in
     * Keras). Unlike Keras 3, which gives classes missing from the map a weight of 1, {@code fit} refuses labels of a
     * class the map does not name (Keras 2 did the same). Not combinable with {@link #sampleWeight}.
     */
    public Builder classWeight(Map<Integer, ? extends Number> classWeight) {
      if (classWeight == null) {
        this.classWeight = null;
        return this;
      }
      Map<Integer, Double> copy = new LinkedHashMap<>();
      for (Map.Entry<Integer, ? extends Number> e : classWeight.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("Expected classWeight to map class indices to numbers. Received: "
              + classWeight);
        }
        copy.put(e.getKey(), e.getValue().doubleValue());
      }
      this.classWeight = copy;
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
      if (sampleWeight != null && classWeight != null) {
        throw new IllegalArgumentException("You cannot use `classWeight` and `sampleWeight` at the same time. "
            + "Received: classWeight=" + classWeight + " and a sampleWeight");
      }
      if (validationSampleWeight != null && validationX == null) {
        throw new IllegalArgumentException("validationData sample weights need validation x and y");
      }
      if (classWeight != null) {
        if (classWeight.isEmpty()) {
          throw new IllegalArgumentException("Expected classWeight to name at least one class. Received: {}");
        }
        for (Map.Entry<Integer, Double> e : classWeight.entrySet()) {
          if (e.getKey() < 0) {
            throw new IllegalArgumentException("Expected classWeight keys to be class indices >= 0. Received: "
                + e.getKey());
          }
          if (!(Double.isFinite(e.getValue()) && e.getValue() >= 0)) {
            throw new IllegalArgumentException("Expected classWeight values to be finite and >= 0. Received: "
                + "class " + e.getKey() + " -> " + e.getValue());
          }
        }
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
