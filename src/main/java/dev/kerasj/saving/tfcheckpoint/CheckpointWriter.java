package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.internal.ModelGraph;
import dev.kerasj.models.KerasModel;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Writes one checkpoint through the durable-write protocol (DESIGN.md section 5); see {@link TfCheckpoint#write} for
 * the guarantees. The order, with the state on disk after each step:
 *
 * <ol>
 *   <li>{@code SaveV2} into a staging directory inside the destination directory; fsync both files and the
 *       directory. The destination is untouched.
 *   <li>Overwrite only: hard-link the existing pair into {@code .kerasj-previous-<name>/} (staged, fsynced, renamed
 *       into place), then delete the old {@code .index}. The prefix now has no index, which readers see as "not
 *       there" and for which they use the previous pair.
 *   <li>Rename {@code .data} into place, fsync the directory; then {@code .index}, fsync. The new pair is complete.
 *   <li>Delete the previous pair and the staging directory; update the {@code checkpoint} state file atomically.
 * </ol>
 */
final class CheckpointWriter {
  /**
   * Points of the protocol, in order; tests make {@link #hook} fail at one to simulate a crash there.
   * {@code STAGING_CREATED} is before {@code SaveV2} reads the values (tests of asynchronous saving block there).
   */
  enum Stage {
    STAGING_CREATED, STAGED, PREVIOUS_KEPT, OLD_INDEX_REMOVED, DATA_COMMITTED, INDEX_COMMITTED, STATE_WRITTEN
  }

  /** Called after each stage; throwing from it aborts the write as a crash would (without any clean-up). */
  interface Hook {
    void reached(Stage stage) throws IOException;
  }

  static volatile Hook hook = stage -> { };

  private CheckpointWriter() {}

  /** Writes the two files of a checkpoint at a staging prefix (TensorFlow's {@code SaveV2}). */
  @FunctionalInterface
  interface StagedSave {
    void saveTo(Path staged);
  }

  /** Writes the model's variables, read in the model's own session. */
  static Path write(KerasModel model, Path prefix) throws IOException {
    checkPrefix(prefix);
    CheckpointSaver saver = CheckpointSaver.of(model);
    ModelGraph graph = model.graphForInternalUse();
    return write(prefix, staged -> saver.save(graph, staged));
  }

  /** Runs the durable protocol around {@code save}; the model is not touched, so any thread may call it. */
  static Path write(Path prefix, StagedSave save) throws IOException {
    Path target = checkPrefix(prefix);
    Path dir = target.getParent();
    String name = target.getFileName().toString();
    Files.createDirectories(dir);
    Path staging = DurableFiles.createStagingDirectory(dir, "tfckpt");
    try {
      Path staged = staging.resolve(name);
      hook.reached(Stage.STAGING_CREATED);
      try {
        save.saveTo(staged);
      } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException e) {
        throw new IOException("Could not write checkpoint " + target + ": TensorFlow's SaveV2 failed writing into "
            + staging + ": " + e.getMessage(), e);
      }
      DurableFiles.syncTree(staging);
      hook.reached(Stage.STAGED);
      if (Files.exists(CheckpointFiles.index(target))) {
        if (Files.isRegularFile(CheckpointFiles.data(target))) { // else there is no complete pair to keep
          keepPrevious(target);
        }
        hook.reached(Stage.PREVIOUS_KEPT);
        Files.delete(CheckpointFiles.index(target));
        DurableFiles.fsyncDirectory(dir);
        hook.reached(Stage.OLD_INDEX_REMOVED);
      }
      DurableFiles.commit(CheckpointFiles.data(staged), CheckpointFiles.data(target));
      hook.reached(Stage.DATA_COMMITTED);
      DurableFiles.commit(CheckpointFiles.index(staged), CheckpointFiles.index(target));
      hook.reached(Stage.INDEX_COMMITTED);
    } catch (IOException | RuntimeException e) {
      if (!(e instanceof SimulatedCrash)) {
        deleteQuietly(staging, e);
      }
      throw e;
    }
    Path previousDir = CheckpointFiles.previous(target).getParent();
    DurableFiles.deleteRecursively(previousDir);
    DurableFiles.deleteRecursively(staging);
    DurableFiles.fsyncDirectory(dir);
    updateState(dir, name);
    hook.reached(Stage.STATE_WRITTEN);
    return target;
  }

  /** An exception a test hook throws to stop the protocol as a crash would: nothing is cleaned up after it. */
  static final class SimulatedCrash extends IOException {
    SimulatedCrash(Stage stage) {
      super("simulated crash after " + stage);
    }
  }

  static Path checkPrefix(Path prefix) {
    if (prefix == null || prefix.getFileName() == null) {
      throw new IllegalArgumentException("Expected a checkpoint prefix such as dir/ckpt. Received: " + prefix);
    }
    String name = prefix.getFileName().toString();
    if (name.isEmpty() || name.startsWith(DurableFiles.STAGING_PREFIX)
        || name.startsWith(CheckpointFiles.PREVIOUS_PREFIX) || name.equals(CheckpointState.FILE_NAME)
        || name.endsWith(CheckpointFiles.INDEX_SUFFIX) || name.contains(".data-")) {
      throw new IllegalArgumentException("Expected a checkpoint prefix such as dir/ckpt (without .index or .data "
          + "suffix, not a name kerasj reserves). Received: " + prefix);
    }
    return prefix.toAbsolutePath().normalize();
  }

  /**
   * Makes {@code .kerasj-previous-<name>/<name>.*} a complete copy of the pair at {@code target}, by hard links
   * (a copy where the file system has none). Appears atomically: staged, then renamed into place.
   */
  private static void keepPrevious(Path target) throws IOException {
    Path previous = CheckpointFiles.previous(target);
    DurableFiles.deleteRecursively(previous.getParent());
    Path dir = target.getParent();
    Path stage = DurableFiles.createStagingDirectory(dir, "previous");
    Path staged = stage.resolve(target.getFileName());
    link(CheckpointFiles.data(target), CheckpointFiles.data(staged));
    link(CheckpointFiles.index(target), CheckpointFiles.index(staged));
    DurableFiles.syncTree(stage);
    DurableFiles.commit(stage, previous.getParent());
  }

  private static void link(Path existing, Path link) throws IOException {
    try {
      Files.createLink(link, existing);
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(existing, link, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  /** Adds {@code name} as the latest checkpoint of {@code dir}'s state file, keeping the complete older entries. */
  private static void updateState(Path dir, String name) throws IOException {
    Optional<CheckpointState> old;
    try {
      old = CheckpointState.read(dir);
    } catch (CorruptCheckpointException e) {
      old = Optional.empty(); // an unreadable state file is replaced; the checkpoints themselves are intact
    }
    double now = System.currentTimeMillis() / 1000.0;
    List<String> paths = new ArrayList<>();
    List<Double> times = new ArrayList<>();
    Double preserved = now;
    if (old.isPresent()) {
      CheckpointState s = old.get();
      boolean timed = s.allModelCheckpointTimestamps().size() == s.allModelCheckpointPaths().size();
      for (int i = 0; i < s.allModelCheckpointPaths().size(); i++) {
        String p = s.allModelCheckpointPaths().get(i);
        Path resolved = CheckpointState.resolve(dir, p).normalize();
        if (resolved.equals(dir.resolve(name)) || !CheckpointFiles.isComplete(CheckpointFiles.effective(resolved))) {
          continue;
        }
        Path index = CheckpointFiles.index(CheckpointFiles.effective(resolved));
        paths.add(p);
        times.add(timed ? s.allModelCheckpointTimestamps().get(i)
            : Files.getLastModifiedTime(index).toMillis() / 1000.0); // only informative; never used for ordering
      }
      if (s.lastPreservedTimestamp() != null) {
        preserved = s.lastPreservedTimestamp();
      }
    }
    paths.add(name);
    times.add(now);
    new CheckpointState(name, paths, times, preserved).write(dir);
  }

  /**
   * Deletes the checkpoint at {@code prefix}: first its entry in the state file (so no reader is sent to it), then
   * its index (so it stops being complete), then its data and any kept-aside previous pair.
   */
  static void delete(Path prefix) throws IOException {
    Path target = checkPrefix(prefix);
    Path dir = target.getParent();
    Optional<CheckpointState> state;
    try {
      state = CheckpointState.read(dir);
    } catch (CorruptCheckpointException e) {
      state = Optional.empty();
    }
    if (state.isPresent()) {
      CheckpointState s = state.get();
      boolean timed = s.allModelCheckpointTimestamps().size() == s.allModelCheckpointPaths().size();
      List<String> paths = new ArrayList<>();
      List<Double> times = new ArrayList<>();
      for (int i = 0; i < s.allModelCheckpointPaths().size(); i++) {
        String p = s.allModelCheckpointPaths().get(i);
        if (!CheckpointState.resolve(dir, p).normalize().equals(target)) {
          paths.add(p);
          if (timed) {
            times.add(s.allModelCheckpointTimestamps().get(i));
          }
        }
      }
      boolean latestDeleted = CheckpointState.resolve(dir, s.modelCheckpointPath()).normalize().equals(target);
      if (latestDeleted && paths.isEmpty()) {
        Files.delete(dir.resolve(CheckpointState.FILE_NAME));
        DurableFiles.fsyncDirectory(dir);
      } else if (paths.size() != s.allModelCheckpointPaths().size() || latestDeleted) {
        String latest = latestDeleted ? paths.get(paths.size() - 1) : s.modelCheckpointPath();
        new CheckpointState(latest, paths, times, s.lastPreservedTimestamp()).write(dir);
      }
    }
    Files.deleteIfExists(CheckpointFiles.index(target));
    DurableFiles.fsyncDirectory(dir);
    String dataPrefix = target.getFileName() + ".data-";
    try (var entries = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(dataPrefix))) {
      for (Path p : entries) {
        Files.delete(p);
      }
    }
    DurableFiles.deleteRecursively(CheckpointFiles.previous(target).getParent());
    DurableFiles.fsyncDirectory(dir);
  }

  private static void deleteQuietly(Path p, Exception failure) {
    try {
      DurableFiles.deleteRecursively(p);
    } catch (IOException cleanup) {
      failure.addSuppressed(cleanup);
    }
  }
}
