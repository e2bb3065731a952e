package dev.kerasj.saving.tfcheckpoint;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderGetVariable;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderGetVariableDataType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderGetVariableNumDims;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderGetVariableShape;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_CheckpointReaderSize;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteCheckpointReader;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewCheckpointReader;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;

import dev.kerasj.saving.CorruptCheckpointException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.internal.c_api.TF_CheckpointReader;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The table of contents of a tensor bundle: every key with its dtype and shape, read from {@code prefix.index} by
 * TensorFlow's own {@code CheckpointReader} (which checks the index's block checksums while reading it). The data
 * file is not read here.
 */
final class BundleIndex {
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

  /** @throws CorruptCheckpointException naming the index file when TensorFlow cannot read it */
  static BundleIndex read(Path prefix) {
    Path index = CheckpointFiles.index(prefix);
    TF_Status status = TF_Status.newStatus();
    TF_CheckpointReader reader = null;
    try {
      reader = TF_NewCheckpointReader(prefix.toString(), status);
      if (TF_GetCode(status) != TF_OK) {
        throw new CorruptCheckpointException(index, "Checkpoint index " + index + " is unreadable (truncated, "
            + "damaged or not a TF checkpoint): TensorFlow says: " + TF_Message(status).getString());
      }
      Map<String, Entry> out = new LinkedHashMap<>();
      int n = TF_CheckpointReaderSize(reader);
      for (int i = 0; i < n; i++) {
        BytePointer namePointer = TF_CheckpointReaderGetVariable(reader, i);
        String name = namePointer.getString(java.nio.charset.StandardCharsets.UTF_8);
        int dtype = TF_CheckpointReaderGetVariableDataType(reader, namePointer);
        int rank = TF_CheckpointReaderGetVariableNumDims(reader, namePointer);
        long[] dims = new long[rank];
        TF_CheckpointReaderGetVariableShape(reader, namePointer, dims, rank, status);
        if (TF_GetCode(status) != TF_OK) {
          throw new CorruptCheckpointException(index, "Checkpoint index " + index + ": cannot read the shape of '"
              + name + "': " + TF_Message(status).getString());
        }
        out.put(name, new Entry(dtype, dims));
      }
      return new BundleIndex(out);
    } finally {
      if (reader != null && !reader.isNull()) {
        TF_DeleteCheckpointReader(reader);
      }
      status.delete();
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
      case 17 -> "uint16";
      case 14 -> "bfloat16";
      case 19 -> "float16";
      default -> "dtype#" + dtype;
    };
  }
}
