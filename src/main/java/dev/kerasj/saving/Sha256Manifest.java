package dev.kerasj.saving;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SHA-256 manifest of the files kerasj writes into a directory, in {@code sha256sum}'s format (so
 * {@code cd <dir> && sha256sum -c <manifest>} checks it too): one line per file, {@code <64 hex>  <relative path>}.
 *
 * <p>Formats whose files carry no checksum of their own (a SavedModel's {@code saved_model.pb} and JSON assets, a
 * backup's state JSON) are written with one, as the last file inside the durable-write protocol, and checked by
 * every loader and by {@code kerasj verify}: a flipped byte in a config ({@code relu} → {@code selu}) or in the
 * recorded epoch is a {@link CorruptCheckpointException}, never a silently different model or resume. Files written
 * by Python or by an earlier kerasj have no manifest; {@link #check} reports that as such, not as "OK".
 *
 * <pre>{@code
 * Sha256Manifest.write(dir, dir.resolve("assets/kerasj.sha256"), List.of(Path.of("saved_model.pb"), ...));
 * Sha256Manifest.require(dir, dir.resolve("assets/kerasj.sha256"));   // throws on the first bad file
 * }</pre>
 */
public final class Sha256Manifest {
  /** The manifest's file name wherever kerasj writes one. */
  public static final String FILE_NAME = "kerasj.sha256";
  /** Largest manifest read: a few hundred lines are plenty; anything larger is not kerasj's. */
  static final long MAX_MANIFEST_BYTES = 1 << 20;
  /** A digest, two spaces, a path of printable ASCII (kerasj writes no other names). */
  private static final Pattern LINE = Pattern.compile("([0-9a-f]{64})  ([\\x21-\\x7e][\\x20-\\x7e]*)");

  /** What one listed file turned out to be. */
  public enum Status { OK, MISMATCH, MISSING, NOT_A_REGULAR_FILE }

  /**
   * @param file the file's path (resolved against the directory)
   * @param detail for a mismatch, both digests
   */
  public record FileCheck(Path file, Status status, String detail) {}

  private Sha256Manifest() {}

  /**
   * Hashes {@code files} (relative to {@code root}) and writes the manifest to {@code manifest} (not fsynced: the
   * caller's durable-write protocol syncs the directory tree it belongs to).
   */
  public static void write(Path root, Path manifest, List<Path> files) throws IOException {
    StringBuilder out = new StringBuilder();
    for (Path relative : files) {
      if (relative.isAbsolute() || relative.normalize().startsWith("..")) {
        throw new IllegalArgumentException("Manifest entries are relative to " + root + ". Received: " + relative);
      }
      out.append(digest(root.resolve(relative))).append("  ")
          .append(relative.toString().replace('\\', '/')).append('\n');
    }
    Files.writeString(manifest, out.toString(), StandardCharsets.US_ASCII);
  }

  /**
   * Checks every file the manifest lists, or empty when there is no manifest (a file set kerasj did not write, or an
   * earlier kerasj wrote).
   *
   * @throws CorruptCheckpointException the manifest itself is not a regular file, too large, or malformed
   */
  public static Optional<List<FileCheck>> check(Path root, Path manifest) throws IOException {
    if (!Files.exists(manifest, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    List<FileCheck> out = new ArrayList<>();
    for (Map.Entry<Path, String> e : read(root, manifest).entrySet()) {
      Path file = e.getKey();
      if (!Files.exists(file)) {
        out.add(new FileCheck(file, Status.MISSING, "listed in " + manifest + " but not there"));
      } else if (!Files.isRegularFile(file)) {
        out.add(new FileCheck(file, Status.NOT_A_REGULAR_FILE, RegularFiles.notRegular(file)));
      } else {
        String actual = digest(file);
        out.add(actual.equals(e.getValue()) ? new FileCheck(file, Status.OK, "sha256 matches")
            : new FileCheck(file, Status.MISMATCH, "sha256 is " + actual + ", " + manifest.getFileName()
                + " records " + e.getValue()));
      }
    }
    return Optional.of(out);
  }

  /**
   * Like {@link #check}, throwing at the first file that does not match; true when a manifest was checked, false
   * when there is none.
   *
   * @throws CorruptCheckpointException naming the file and both digests
   */
  public static boolean require(Path root, Path manifest) throws IOException {
    Optional<List<FileCheck>> checks = check(root, manifest);
    if (checks.isEmpty()) {
      return false;
    }
    for (FileCheck c : checks.get()) {
      if (c.status() != Status.OK) {
        throw new CorruptCheckpointException(c.file(), c.file() + " is damaged or was changed after kerasj wrote "
            + "it: " + c.detail());
      }
    }
    return true;
  }

  /**
   * Checks only {@code files} (relative to {@code root}), each of which the manifest must list: for a reader that
   * needs a few small files of a large set (a SavedModel's training state without its weights). True when a manifest
   * was checked, false when there is none.
   *
   * @throws CorruptCheckpointException a file that does not match or that the manifest does not list
   */
  public static boolean requireFiles(Path root, Path manifest, List<Path> files) throws IOException {
    if (!Files.exists(manifest, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Map<Path, String> listed = read(root, manifest);
    for (Path relative : files) {
      Path file = root.toAbsolutePath().normalize().resolve(relative).normalize();
      String recorded = listed.get(file);
      if (recorded == null) {
        throw new CorruptCheckpointException(manifest, manifest + " is damaged: it does not list " + relative);
      }
      String actual = digest(file);
      if (!actual.equals(recorded)) {
        throw new CorruptCheckpointException(file, file + " is damaged or was changed after kerasj wrote it: sha256 "
            + "is " + actual + ", " + manifest.getFileName() + " records " + recorded);
      }
    }
    return true;
  }

  /** The listed files, resolved against {@code root}, with their recorded digests. */
  static Map<Path, String> read(Path root, Path manifest) throws IOException {
    if (!Files.isRegularFile(manifest)) {
      throw new CorruptCheckpointException(manifest, RegularFiles.notRegular(manifest) + " (a kerasj SHA-256 "
          + "manifest)");
    }
    long size = Files.size(manifest);
    if (size > MAX_MANIFEST_BYTES) {
      throw new CorruptCheckpointException(manifest, manifest + " is " + size + " bytes; a kerasj SHA-256 manifest "
          + "is at most " + MAX_MANIFEST_BYTES);
    }
    Map<Path, String> out = new LinkedHashMap<>();
    String[] lines = new String(Files.readAllBytes(manifest), StandardCharsets.US_ASCII).split("\n", -1);
    Path base = root.toAbsolutePath().normalize();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty() && i == lines.length - 1) {
        continue;
      }
      Matcher m = LINE.matcher(lines[i]);
      Path file = null;
      if (m.matches()) {
        try {
          file = base.resolve(m.group(2)).normalize();
        } catch (java.nio.file.InvalidPathException e) {
          file = null;
        }
      }
      if (file == null || !file.startsWith(base) || file.equals(base)) {
        throw new CorruptCheckpointException(manifest, manifest + " is damaged: line " + (i + 1) + " is not '<64 hex "
            + "digits>  <path inside " + root + ">'. Found: " + abbreviate(lines[i]));
      }
      out.put(file, m.group(1));
    }
    return out;
  }

  /** SHA-256 of a file's bytes, streamed (the file is never held in memory). */
  public static String digest(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    if (!Files.isRegularFile(file)) {
      throw new CorruptCheckpointException(file, RegularFiles.notRegular(file));
    }
    MessageDigest sha = newDigest();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** A fresh SHA-256 digest: every kerasj checksum (manifests, the state file's line, .weights.h5) is SHA-256. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("This JVM has no SHA-256", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 100 ? s : s.substring(0, 97) + "...";
  }
}
