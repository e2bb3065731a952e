package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.RegularFiles;
import dev.kerasj.saving.Sha256Manifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * TensorFlow's {@code checkpoint} state file: a text-format {@code CheckpointState} proto next to the checkpoints,
 * which Python's {@code tf.train.latest_checkpoint(dir)} and {@code tf.train.CheckpointManager} read.
 *
 * <pre>
 * model_checkpoint_path: "ckpt-3"
 * all_model_checkpoint_paths: "ckpt-2"
 * all_model_checkpoint_paths: "ckpt-3"
 * all_model_checkpoint_timestamps: 1732838000.25
 * all_model_checkpoint_timestamps: 1732838060.5
 * last_preserved_timestamp: 1732838000.25
 * </pre>
 *
 * Paths are written relative to the directory (as {@code CheckpointManager} does), so the directory can be moved.
 * kerasj ends the file with a comment holding the SHA-256 of the lines before it ({@link #CHECKSUM_COMMENT}),
 * checked when present.
 *
 * @param modelCheckpointPath the latest checkpoint's prefix
 * @param allModelCheckpointPaths every retained checkpoint, oldest first, ending with the latest
 * @param allModelCheckpointTimestamps seconds since the epoch, one per path (may be empty in files from elsewhere)
 * @param lastPreservedTimestamp seconds since the epoch, or null when absent
 */
public record CheckpointState(String modelCheckpointPath, List<String> allModelCheckpointPaths,
    List<Double> allModelCheckpointTimestamps, Double lastPreservedTimestamp) {
  /** The state file's name, as TensorFlow names it. */
  public static final String FILE_NAME = dev.kerasj.saving.FileFormat.TF_CHECKPOINT_STATE_FILE;

  public CheckpointState {
    allModelCheckpointPaths = List.copyOf(allModelCheckpointPaths);
    allModelCheckpointTimestamps = List.copyOf(allModelCheckpointTimestamps);
  }

  /**
   * The state file in {@code dir}, or empty when there is none; unparsable content, a path that is not a valid
   * path (a NUL byte ...) and a state file that is not a regular file (a FIFO, which would block the reader forever,
   * a directory ...) are corrupt.
   */
  public static Optional<CheckpointState> read(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    String text;
    try {
      RegularFiles.require(file);
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    return Optional.of(parse(text, file));
  }

  /** Replaces the state file in {@code dir} atomically and durably ({@link DurableFiles#writeAtomically}). */
  public void write(Path dir) throws IOException {
    DurableFiles.writeAtomically(dir.resolve(FILE_NAME), toText().getBytes(StandardCharsets.ISO_8859_1));
  }

  /** {@code path} resolved against {@code dir} when relative, as {@code tf.train.latest_checkpoint} does. */
  public static Path resolve(Path dir, String path) {
    Path p = Path.of(path);
    return p.isAbsolute() ? p : dir.resolve(p);
  }

  /** The text-format proto, one field per line, strings C-escaped as protobuf's text format writes them. */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    sb.append("model_checkpoint_path: ").append(quote(modelCheckpointPath)).append('\n');
    for (String p : allModelCheckpointPaths) {
      sb.append("all_model_checkpoint_paths: ").append(quote(p)).append('\n');
    }
    for (Double t : allModelCheckpointTimestamps) {
      sb.append("all_model_checkpoint_timestamps: ").append(number(t)).append('\n');
    }
    if (lastPreservedTimestamp != null) {
      sb.append("last_preserved_timestamp: ").append(number(lastPreservedTimestamp)).append('\n');
    }
    String digest = sha256(sb.toString());
    sb.append(CHECKSUM_COMMENT).append(digest).append('\n');
    return sb.toString();
  }

  /**
   * kerasj's last line: the SHA-256 of every byte before it, as a text-format comment (which TensorFlow's and
   * Python's parsers skip). A changed byte (a path pointing at another checkpoint) is then an error, not a silently
   * different resume point. Files without it (TensorFlow's, earlier kerasj's) are read as before.
   */
  static final String CHECKSUM_COMMENT = "# kerasj-sha256: ";

  private static String sha256(String text) {
    return java.util.HexFormat.of().formatHex(Sha256Manifest.newDigest().digest(
        text.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /** Parses a text-format {@code CheckpointState}; unknown fields are skipped. */
  public static CheckpointState parse(String text, Path file) {
    String latest = null;
    List<String> paths = new ArrayList<>();
    List<Double> times = new ArrayList<>();
    Double preserved = null;
    int lineNo = 0;
    int offset = 0;
    String checked = null;
    for (String raw : text.split("\n", -1)) {
      lineNo++;
      int lineStart = offset;
      offset += raw.length() + 1;
      String line = raw.strip();
      if (checked != null && !line.isEmpty()) {
        throw new CorruptCheckpointException(file, "Checkpoint state file " + file + " has line " + lineNo
            + " after kerasj's checksum line, which must be the last");
      }
      if (raw.startsWith(CHECKSUM_COMMENT)) {
        checked = raw.substring(CHECKSUM_COMMENT.length()).strip();
        String actual = sha256(text.substring(0, lineStart));
        if (!actual.equals(checked)) {
          throw new CorruptCheckpointException(file, "Checkpoint state file " + file + " is damaged or was changed "
              + "after kerasj wrote it: its lines hash to sha256 " + actual + ", its last line records " + checked);
        }
        continue;
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw corrupt(file, lineNo, raw);
      }
      String key = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      try {
        switch (key) {
          case "model_checkpoint_path" -> latest = checkPath(unquote(value));
          case "all_model_checkpoint_paths" -> paths.add(checkPath(unquote(value)));
          case "all_model_checkpoint_timestamps" -> times.add(Double.parseDouble(value));
          case "last_preserved_timestamp" -> preserved = Double.parseDouble(value);
          default -> { } // a field from a newer TensorFlow
        }
      } catch (IllegalArgumentException e) {
        throw corrupt(file, lineNo, raw);
      }
    }
    if (latest == null) {
      throw new CorruptCheckpointException(file, "Checkpoint state file " + file + " has no model_checkpoint_path");
    }
    // TensorFlow always lists the latest checkpoint last (generate_checkpoint_state_proto appends it), and so does
    // kerasj: a file that disagrees was damaged, possibly where a checksum line would have said so.
    if (!paths.isEmpty() && !paths.get(paths.size() - 1).equals(latest)) {
      throw new CorruptCheckpointException(file, "Checkpoint state file " + file + " is damaged: model_checkpoint_path "
          + printable(quote(latest)) + " is not the last of all_model_checkpoint_paths (" + printable(
          quote(paths.get(paths.size() - 1))) + "), as TensorFlow writes it");
    }
    return new CheckpointState(latest, paths, times, preserved);
  }

  /** A path {@link #resolve} can take; {@link InvalidPathException} is an {@link IllegalArgumentException}. */
  private static String checkPath(String path) {
    Path.of(path);
    return path;
  }

  private static CorruptCheckpointException corrupt(Path file, int lineNo, String line) {
    return new CorruptCheckpointException(file, "Checkpoint state file " + file + " is not a text-format "
        + "CheckpointState: line " + lineNo + " reads '" + printable(line) + "'. Delete it; kerasj rewrites it on the "
        + "next save");
  }

  /** {@code s} with control characters (a NUL ...) as {@code \xNN}, so that the message stays one printable line. */
  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars().forEach(c -> sb.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c)));
    return sb.toString();
  }

  private static String number(double d) {
    return BigDecimal.valueOf(d).toPlainString();
  }

  /** Protobuf text-format string: UTF-8 bytes, printable ASCII as is, the rest as octal escapes. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '"' -> sb.append("\\\"");
        case '\'' -> sb.append("\\'");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            sb.append((char) c);
          } else {
            sb.append(String.format("\\%03o", c));
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** Reverses {@link #quote} (also accepts single quotes and {@code \xHH} escapes, as protobuf does). */
  static String unquote(String v) {
    if (v.length() < 2 || (v.charAt(0) != '"' && v.charAt(0) != '\'') || v.charAt(v.length() - 1) != v.charAt(0)) {
      throw new IllegalArgumentException("not a quoted string: " + v);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 1; i < v.length() - 1; i++) {
      char c = v.charAt(i);
      if (c != '\\') {
        out.write(c & 0xff); // the file was read as ISO-8859-1: one char per byte
        continue;
      }
      char e = v.charAt(++i);
      switch (e) {
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case '"', '\'', '\\', '?' -> out.write(e);
        case 'x' -> {
          int end = i + 1;
          while (end < v.length() - 1 && end < i + 3 && Character.digit(v.charAt(end), 16) >= 0) {
            end++;
          }
          out.write(Integer.parseInt(v.substring(i + 1, end), 16));
          i = end - 1;
        }
        default -> {
          if (e < '0' || e > '7') {
            throw new IllegalArgumentException("bad escape \\" + e);
          }
          int end = i;
          while (end < v.length() - 1 && end < i + 3 && v.charAt(end) >= '0' && v.charAt(end) <= '7') {
            end++;
          }
          out.write(Integer.parseInt(v.substring(i, end), 8));
          i = end - 1;
        }
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
