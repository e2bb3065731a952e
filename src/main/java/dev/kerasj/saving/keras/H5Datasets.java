package dev.kerasj.saving.keras;

import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.MemoryBudget;
import io.jhdf.api.Dataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What an HDF5 dataset of a Keras weights file declares (dtype, dimensions, bytes), checked before its values are
 * read: jhdf allocates the declared dimensions whatever the file holds (a dataset without data reads as its fill
 * value), and fills a float32 array as float64 when a dataset's size and precision disagree.
 */
final class H5Datasets {
  /** Bytes per value of the two dtypes Keras weights files hold: float32 weights, int64 iteration counts. */
  private static final int FLOAT32_BYTES = 4;
  private static final int INT64_BYTES = 8;

  private H5Datasets() {}

  /**
   * numpy's name for a dataset's type, by its storage size ({@code float32}, {@code int64}, {@code float64} ...), with
   * the bit precision when it disagrees with the size ({@code float64 (precision 32 bits)}); never throws.
   */
  static String dtype(DataType type) {
    if (type instanceof FloatingPoint f) {
      return "float" + f.getSize() * 8 + precision(f.getSize(), f.getBitPrecision(), f.getBitOffset());
    }
    if (type instanceof FixedPoint f) {
      return (f.isSigned() ? "int" : "uint") + f.getSize() * 8 + precision(f.getSize(), f.getBitPrecision(),
          f.getBitOffset());
    }
    String cls = type.getClass().getSimpleName();
    return cls.isEmpty() ? "HDF5 type class " + type.getDataClass() : cls;
  }

  private static boolean consistent(DataType type) {
    return !(type instanceof FloatingPoint f && (f.getBitPrecision() != f.getSize() * 8 || f.getBitOffset() != 0))
        && !(type instanceof FixedPoint x && (x.getBitPrecision() != x.getSize() * 8 || x.getBitOffset() != 0));
  }

  private static String precision(int size, int bits, int offset) {
    return bits == size * 8 && offset == 0 ? "" : " (precision " + bits + " bits at offset " + offset + ")";
  }

  /** A 4-byte IEEE float of 32 bits at offset 0, what jhdf reads as {@code float[]}. */
  static boolean isFloat32(DataType type) {
    return type instanceof FloatingPoint f && f.getSize() == FLOAT32_BYTES && f.getBitPrecision() == 32
        && f.getBitOffset() == 0;
  }

  /** A signed 8-byte integer of 64 bits at offset 0, what jhdf reads as {@code long[]}. */
  static boolean isInt64(DataType type) {
    return type instanceof FixedPoint f && f.isSigned() && f.getSize() == INT64_BYTES && f.getBitPrecision() == 64
        && f.getBitOffset() == 0;
  }

  /**
   * Refuses to read {@code d} unless it is float32 or int64 and its declared values fit in the file's real size, in
   * one Java array and in the memory budget.
   *
   * @param path the dataset's path in the file, for messages
   * @param where the file, or {@code file: model.weights.h5} for an archive's member
   * @param fileBytes the bytes the HDF5 file really has
   * @throws IncompatibleCheckpointException another dtype (float64, float16 ...): kerasj weights are float32
   * @throws CorruptCheckpointException a type header that contradicts itself, dimensions or bytes the file cannot
   *     hold
   * @throws IncompatibleModelException more bytes than the {@link MemoryBudget}
   */
  static void checkReadable(Dataset d, String path, Path file, String where, long fileBytes) {
    DataType type = d.getDataType();
    if (!isFloat32(type) && !isInt64(type)) {
      String message = where + ": dataset '" + path + "' has dtype " + dtype(type) + "; Keras weights files kerasj "
          + "reads hold float32 weights and int64 counters only";
      if (!consistent(type)) {
        throw new CorruptCheckpointException(file, message + " (its type's size and precision disagree: a damaged "
            + "or forged header)");
      }
      throw new IncompatibleCheckpointException(file, message + ". Save the model in float32");
    }
    checkSize(d, path, file, where, fileBytes);
  }

  /** {@link #checkReadable}'s size checks alone, for a dataset whose dtype was already checked. */
  static void checkSize(Dataset d, String path, Path file, String where, long fileBytes) {
    long[] dims = d.getDimensionsAsLong();
    long values = 1;
    for (long dim : dims) {
      if (dim < 0) {
        throw corrupt(file, where, path, dims, "a negative dimension");
      }
      values = values > MemoryBudget.MAX_ARRAY_LENGTH ? values : values * Math.min(dim,
          (long) MemoryBudget.MAX_ARRAY_LENGTH + 1); // both factors <= 2^31: no overflow
    }
    if (values > MemoryBudget.MAX_ARRAY_LENGTH) {
      throw corrupt(file, where, path, dims, "more than " + MemoryBudget.MAX_ARRAY_LENGTH + " values (the largest "
          + "Java array; no Keras weight is this large)");
    }
    long bytes = values * d.getDataType().getSize();
    if (bytes > fileBytes) {
      throw corrupt(file, where, path, dims, bytes + " bytes of values, but the file has " + fileBytes + " bytes");
    }
    if (bytes > MemoryBudget.bytes()) {
      throw new IncompatibleModelException(file, where + ": dataset '" + path + "' of shape " + Arrays.toString(dims)
          + " holds " + MemoryBudget.format(bytes) + ", more than this JVM's memory budget " + MemoryBudget.describe());
    }
  }

  private static CorruptCheckpointException corrupt(Path file, String where, String path, long[] dims,
      String problem) {
    return new CorruptCheckpointException(file, where + ": dataset '" + path + "' declares shape "
        + Arrays.toString(dims) + " with " + problem + "; refusing to read it");
  }
}
