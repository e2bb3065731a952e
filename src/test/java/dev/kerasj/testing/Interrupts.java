package dev.kerasj.testing;

import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.callbacks.Callback;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The simulated interruption of the BackupAndRestore tests. */
public final class Interrupts {
  private Interrupts() {}

  /**
   * A callback that asks {@code backup} to interrupt the fit at the end of global training batch {@code interruptAt}
   * (counted from 0 over all epochs; -1: never), as a killed process would stop after that batch.
   */
  public static Callback afterBatch(BackupAndRestore backup, int interruptAt) {
    AtomicInteger batches = new AtomicInteger();
    return new Callback() {
      @Override
      public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        if (batches.getAndIncrement() == interruptAt) {
          backup.requestInterrupt();
        }
      }
    };
  }
}
