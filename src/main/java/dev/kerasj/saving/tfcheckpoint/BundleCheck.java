package dev.kerasj.saving.tfcheckpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.RegularFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.proto.VersionDef;

/**
 * Checks a bundle's header and entries for everything TensorFlow's {@code BundleReader} and {@code RestoreV2} would
 * CHECK-fail on (aborting the process) or allocate unchecked (a declared size becomes a {@code new char[size]}):
 * a header that parses, is little-endian and of a readable version, with a sane shard count; for each entry a
 * parsable {@code BundleEntryProto}, a known value dtype, a rank of at most {@value #MAX_RANK}, dimensions of at
 * least 0 whose product fits 64 bits, a shard that exists, offset and size inside that shard's real data file, and a
 * size that matches the shape for fixed-size dtypes. For string and variant tensors the element lengths stored in
 * the data file are walked too, so that none claims more bytes than the entry holds (TensorFlow resizes a string to
 * the stored length before checking it). Partitioned (sliced) tensors are refused.
 */
final class BundleCheck {
  /** TensorFlow's {@code TensorShape::MaxDimensions()}. */
  static final int MAX_RANK = 254;
  /**
   * Most data shards accepted (65536). TensorFlow names shards {@code %05d-of-%05d}; a header declaring more is
   * damaged, not a real checkpoint.
   */
  static final int MAX_SHARDS = 1 << 16;
  /** The bundle format version TensorFlow 2.18 reads ({@code kTensorBundleVersion}). */
  static final int BUNDLE_VERSION = 1;

  private final Path prefix;
  private final Path index;
  private int numShards;

  BundleCheck(Path prefix) {
    this.prefix = prefix;
    this.index = CheckpointFiles.index(prefix);
  }

  /** A one-line error about the index: "Checkpoint index X: {@code detail}". */
  CorruptCheckpointException corrupt(String detail) {
    return new CorruptCheckpointException(index, "Checkpoint index " + index + ": " + detail);
  }

  /** Parses and checks the header (the value of the empty key). */
  void header(byte[] value) {
    BundleHeaderProto header;
    try {
      header = BundleHeaderProto.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw corrupt("the header entry does not parse as a BundleHeaderProto (" + e.getMessage() + ")");
    }
    numShards = header.getNumShards();
    if (numShards < 1 || numShards > MAX_SHARDS) {
      throw corrupt("the header has num_shards " + numShards + "; expected 1 to " + MAX_SHARDS);
    }
    if (header.getEndiannessValue() != BundleHeaderProto.Endianness.LITTLE_VALUE) {
      throw corrupt("the header has endianness " + header.getEndianness() + " (" + header.getEndiannessValue()
          + "); kerasj reads little-endian bundles only");
    }
    VersionDef v = header.getVersion();
    if (v.getProducer() < 0 || v.getMinConsumer() > BUNDLE_VERSION
        || v.getBadConsumersList().contains(BUNDLE_VERSION)) {
      throw corrupt("the header's version (producer " + v.getProducer() + ", min_consumer " + v.getMinConsumer()
          + ", bad_consumers " + v.getBadConsumersList() + ") excludes bundle version " + BUNDLE_VERSION
          + ", the one TensorFlow " + "2.18 reads");
    }
  }

  /** Parses and checks one entry on its own (the data files come in {@link #data}). */
  BundleEntryProto entry(String key, byte[] value) {
    BundleEntryProto e;
    try {
      e = BundleEntryProto.parseFrom(value);
    } catch (InvalidProtocolBufferException ex) {
      throw corrupt("entry '" + key + "' does not parse as a BundleEntryProto (" + ex.getMessage() + ")");
    }
    int dtype = e.getDtypeValue();
    if (byteSize(dtype) == 0) {
      DataType known = DataType.forNumber(dtype);
      throw corrupt("entry '" + key + "' has " + (known == null || dtype == 0 ? "unknown dtype " + dtype
          : "dtype " + known + ", which a checkpoint never holds"));
    }
    long elements = elements(key, e.getShape());
    if (e.getSlicesCount() > 0) {
      throw corrupt("entry '" + key + "' is stored in " + e.getSlicesCount() + " slices (a partitioned variable); "
          + "kerasj reads whole tensors only");
    }
    if (e.getShardId() < 0 || e.getShardId() >= numShards) {
      throw corrupt("entry '" + key + "' has shard_id " + e.getShardId() + ", but the header declares "
          + numShards + " shard(s)");
    }
    if (e.getOffset() < 0 || e.getSize() < 0) {
      throw corrupt("entry '" + key + "' has " + (e.getOffset() < 0 ? "offset " + e.getOffset()
          : "size " + e.getSize()) + ", below 0");
    }
    checkSize(key, e, elements);
    return e;
  }

  private long elements(String key, TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      throw corrupt("entry '" + key + "' has a shape of unknown rank");
    }
    if (shape.getDimCount() > MAX_RANK) {
      throw corrupt("entry '" + key + "' has rank " + shape.getDimCount() + "; TensorFlow allows at most "
          + MAX_RANK);
    }
    long n = 1;
    for (int axis = 0; axis < shape.getDimCount(); axis++) {
      long d = shape.getDim(axis).getSize();
      if (d < 0) {
        throw corrupt("entry '" + key + "' has dimension " + d + (d == -1 ? " (unknown)" : "") + " at axis " + axis);
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException ex) {
        throw corrupt("entry '" + key + "' has shape " + dims(shape) + ", whose element count overflows 64 bits");
      }
    }
    return n;
  }

  private void checkSize(String key, BundleEntryProto e, long elements) {
    int dtype = e.getDtypeValue();
    int unit = byteSize(dtype);
    String what = BundleIndex.dtypeName(dtype) + dims(e.getShape());
    if (unit > 0) {
      long expected;
      try {
        expected = Math.multiplyExact(elements, unit);
      } catch (ArithmeticException ex) {
        throw corrupt("entry '" + key + "' is " + what + ", more than 2^63 bytes");
      }
      if (e.getSize() != expected) {
        throw corrupt("entry '" + key + "' has size " + e.getSize() + ", but a " + what + " tensor takes "
            + expected + " bytes");
      }
    } else if (e.getSize() < elements) {
      throw corrupt("entry '" + key + "' has size " + e.getSize() + ", too small for the " + elements
          + " elements of a " + what + " tensor (at least one byte each)");
    }
  }

  /**
   * Checks every entry against the data file of its shard: the file is a regular file and holds the entry's bytes;
   * string and variant lengths stay inside the entry.
   */
  void data(Map<String, BundleEntryProto> entries) {
    Map<Integer, Long> shardSizes = new TreeMap<>();
    for (Map.Entry<String, BundleEntryProto> kv : entries.entrySet()) {
      BundleEntryProto e = kv.getValue();
      Path data = CheckpointFiles.data(prefix, e.getShardId(), numShards);
      long fileSize = shardSizes.computeIfAbsent(e.getShardId(), s -> shardSize(data));
      if (e.getSize() > fileSize - e.getOffset()) {
        throw new CorruptCheckpointException(data, "Checkpoint data file " + data + " holds " + fileSize
            + " bytes, but index " + index + " places entry '" + kv.getKey() + "' at bytes [" + e.getOffset()
            + ", +" + e.getSize() + "): the data file is truncated or the index damaged");
      }
      int dtype = e.getDtypeValue();
      if ((dtype == DataType.DT_STRING_VALUE || dtype == DataType.DT_VARIANT_VALUE) && e.getSize() > 0) {
        walkElements(kv.getKey(), e, data);
      }
    }
  }

  private long shardSize(Path data) {
    if (!Files.exists(data)) {
      throw new CorruptCheckpointException(data, "Checkpoint " + prefix + " is incomplete: " + index
          + " exists but its data file " + data + " does not");
    }
    RegularFiles.require(data);
    try {
      return Files.size(data);
    } catch (IOException e) {
      throw new CorruptCheckpointException(data, "Checkpoint data file " + data + " cannot be read: " + e, e);
    }
  }

  /** Walks the stored element lengths of a string or variant tensor; none may reach past the entry's bytes. */
  private void walkElements(String key, BundleEntryProto e, Path data) {
    long n = elements(key, e.getShape());
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
      Window w = new Window(ch, e.getOffset(), e.getOffset() + e.getSize());
      boolean fits = e.getDtypeValue() == DataType.DT_STRING_VALUE ? w.stringsFit(n) : w.variantsFit(n);
      if (!fits) {
        throw new CorruptCheckpointException(data, "Checkpoint data file " + data + ": the element lengths stored "
            + "for entry '" + key + "' (" + BundleIndex.dtypeName(e.getDtypeValue()) + dims(e.getShape())
            + ") add up to more than its " + e.getSize() + " bytes: the data file or index " + index
            + " is damaged");
      }
    } catch (IOException ex) {
      throw new CorruptCheckpointException(data, "Checkpoint data file " + data + " cannot be read: " + ex, ex);
    }
  }

  private static String dims(TensorShapeProto shape) {
    return Arrays.toString(shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray());
  }

  /**
   * Bytes per element of a value dtype TensorFlow reads from a bundle, -1 for the variable-length string and variant,
   * 0 for anything else (unknown numbers, {@code DT_INVALID}, resource handles, reference dtypes).
   */
  static int byteSize(int dtype) {
    return switch (dtype) {
      case 4, 6, 10, 11, 12, 24, 25, 29, 30 -> 1; // uint8 int8 bool qint8 quint8 float8 x2 int4 uint4
      case 5, 14, 15, 16, 17, 19 -> 2;            // int16 bfloat16 qint16 quint16 uint16 half
      case 1, 3, 13, 22 -> 4;                     // float int32 qint32 uint32
      case 2, 8, 9, 23 -> 8;                      // double complex64 int64 uint64
      case 18 -> 16;                              // complex128
      case 7, 21 -> -1;                           // string, variant
      default -> 0;
    };
  }

  /** Reads varints from {@code [start, end)} of a data file through a small buffer. */
  private static final class Window {
    private final FileChannel ch;
    private final long end;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    private long bufStart = -1;
    private long pos;

    Window(FileChannel ch, long start, long end) {
      this.ch = ch;
      this.pos = start;
      this.end = end;
    }

    /** {@code [varint64 len]*n [crc32c:4] [bytes]*n}, as {@code WriteStringTensor} lays it out. */
    boolean stringsFit(long n) throws IOException {
      long total = 0;
      for (long i = 0; i < n; i++) {
        long len = varint();
        if (len < 0 || len > end - pos - total) {
          return false;
        }
        total += len;
      }
      return end - pos >= 4 + total;
    }

    /** {@code ([varint64 len] [bytes] [crc32c:4])*n}, as {@code WriteVariantTensor} lays it out. */
    boolean variantsFit(long n) throws IOException {
      for (long i = 0; i < n; i++) {
        long len = varint();
        if (len < 0 || len > end - pos - 4) {
          return false;
        }
        pos += len + 4;
      }
      return true;
    }

    /** The next varint64, or -1 when it runs past the end or beyond 63 bits. */
    private long varint() throws IOException {
      long v = 0;
      for (int shift = 0; shift < 63; shift += 7) {
        if (pos >= end) {
          return -1;
        }
        int b = byteAt(pos++);
        v |= (long) (b & 0x7f) << shift;
        if (b < 0x80) {
          return v;
        }
      }
      return -1;
    }

    private int byteAt(long p) throws IOException {
      if (bufStart < 0 || p < bufStart || p >= bufStart + buf.limit()) {
        buf.clear();
        bufStart = p;
        while (buf.hasRemaining() && ch.read(buf, bufStart + buf.position()) > 0) {
          // fill what the file holds
        }
        buf.flip();
        if (!buf.hasRemaining()) {
          throw new IOException("unexpected end of file at byte " + p);
        }
      }
      return buf.get((int) (p - bufStart)) & 0xff;
    }
  }
}
