package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.RegularFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * File names of one TF checkpoint ({@code <prefix>.index} + {@code <prefix>.data-00000-of-00001}) and of the copy of
 * the previous checkpoint that an overwrite keeps aside until the new one is complete.
 */
final class CheckpointFiles {
  static final String INDEX_SUFFIX = ".index";
  static final String DATA_SUFFIX = ".data-00000-of-00001";
  static final String OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";
  /**
   * Directory, next to a checkpoint being overwritten, that holds the previous pair until the new pair is in place.
   * Not a {@link DurableFiles#STAGING_PREFIX} name: a staging clean-up must never delete the only complete copy.
   */
  static final String PREVIOUS_PREFIX = ".kerasj-previous-";

  private CheckpointFiles() {}

  static Path index(Path prefix) {
    return sibling(prefix, INDEX_SUFFIX);
  }

  static Path data(Path prefix) {
    return sibling(prefix, DATA_SUFFIX);
  }

  /** Data shard {@code shard} of {@code numShards}: {@code prefix.data-0000S-of-0000N}, as TensorFlow names it. */
  static Path data(Path prefix, int shard, int numShards) {
    return sibling(prefix, String.format(java.util.Locale.ROOT, ".data-%05d-of-%05d", shard, numShards));
  }

  private static Path sibling(Path prefix, String suffix) {
    return prefix.resolveSibling(prefix.getFileName() + suffix);
  }

  /**
   * Throws unless {@code prefix.index} is a regular file: {@link NoSuchFileException} when nothing is there, a
   * {@link dev.kerasj.saving.CorruptCheckpointException} saying what is there instead (a FIFO, a directory ...).
   */
  static void requireIndex(Path prefix) throws NoSuchFileException {
    Path index = index(prefix);
    RegularFiles.require(index);
    if (!Files.isRegularFile(index)) {
      throw new NoSuchFileException(index.toString(), null, "no TF checkpoint at prefix " + prefix);
    }
  }

  /** Where an overwrite of {@code prefix} keeps the previous pair: {@code <dir>/.kerasj-previous-<name>/<name>}. */
  static Path previous(Path prefix) {
    String name = prefix.getFileName().toString();
    return prefix.resolveSibling(PREVIOUS_PREFIX + name).resolve(name);
  }

  /**
   * The index and its data exist (their content is checked by TensorFlow's checksums when read). kerasj writes one
   * data shard; a checkpoint sharded elsewhere ({@code .data-00000-of-00002} ...) counts when its first shard exists.
   */
  static boolean isComplete(Path prefix) {
    return Files.isRegularFile(index(prefix)) && hasData(prefix);
  }

  /** Whether {@code prefix.data-00000-of-NNNNN} exists for some shard count. */
  static boolean hasData(Path prefix) {
    if (Files.isRegularFile(data(prefix))) {
      return true;
    }
    Path dir = prefix.toAbsolutePath().getParent();
    String glob = escapeGlob(prefix.getFileName().toString()) + ".data-00000-of-*";
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(dir, glob)) {
      return shards.iterator().hasNext();
    } catch (IOException e) {
      return false;
    }
  }

  private static String escapeGlob(String s) {
    return s.replaceAll("([*?\\[\\]{}\\\\])", "\\\\$1");
  }

  /**
   * The prefix to read for {@code prefix}: itself when complete, else the previous pair an interrupted overwrite
   * left aside, else {@code prefix} itself (so the caller reports what is missing there).
   */
  static Path effective(Path prefix) {
    if (Files.isRegularFile(index(prefix))) {
      return prefix;
    }
    Path previous = previous(prefix);
    return isComplete(previous) ? previous : prefix;
  }

  /**
   * Complete checkpoints directly in {@code dir}, by prefix, sorted by name; staging leftovers and pairs missing a
   * file are skipped, and a checkpoint whose overwrite was interrupted is listed under its own prefix when its
   * previous pair survives.
   */
  static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (DurableFiles.isStaging(p)) {
          continue;
        }
        if (name.endsWith(INDEX_SUFFIX) && Files.isRegularFile(p)) {
          Path prefix = dir.resolve(name.substring(0, name.length() - INDEX_SUFFIX.length()));
          if (isComplete(prefix)) {
            out.add(prefix);
          }
        } else if (name.startsWith(PREVIOUS_PREFIX) && Files.isDirectory(p)) {
          Path prefix = dir.resolve(name.substring(PREVIOUS_PREFIX.length()));
          if (!Files.exists(index(prefix)) && isComplete(previous(prefix))) {
            out.add(prefix);
          }
        }
      }
    }
    out.sort(null);
    return out;
  }
}
