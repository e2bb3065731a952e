package dev.kerasj.distribute;

import dev.kerasj.saving.KerasjException;
import java.time.Duration;

/**
 * A training step of a {@link MultiWorkerMirroredStrategy} group failed because another worker is gone or silent:
 * TensorFlow's collective reported the peer unreachable ({@code UNAVAILABLE}, typically a process that ended) or
 * waited longer than the collective timeout ({@code DEADLINE_EXCEEDED}). Training cannot go on with fewer workers;
 * relaunch every worker, and with a {@code BackupAndRestore} they resume from the chief's last backup.
 */
public class WorkerFailureException extends KerasjException {
  public WorkerFailureException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The failure of worker {@code taskIndex}'s collective at {@code where} (such as "epoch 2, batch 6"), described
   * from TensorFlow's exception.
   */
  public static WorkerFailureException of(RuntimeException tensorflow, int taskIndex, int workers, String where,
      Duration timeout) {
    String tf = String.valueOf(tensorflow.getMessage());
    String reason = tf.contains("timed out") || tf.contains("DEADLINE_EXCEEDED")
        ? "another worker did not answer within the collective timeout of " + timeout.toSeconds() + " s"
        : tf.contains("failed to connect") || tf.contains("UNAVAILABLE") || tf.contains("Connection reset")
            ? "another worker is unreachable (its process ended or its host is down)"
            : "the collective all-reduce failed";
    // TensorFlow's message starts with "From /job:worker/replica:0/task:0:" on a line of its own.
    String first = tf.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("From /job:"))
        .findFirst().orElse(tf.trim());
    if (first.length() > 300) {
      first = first.substring(0, 300) + "...";
    }
    return new WorkerFailureException("MultiWorkerMirroredStrategy: worker " + taskIndex + " of " + workers
        + " stopped at " + where + ": " + reason + ". TensorFlow: " + first + ". Relaunch every worker; with a "
        + "BackupAndRestore they resume from the chief's last backup", tensorflow);
  }
}
