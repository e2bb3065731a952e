package dev.kerasj.callbacks;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Keras' {@code LambdaCallback}: a callback made of lambdas, for simple hooks written on the fly. Hooks left unset
 * do nothing.
 *
 * <pre>{@code
 * LambdaCallback printLoss = LambdaCallback.builder()
 *     .onEpochEnd((epoch, logs) -> System.out.println(epoch + ": " + logs.get("loss")))
 *     .onTrainEnd(logs -> System.out.println("done"))
 *     .build();
 * model.fit(x, y, FitOptions.builder().epochs(5).callbacks(printLoss).build());
 * }</pre>
 *
 * <p>Hooks run on the thread that called {@code fit}; the logs they receive are read-only.
 */
public final class LambdaCallback implements Callback {
  /** A hook that receives a 0-based epoch or batch index and the logs, such as {@code (epoch, logs) -> ...}. */
  @FunctionalInterface
  public interface IndexedHook {
    /** Runs the hook for epoch or batch {@code index}. */
    void accept(int index, Map<String, Double> logs);
  }

  private static final IndexedHook NO_INDEXED_HOOK = (index, logs) -> {};
  private static final Consumer<Map<String, Double>> NO_HOOK = logs -> {};

  private final IndexedHook epochBegin;
  private final IndexedHook epochEnd;
  private final IndexedHook batchBegin;
  private final IndexedHook batchEnd;
  private final Consumer<Map<String, Double>> trainBegin;
  private final Consumer<Map<String, Double>> trainEnd;

  private LambdaCallback(Builder b) {
    this.epochBegin = b.epochBegin;
    this.epochEnd = b.epochEnd;
    this.batchBegin = b.batchBegin;
    this.batchEnd = b.batchEnd;
    this.trainBegin = b.trainBegin;
    this.trainEnd = b.trainEnd;
  }

  /** A builder with every hook unset (Keras' default of {@code None} for each). */
  public static Builder builder() {
    return new Builder();
  }

  /** Runs the {@code onEpochBegin} hook, if set. */
  @Override
  public void onEpochBegin(int epoch, Map<String, Double> logs) {
    epochBegin.accept(epoch, logs);
  }

  /** Runs the {@code onEpochEnd} hook, if set. */
  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    epochEnd.accept(epoch, logs);
  }

  /** Runs the {@code onBatchBegin} hook, if set. */
  @Override
  public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
    batchBegin.accept(batch, logs);
  }

  /** Runs the {@code onBatchEnd} hook, if set. */
  @Override
  public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    batchEnd.accept(batch, logs);
  }

  /** Runs the {@code onTrainBegin} hook, if set. */
  @Override
  public void onTrainBegin(Map<String, Double> logs) {
    trainBegin.accept(logs);
  }

  /** Runs the {@code onTrainEnd} hook, if set. */
  @Override
  public void onTrainEnd(Map<String, Double> logs) {
    trainEnd.accept(logs);
  }

  /** Builder of {@link LambdaCallback}; each setter replaces that hook and rejects null. */
  public static final class Builder {
    private IndexedHook epochBegin = NO_INDEXED_HOOK;
    private IndexedHook epochEnd = NO_INDEXED_HOOK;
    private IndexedHook batchBegin = NO_INDEXED_HOOK;
    private IndexedHook batchEnd = NO_INDEXED_HOOK;
    private Consumer<Map<String, Double>> trainBegin = NO_HOOK;
    private Consumer<Map<String, Double>> trainEnd = NO_HOOK;

    private Builder() {}

    /** Keras' {@code on_epoch_begin}: called with the 0-based epoch before each epoch. */
    public Builder onEpochBegin(IndexedHook hook) {
      this.epochBegin = required(hook, "onEpochBegin");
      return this;
    }

    /** Keras' {@code on_epoch_end}: called with the 0-based epoch and the epoch's logs (with {@code val_} keys). */
    public Builder onEpochEnd(IndexedHook hook) {
      this.epochEnd = required(hook, "onEpochEnd");
      return this;
    }

    /** Keras' {@code on_train_batch_begin}: called with the 0-based batch index within the epoch. */
    public Builder onBatchBegin(IndexedHook hook) {
      this.batchBegin = required(hook, "onBatchBegin");
      return this;
    }

    /** Keras' {@code on_train_batch_end}: called with the batch index and the epoch's running averages so far. */
    public Builder onBatchEnd(IndexedHook hook) {
      this.batchEnd = required(hook, "onBatchEnd");
      return this;
    }

    /** Keras' {@code on_train_begin}: called once before the first epoch. */
    public Builder onTrainBegin(Consumer<Map<String, Double>> hook) {
      this.trainBegin = required(hook, "onTrainBegin");
      return this;
    }

    /** Keras' {@code on_train_end}: called once after the last epoch, with the last epoch's logs. */
    public Builder onTrainEnd(Consumer<Map<String, Double>> hook) {
      this.trainEnd = required(hook, "onTrainEnd");
      return this;
    }

    /** The callback; hooks not set do nothing. */
    public LambdaCallback build() {
      return new LambdaCallback(this);
    }

    private static <T> T required(T hook, String name) {
      if (hook == null) {
        throw new IllegalArgumentException(
            "Expected a hook for " + name + ". Received: null (leave it unset for no hook)");
      }
      return hook;
    }
  }
}
