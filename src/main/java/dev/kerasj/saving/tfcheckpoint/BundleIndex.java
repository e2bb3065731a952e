package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.RegularFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The table of contents of a tensor bundle: every key with its dtype and shape, read from {@code prefix.index} in
 * Java ({@link SsTable}: block checksums, footer, entries) and checked entry by entry against what TensorFlow's
 * native reader would otherwise CHECK-fail on and abort the JVM with ({@link BundleCheck}: dtype, rank, dimensions,
 * shard, offset and size against the data files' real sizes). Once {@link #read} returns, {@code RestoreV2} and
 * {@code SavedModelBundle.load} can open the bundle safely. Tensor values are not read here.
 */
final class BundleIndex {
  /**
   * Largest index file read (256 MiB). A bundle index takes about 100 bytes per tensor, so this is millions of
   * tensors; a larger file is refused before it is loaded into memory.
   */
  static final long MAX_INDEX_BYTES = 256L << 20;

  /** One tensor of the bundle; {@code dtype} is TensorFlow's {@code DataType} number. */
  record Entry(int dtype, long[] shape) {
    String describe() {
      return dtypeName(dtype) + Arrays.toString(shape);
    }
  }

  private final Map<String, Entry> entries;

  private BundleIndex(Map<String, Entry> entries) {
    this.entries = entries;
  }

  /**
   * Reads and checks the index of the bundle at {@code prefix} and the sizes of the data files it points into.
   *
   * @throws CorruptCheckpointException naming the file, the key and the field at fault, when the index is missing,
   *     not a regular file, malformed, or describes a tensor TensorFlow cannot read; or a data file it points into
   *     is missing, not a regular file, or shorter than the index says
   */
  static BundleIndex read(Path prefix) {
    Path index = CheckpointFiles.index(prefix);
    List<SsTable.Entry> table;
    try {
      table = SsTable.read(readIndexFile(index));
    } catch (SsTable.FormatException e) {
      throw new CorruptCheckpointException(index, "Checkpoint index " + index + " is unreadable (truncated, damaged "
          + "or not a TF checkpoint): " + e.getMessage());
    }
    BundleCheck check = new BundleCheck(prefix);
    if (table.isEmpty() || table.get(0).key().length != 0) {
      throw check.corrupt("it has no header entry (the empty key that holds the BundleHeaderProto)");
    }
    check.header(table.get(0).value());
    Map<String, BundleEntryProto> parsed = new LinkedHashMap<>();
    for (SsTable.Entry e : table.subList(1, table.size())) {
      String key = key(e.key(), check);
      parsed.put(key, check.entry(key, e.value()));
    }
    check.data(parsed);
    Map<String, Entry> out = new LinkedHashMap<>();
    parsed.forEach((key, e) -> out.put(key, new Entry(e.getDtypeValue(),
        e.getShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray())));
    return new BundleIndex(out);
  }

  private static byte[] readIndexFile(Path index) {
    try {
      RegularFiles.require(index);
      long size = Files.size(index);
      if (size > MAX_INDEX_BYTES) {
        throw new CorruptCheckpointException(index, "Checkpoint index " + index + " is " + size + " bytes, more "
            + "than the " + MAX_INDEX_BYTES + " bytes kerasj reads from an index (about 100 bytes per tensor)");
      }
      return Files.readAllBytes(index);
    } catch (IOException e) {
      throw new CorruptCheckpointException(index, "Checkpoint index " + index + " cannot be read: " + e, e);
    }
  }

  /** Keys are UTF-8 (kerasj names tensors to RestoreV2 in UTF-8, and Python writes them so). */
  private static String key(byte[] raw, BundleCheck check) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
    } catch (CharacterCodingException e) {
      throw check.corrupt("a key is not UTF-8: " + Arrays.toString(Arrays.copyOf(raw, Math.min(raw.length, 32))));
    }
  }

  Entry get(String key) {
    return entries.get(key);
  }

  /** Every key, in the index's (sorted) order. */
  java.util.Set<String> keys() {
    return java.util.Collections.unmodifiableSet(entries.keySet());
  }

  boolean contains(String key) {
    return entries.containsKey(key);
  }

  /** TensorFlow's {@code DataType} number of a TF Java tensor type. */
  static int dtypeOf(Class<? extends TType> type) {
    if (type == TFloat32.class) {
      return 1;
    }
    if (type == TInt32.class) {
      return 3;
    }
    if (type == TInt64.class) {
      return 9;
    }
    if (type == TString.class) {
      return 7;
    }
    throw new IllegalArgumentException("Unsupported variable dtype " + type.getSimpleName());
  }

  /** The TF Java type of a {@code DataType} number this package reads, or null. */
  static Class<? extends TType> typeOf(int dtype) {
    return switch (dtype) {
      case 1 -> TFloat32.class;
      case 3 -> TInt32.class;
      case 9 -> TInt64.class;
      case 7 -> TString.class;
      default -> null;
    };
  }

  /** Python TensorFlow's name of a {@code DataType} number ({@code float32}, {@code int64} ...). */
  static String dtypeName(int dtype) {
    return switch (dtype) {
      case 1 -> "float32";
      case 2 -> "float64";
      case 3 -> "int32";
      case 4 -> "uint8";
      case 5 -> "int16";
      case 6 -> "int8";
      case 7 -> "string";
      case 9 -> "int64";
      case 10 -> "bool";
      case 8 -> "complex64";
      case 11 -> "qint8";
      case 12 -> "quint8";
      case 13 -> "qint32";
      case 14 -> "bfloat16";
      case 15 -> "qint16";
      case 16 -> "quint16";
      case 17 -> "uint16";
      case 18 -> "complex128";
      case 19 -> "float16";
      case 20 -> "resource";
      case 21 -> "variant";
      case 22 -> "uint32";
      case 23 -> "uint64";
      case 24 -> "float8_e5m2";
      case 25 -> "float8_e4m3fn";
      case 29 -> "int4";
      case 30 -> "uint4";
      default -> "dtype#" + dtype;
    };
  }
}
