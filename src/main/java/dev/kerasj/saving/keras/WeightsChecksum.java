package dev.kerasj.saving.keras;

import dev.kerasj.internal.HostArray;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.Sha256Manifest;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/**
 * The checksum kerasj puts in the {@code .weights.h5} files it writes, since HDF5 keeps none of plain datasets (Keras
 * writes no Fletcher-32 filter): a root attribute {@value #ATTRIBUTE} holding the SHA-256 of every dataset under
 * {@code layers/} and {@code optimizer/}, in path order, each as its path, a NUL, a type byte ({@code f} float32,
 * {@code i} int64), its rank and dimensions and its values (little-endian float32 bits, int64). Loaders and
 * {@code verify} recompute it from what they read, so a changed weight byte is an error instead of a silently
 * different model. Keras ignores the attribute; files Python wrote have none and are read as before.
 */
final class WeightsChecksum {
  static final String ATTRIBUTE = "kerasj_sha256";

  private WeightsChecksum() {}

  /** The digest of datasets by path; a value is float32 when {@link HostArray#isFloat}, else int64. */
  static String of(SortedMap<String, HostArray> datasets) {
    MessageDigest sha = Sha256Manifest.newDigest();
    for (Map.Entry<String, HostArray> e : datasets.entrySet()) {
      HostArray v = e.getValue();
      sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update((byte) (v.isFloat() ? 'f' : 'i'));
      long[] shape = v.shape();
      ByteBuffer header = ByteBuffer.allocate(4 + 8 * shape.length).order(ByteOrder.LITTLE_ENDIAN);
      header.putInt(shape.length);
      for (long d : shape) {
        header.putLong(d);
      }
      sha.update(header.array());
      if (v.isFloat()) {
        float[] f = v.floats();
        ByteBuffer b = ByteBuffer.allocate(4 * Math.min(f.length, 1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < f.length; i++) {
          if (!b.hasRemaining()) {
            sha.update(b.array(), 0, b.position());
            b.clear();
          }
          b.putInt(Float.floatToRawIntBits(f[i]));
        }
        sha.update(b.array(), 0, b.position());
      } else {
        ByteBuffer b = ByteBuffer.allocate(8 * v.ints().length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : v.ints()) {
          b.putLong(i);
        }
        sha.update(b.array());
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** The recorded digest, or null for a file kerasj did not write with one. */
  static String recorded(HdfFile h5) {
    Attribute a = h5.getAttribute(ATTRIBUTE);
    return a == null ? null : String.valueOf(a.getData());
  }

  /**
   * Compares the recorded digest (if any) with {@code datasets} as read.
   *
   * @throws CorruptCheckpointException naming the file and both digests
   */
  static void check(HdfFile h5, SortedMap<String, HostArray> datasets, Path file, String where) {
    String recorded = recorded(h5);
    if (recorded == null) {
      return;
    }
    String actual = of(datasets);
    if (!actual.equals(recorded)) {
      throw new CorruptCheckpointException(file, where + " is damaged or was changed after kerasj wrote it: its "
          + "datasets hash to sha256 " + actual + ", its " + ATTRIBUTE + " attribute records " + recorded);
    }
  }
}
