package dev.kerasj.saving.savedmodel;

import dev.kerasj.saving.DurableFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * How a SavedModel directory is put in place and replaced without a moment where no complete model exists.
 *
 * <p>A POSIX rename cannot replace a non-empty directory, so replacing takes three renames, each followed by an
 * fsync of the parent:
 * <ol>
 *   <li>the new model is written and fsynced under a staging name ({@code .kerasj-staging-savedmodel-<name>-<uuid>},
 *       which readers ignore);
 *   <li>the old directory is renamed to {@code .kerasj-previous-<name>-<uuid>};
 *   <li>the staging directory is renamed to {@code <name>};
 *   <li>the previous directory is deleted.
 * </ol>
 * A crash between 2 and 3 leaves no {@code <name>}, but the previous model complete under its {@code previous}
 * name: {@link SavedModelLoader} then loads that copy, and the next write of {@code <name>} renames it back first
 * (rolls back) before it starts. The previous name deliberately does not start with
 * {@link DurableFiles#STAGING_PREFIX}, so a sweep of staging leftovers never deletes the only complete copy.
 *
 * <p>One writer per target directory at a time (as with every kerasj checkpoint).
 */
final class SavedModelDirectory {
  static final String PREVIOUS_PREFIX = ".kerasj-previous-";
  private static final String STAGING_PURPOSE = "savedmodel-";

  private SavedModelDirectory() {}

  /** A fresh staging directory next to {@code target}, after finishing any interrupted replace of it. */
  static Path prepare(Path target) throws IOException {
    Path dir = target.toAbsolutePath().normalize();
    Path parent = dir.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("Expected a SavedModel directory below some parent. Received: " + target);
    }
    Files.createDirectories(parent);
    recover(dir);
    for (Path stale : siblings(dir, DurableFiles.STAGING_PREFIX + STAGING_PURPOSE)) {
      DurableFiles.deleteRecursively(stale); // our own leftovers from a write that died
    }
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      checkReplaceable(dir);
    }
    return DurableFiles.createStagingDirectory(parent, STAGING_PURPOSE + dir.getFileName());
  }

  /** Renames the complete, fsynced {@code staging} to {@code target}, replacing an existing model as documented. */
  static void commit(Path staging, Path target) throws IOException {
    Path dir = target.toAbsolutePath().normalize();
    Path parent = dir.getParent();
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      DurableFiles.commit(staging, dir);
      return;
    }
    checkReplaceable(dir);
    Path previous = parent.resolve(PREVIOUS_PREFIX + dir.getFileName() + "-" + UUID.randomUUID());
    Files.move(dir, previous, StandardCopyOption.ATOMIC_MOVE);
    DurableFiles.fsyncDirectory(parent);
    try {
      DurableFiles.commit(staging, dir);
    } catch (IOException | RuntimeException e) {
      try {
        Files.move(previous, dir, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(parent);
      } catch (IOException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    }
    DurableFiles.deleteRecursively(previous);
    DurableFiles.fsyncDirectory(parent);
  }

  /**
   * Finishes an interrupted replace: with {@code target} present, previous copies are leftovers and are deleted;
   * without it, the single previous copy is renamed back.
   */
  static void recover(Path target) throws IOException {
    List<Path> previous = siblings(target, PREVIOUS_PREFIX);
    if (previous.isEmpty()) {
      return;
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      for (Path p : previous) {
        DurableFiles.deleteRecursively(p);
      }
    } else if (previous.size() == 1) {
      Files.move(previous.get(0), target, StandardCopyOption.ATOMIC_MOVE);
    } else {
      throw new IOException("Cannot tell which of " + previous + " is the model " + target + " was before an "
          + "interrupted replace; keep the one you want, rename it to " + target.getFileName() + " and delete the others");
    }
    DurableFiles.fsyncDirectory(target.getParent());
  }

  /** The directory to read for {@code target}: itself, or the previous copy an interrupted replace left. */
  static Path resolveForReading(Path target) throws IOException {
    Path dir = target.toAbsolutePath().normalize();
    if (Files.exists(dir)) {
      return dir;
    }
    List<Path> previous = dir.getParent() == null ? List.of() : siblings(dir, PREVIOUS_PREFIX);
    if (previous.size() == 1) {
      return previous.get(0);
    }
    throw new NoSuchFileException(dir.toString(), null, previous.isEmpty()
        ? "no SavedModel directory there"
        : "no SavedModel directory there, and several copies left by interrupted replaces: " + previous);
  }

  /** Refuses to replace anything that is not a SavedModel directory (or an empty one): never delete user data. */
  private static void checkReplaceable(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("Cannot write a SavedModel to " + dir + ": it exists and is not a directory");
    }
    boolean empty;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      empty = !entries.iterator().hasNext();
    }
    if (!empty && !Files.exists(dir.resolve("saved_model.pb"))) {
      throw new IOException("Refusing to replace " + dir + ": it is a non-empty directory without saved_model.pb, "
          + "so not a SavedModel. Choose another path or remove it yourself");
    }
  }

  /** Entries next to {@code target} named {@code prefix + <target name> + "-" + <uuid>}. */
  private static List<Path> siblings(Path target, String prefix) throws IOException {
    String start = prefix + target.getFileName() + "-";
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(target.getParent())) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.startsWith(start) && isUuid(name.substring(start.length()))) {
          out.add(p);
        }
      }
    }
    out.sort(null);
    return out;
  }

  private static boolean isUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    try {
      UUID.fromString(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
