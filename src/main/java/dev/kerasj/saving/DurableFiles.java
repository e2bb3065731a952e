package dev.kerasj.saving;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * The durable-write protocol every kerasj writer goes through (DESIGN.md section 5): stage under a temporary name
 * inside the destination directory, write and fsync everything, rename into place atomically, fsync the parent.
 * A crash at any moment leaves either the previous file or the new one, plus at most a staging leftover whose name
 * starts with {@value #STAGING_PREFIX} and which readers ignore.
 *
 * <p>Failures are never swallowed: every method throws {@link IOException} naming the path.
 */
public final class DurableFiles {
  /** Prefix of staging names; a reader never takes such an entry for a checkpoint. */
  public static final String STAGING_PREFIX = ".kerasj-staging-";

  private DurableFiles() {}

  /** Atomically replaces (or creates) {@code target} with {@code content}, durably. */
  public static void writeAtomically(Path target, byte[] content) throws IOException {
    Path parent = parentOf(target);
    Files.createDirectories(parent);
    Path tmp = parent.resolve(STAGING_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      moveAtomically(tmp, target);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    fsyncDirectory(parent);
  }

  /** Creates a fresh staging directory inside {@code parent} (created if needed). */
  public static Path createStagingDirectory(Path parent, String purpose) throws IOException {
    Files.createDirectories(parent);
    return Files.createDirectory(parent.resolve(STAGING_PREFIX + purpose + "-" + UUID.randomUUID()));
  }

  /** Fsyncs every regular file and directory under {@code root}, then {@code root} itself. */
  public static void syncTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          fsyncFile(file);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        fsyncDirectory(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Renames {@code source} to {@code target} atomically (same file system; a staging name inside the destination
   * directory guarantees that) and fsyncs the target's parent. An existing regular file is replaced atomically;
   * an existing directory must be moved aside by the caller first (POSIX cannot replace a non-empty directory).
   */
  public static void commit(Path source, Path target) throws IOException {
    moveAtomically(source, target);
    fsyncDirectory(parentOf(target));
  }

  /** Fsyncs one regular file's content and metadata. */
  public static void fsyncFile(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** Fsyncs a directory, so that renames and creations inside it survive a power cut. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }


  /** Whether a path is a staging leftover that readers must ignore. */
  public static boolean isStaging(Path p) {
    return p.getFileName() != null && p.getFileName().toString().startsWith(STAGING_PREFIX);
  }

  /** Deletes staging leftovers of an interrupted write directly inside {@code dir}. */
  public static void deleteStagingLeftovers(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> isStaging(p))) {
      for (Path p : entries) {
        deleteRecursively(p);
      }
    }
  }

  /** Deletes a file or a directory tree; absent paths are fine. */
  public static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(p, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("Cannot rename " + source + " to " + target + " atomically (different file systems?); "
          + "refusing a non-atomic copy that a crash could leave half-written", e);
    }
  }

  private static Path parentOf(Path p) {
    Path parent = p.toAbsolutePath().getParent();
    if (parent == null) {
      throw new IllegalArgumentException("Expected a file path with a parent directory. Received: " + p);
    }
    return parent;
  }
}
