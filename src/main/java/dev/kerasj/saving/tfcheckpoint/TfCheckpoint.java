package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.models.KerasModel;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleCheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Weights-only TF object-based checkpoints, the files Python's {@code tf.train.Checkpoint} reads and writes: model
 * weights and optimizer state (slots, iterations, learning rate) in Keras 3's layout.
 *
 * <pre>{@code
 * TfCheckpoint.write(model, Path.of("ckpts/ckpt-3"));      // ckpts/ckpt-3.index + .data-00000-of-00001
 * TfCheckpoint.restore(fresh, Path.of("ckpts"));           // the latest checkpoint in ckpts/
 * }</pre>
 *
 * In Python, a Keras model of the same architecture, compiled with the same optimizer class and with its optimizer
 * built ({@code m.optimizer.build(m.trainable_variables)}), takes the file with
 * {@code tf.train.Checkpoint(model=m, optimizer=m.optimizer).restore(path).assert_consumed()}; and
 * {@code tf.train.latest_checkpoint(dir)} finds the newest one.
 *
 * <p><b>On disk.</b> A write is staged inside the destination directory, fsynced, and renamed into place, data file
 * first, index last: a complete checkpoint is one whose {@code .index} exists (with its data file), and TensorFlow's
 * crc32c in the index catches a damaged file. Overwriting a prefix first keeps the old pair aside (hard links in
 * {@code .kerasj-previous-<name>/}) until the new pair is complete, so a crash at any moment leaves the old or the new
 * checkpoint readable by {@link #restore}. The {@code checkpoint} state file is replaced atomically, after the pair.
 * A failed write throws and leaves the previous checkpoint as it was.
 */
public final class TfCheckpoint {
  private TfCheckpoint() {}

  /**
   * Writes the model's weights and, when compiled, its optimizer state to {@code prefix.index} and
   * {@code prefix.data-00000-of-00001}, then records {@code prefix} as the latest checkpoint in the directory's
   * {@code checkpoint} state file (keeping its older, still complete entries). Builds the model first if needed.
   *
   * @param prefix such as {@code dir/ckpt-3}; the directory is created if needed
   * @return the absolute prefix written
   * @throws IOException when anything cannot be written (unwritable directory, full disk); the previous checkpoint
   *     at {@code prefix}, if any, stays complete
   * @throws IllegalArgumentException when {@code prefix} ends in {@code .index} or {@code .data-*}, or is a name
   *     kerasj reserves ({@code checkpoint}, staging names)
   */
  public static Path write(KerasModel model, Path prefix) throws IOException {
    return CheckpointWriter.write(model, prefix);
  }

  /**
   * Copies the model's weights and optimizer state to host memory in one {@code Session.run}, for a
   * {@link CheckpointSnapshot#write} later or on another thread (the model may train on meanwhile). Counts a save,
   * like {@link #write}. Call it from the thread that trains the model.
   *
   * <pre>{@code
   * CheckpointSnapshot s = TfCheckpoint.snapshot(model);
   * s.write(Path.of("ckpts/ckpt-3"));   // the same files TfCheckpoint.write would have written at snapshot time
   * }</pre>
   */
  public static CheckpointSnapshot snapshot(KerasModel model) {
    return CheckpointSaver.of(model).snapshot(model.graphForInternalUse());
  }

  /**
   * Restores weights and optimizer state from a checkpoint written by {@link #write} or by Python
   * {@code tf.train.Checkpoint(model=m, optimizer=m.optimizer)} for the same architecture. Every variable is found
   * through the checkpoint's object graph; all are checked, then read (TensorFlow verifies each tensor's crc32c),
   * and only then written into the model in one step. On any failure the model is unchanged.
   *
   * <p>A compiled model needs the optimizer state too (restore a weights-only file into a built, uncompiled model
   * and compile afterwards); an uncompiled model ignores optimizer state in the file.
   *
   * @param prefixOrDirectory a prefix ({@code dir/ckpt-3}), or a directory meaning its {@link #latest} checkpoint
   * @return the prefix restored (a kept-aside previous pair when an overwrite of {@code prefix} was interrupted)
   * @throws NoSuchFileException when there is no checkpoint at the prefix, or none in the directory
   * @throws CorruptCheckpointException naming the file, when a file is truncated, damaged or half of a pair is
   *     missing
   * @throws IncompatibleCheckpointException listing matched, missing, unexpected and wrong-shape-or-dtype variables
   */
  public static Path restore(KerasModel model, Path prefixOrDirectory) throws IOException {
    Path prefix;
    if (Files.isDirectory(prefixOrDirectory)) {
      prefix = latest(prefixOrDirectory).orElseThrow(() -> new NoSuchFileException(prefixOrDirectory.toString(),
          null, "no complete checkpoint in this directory (no state file entry and no .index/.data pair)"));
    } else {
      prefix = prefixOrDirectory.toAbsolutePath().normalize();
    }
    return CheckpointReader.restore(model, CheckpointFiles.effective(prefix));
  }

  /**
   * Deletes the checkpoint at {@code prefix} for retention policies: its state file entry first (the latest entry
   * moves to the newest remaining one; the state file goes when none remains), then its {@code .index} (from then on
   * it is no longer a complete checkpoint), then its data file(s) and any pair an interrupted overwrite kept aside.
   * Deleting what is not there is not an error.
   *
   * @throws IOException when a file cannot be deleted; the checkpoint may then be incomplete, never half-listed
   */
  public static void delete(Path prefix) throws IOException {
    CheckpointWriter.delete(prefix);
  }

  /**
   * Complete checkpoints directly in {@code dir}, as prefixes sorted by name. Staging leftovers of interrupted
   * writes and pairs missing a file are not listed (files are not opened: a damaged file is found on restore).
   */
  public static List<Path> list(Path dir) throws IOException {
    return CheckpointFiles.list(dir.toAbsolutePath().normalize());
  }

  /**
   * The index file that holds {@code prefix}'s checkpoint: {@code prefix.index}, or, after an interrupted overwrite,
   * that of the previous pair kept aside (the one {@link #list} and restore use).
   */
  public static Path indexFile(Path prefix) {
    return CheckpointFiles.index(CheckpointFiles.effective(prefix.toAbsolutePath().normalize()));
  }

  /**
   * The newest complete checkpoint in {@code dir}: the state file's {@code model_checkpoint_path} when complete,
   * else its newest complete {@code all_model_checkpoint_paths} entry; without a usable state file, the listed
   * checkpoint with the highest trailing number ({@code ckpt-12} after {@code ckpt-9}), or the only one. Never
   * guesses from file times.
   */
  public static Optional<Path> latest(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Optional<CheckpointState> state;
    try {
      state = CheckpointState.read(abs);
    } catch (CorruptCheckpointException e) {
      state = Optional.empty();
    }
    if (state.isPresent()) {
      Path latest = CheckpointState.resolve(abs, state.get().modelCheckpointPath()).normalize();
      if (CheckpointFiles.isComplete(CheckpointFiles.effective(latest))) {
        return Optional.of(latest);
      }
      List<String> all = state.get().allModelCheckpointPaths();
      for (int i = all.size() - 1; i >= 0; i--) {
        Path p = CheckpointState.resolve(abs, all.get(i)).normalize();
        if (CheckpointFiles.isComplete(CheckpointFiles.effective(p))) {
          return Optional.of(p);
        }
      }
    }
    List<Path> complete = list(abs);
    if (complete.size() == 1) {
      return Optional.of(complete.get(0));
    }
    Path best = null;
    long bestNumber = -1;
    for (Path p : complete) {
      Matcher m = TRAILING_NUMBER.matcher(p.getFileName().toString());
      if (!m.find()) {
        return Optional.empty(); // several unnumbered checkpoints and no state file: no safe way to order them
      }
      long n = Long.parseLong(m.group(1));
      if (n > bestNumber) {
        bestNumber = n;
        best = p;
      }
    }
    return Optional.ofNullable(best);
  }

  private static final Pattern TRAILING_NUMBER = Pattern.compile("(\\d{1,18})$");
}
