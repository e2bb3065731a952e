package dev.kerasj.saving.tfcheckpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.saving.CorruptCheckpointException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.provider.Arguments;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Turns a sound tensor bundle into a hostile one: one entry (or the header) of its index rewritten so that
 * TensorFlow's native reader would abort the JVM or allocate what the file does not hold, re-encoded with valid block
 * checksums ({@link SsTableWriter}), so that only kerasj's checks stand between the file and TensorFlow. Shared by
 * the checkpoint, SavedModel, serving and CLI tests; also makes FIFOs.
 */
public final class HostileBundles {
  private HostileBundles() {}

  /** One hostile change and a part of the message it must produce. */
  public enum Hostile {
    NEGATIVE_DIMENSION("has dimension -3 at axis 1"),
    RANK_300("has rank 300; TensorFlow allows at most 254"),
    UNPARSABLE_ENTRY("does not parse as a BundleEntryProto"),
    OFFSET_BEYOND_DATA("the data file is truncated or the index damaged"),
    SIZE_MISMATCH("has size 7, but a float32"),
    HUGE_NUM_SHARDS("the header has num_shards 2147483647"),
    UNKNOWN_DTYPE("has unknown dtype 77");

    public final String message;

    Hostile(String message) {
      this.message = message;
    }

    /** Whether the error names the data file (the index points past its end) rather than the index. */
    public boolean blamesDataFile() {
      return this == OFFSET_BEYOND_DATA;
    }
  }

  /**
   * Rewrites the index of the bundle at {@code prefix} with {@code hostile} applied to its first float32 entry of
   * rank 2 (a kernel), or to the header.
   *
   * @return the key changed, or null when the header was
   */
  public static String apply(Path prefix, Hostile hostile) throws IOException {
    if (hostile == Hostile.HUGE_NUM_SHARDS) {
      rewriteHeader(prefix, h -> h.toBuilder().setNumShards(Integer.MAX_VALUE).build());
      return null;
    }
    String key = kernelKey(prefix);
    switch (hostile) {
      case NEGATIVE_DIMENSION -> rewriteEntry(prefix, key, e -> e.toBuilder()
          .setShape(e.getShape().toBuilder().setDim(1, TensorShapeProto.Dim.newBuilder().setSize(-3))).build());
      case RANK_300 -> rewriteEntry(prefix, key, e -> {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < 300; i++) {
          shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(1));
        }
        return e.toBuilder().setShape(shape).build();
      });
      case UNPARSABLE_ENTRY -> rewriteValue(prefix, key, new byte[] {0x0a, (byte) 0xff, (byte) 0xff, 0x7f, 0x01});
      case OFFSET_BEYOND_DATA -> rewriteEntry(prefix, key, e -> e.toBuilder()
          .setOffset(Files.size(CheckpointFiles.data(prefix)) + 1000).build());
      case SIZE_MISMATCH -> rewriteEntry(prefix, key, e -> e.toBuilder().setSize(7).build());
      case UNKNOWN_DTYPE -> rewriteEntry(prefix, key, e -> e.toBuilder().setDtypeValue(77).build());
      default -> throw new IllegalArgumentException(hostile.name());
    }
    return key;
  }

  /**
   * Applies {@code hostile} to the bundle at {@code prefix}, then asserts that {@code read} refuses it with the
   * one-line error of {@link #assertReported}.
   */
  public static CorruptCheckpointException assertRefused(Path prefix, Hostile hostile, Executable read)
      throws IOException {
    String key = apply(prefix, hostile);
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, read);
    assertReported(e, prefix, hostile, key);
    return e;
  }

  /** Every pair of a hostile change and one of {@code readers}, for a parameterized test. */
  public static Stream<Arguments> everyHostileWith(Object... readers) {
    return Arrays.stream(Hostile.values()).flatMap(h -> Arrays.stream(readers).map(r -> Arguments.of(h, r)));
  }

  /**
   * Asserts that {@code e} is the one-line error {@code hostile} must give for the bundle at {@code prefix}: it names
   * the file at fault, the key and the field.
   */
  public static void assertReported(CorruptCheckpointException e, Path prefix, Hostile hostile, String key) {
    String m = e.getMessage();
    Path file = hostile.blamesDataFile() ? CheckpointFiles.data(prefix) : CheckpointFiles.index(prefix);
    assertEquals(file, e.file(), m);
    assertTrue(m.contains(file.toString()), "names the file: " + m);
    assertTrue(m.contains(hostile.message), "says what is wrong (" + hostile.message + "): " + m);
    if (key != null) {
      assertTrue(m.contains("'" + key + "'"), "names the key " + key + ": " + m);
    }
    assertFalse(m.contains("\n"), "one line: " + m);
  }

  /** The first float32 rank-2 key of the bundle, in index order. */
  static String kernelKey(Path prefix) throws IOException {
    for (SsTable.Entry e : entries(prefix)) {
      if (e.key().length > 0) {
        BundleEntryProto p = BundleEntryProto.parseFrom(e.value());
        if (p.getDtypeValue() == 1 && p.getShape().getDimCount() == 2) {
          return new String(e.key(), StandardCharsets.UTF_8);
        }
      }
    }
    throw new IllegalStateException("no float32 rank-2 tensor in " + prefix);
  }

  static List<SsTable.Entry> entries(Path prefix) throws IOException {
    try {
      return SsTable.read(Files.readAllBytes(CheckpointFiles.index(prefix)));
    } catch (SsTable.FormatException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Replaces the serialized value of {@code key} with {@code value} and rewrites the index. */
  static void rewriteValue(Path prefix, String key, byte[] value) throws IOException {
    byte[] raw = key.getBytes(StandardCharsets.UTF_8);
    List<SsTable.Entry> out = new ArrayList<>();
    boolean found = false;
    for (SsTable.Entry e : entries(prefix)) {
      boolean hit = Arrays.equals(e.key(), raw);
      found |= hit;
      out.add(hit ? new SsTable.Entry(e.key(), value) : e);
    }
    assertTrue(found, "key " + key + " in " + prefix);
    Files.write(CheckpointFiles.index(prefix), SsTableWriter.write(out));
  }

  /** A change to one entry's proto. */
  interface EntryChange {
    BundleEntryProto apply(BundleEntryProto e) throws IOException;
  }

  static void rewriteEntry(Path prefix, String key, EntryChange change) throws IOException {
    byte[] raw = key.getBytes(StandardCharsets.UTF_8);
    for (SsTable.Entry e : entries(prefix)) {
      if (Arrays.equals(e.key(), raw)) {
        rewriteValue(prefix, key, change.apply(BundleEntryProto.parseFrom(e.value())).toByteArray());
        return;
      }
    }
    throw new IllegalStateException("no key " + key + " in " + prefix);
  }

  static void rewriteHeader(Path prefix, UnaryOperator<BundleHeaderProto> change) throws IOException {
    SsTable.Entry header = entries(prefix).get(0);
    assertEquals(0, header.key().length, "the header comes first");
    rewriteValue(prefix, "", change.apply(BundleHeaderProto.parseFrom(header.value())).toByteArray());
  }

  /** Replaces {@code file} (if any) by a FIFO that nobody writes to: opening it for reading would block forever. */
  public static void replaceWithFifo(Path file) throws IOException, InterruptedException {
    Files.deleteIfExists(file);
    Process p = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo " + file);
    assertNotNull(Files.getAttribute(file, "unix:mode"));
    assertFalse(Files.isRegularFile(file));
  }
}
