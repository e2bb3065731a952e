package dev.kerasj.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Which worker of a data-parallel group this process is, as far as files are concerned: the chief (task 0) writes
 * checkpoints and backups where they were asked for; every other worker writes to a temporary directory it deletes
 * at once, tf.keras' {@code distributed_file_utils} ({@code write_dirpath}, {@code remove_temp_dirpath}).
 *
 * @param taskIndex this worker's index (0 is the chief)
 * @param workers the number of workers
 */
public record WorkerRole(int taskIndex, int workers) {
  /** One process, no group: the chief of itself. */
  public static final WorkerRole SINGLE = new WorkerRole(0, 1);

  public WorkerRole {
    if (workers < 1 || taskIndex < 0 || taskIndex >= workers) {
      throw new IllegalArgumentException("Expected 0 <= taskIndex < workers. Received: taskIndex=" + taskIndex
          + ", workers=" + workers);
    }
  }

  /** Whether this worker writes the real files (task 0, or a single process). */
  public boolean isChief() {
    return taskIndex == 0;
  }

  /**
   * Where this worker writes what belongs in {@code dir}: {@code dir} itself for the chief,
   * {@code dir/workertemp_<taskIndex>} (created) for the others, as tf.keras' {@code write_dirpath}.
   */
  public Path writeDirectory(Path dir) {
    if (isChief()) {
      return dir;
    }
    Path temp = dir.resolve("workertemp_" + taskIndex);
    try {
      Files.createDirectories(temp);
    } catch (IOException e) {
      throw new UncheckedIOException("Worker " + taskIndex + " could not create its temporary directory " + temp, e);
    }
    return temp;
  }

  /** Deletes a non-chief worker's temporary directory under {@code dir}; nothing for the chief. */
  public void removeTemporary(Path dir) {
    if (isChief()) {
      return;
    }
    Path temp = dir.resolve("workertemp_" + taskIndex);
    if (!Files.exists(temp)) {
      return;
    }
    try (Stream<Path> all = Files.walk(temp)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Worker " + taskIndex + " could not delete its temporary directory " + temp, e);
    }
  }
}
