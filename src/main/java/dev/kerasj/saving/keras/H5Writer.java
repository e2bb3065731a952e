package dev.kerasj.saving.keras;

import dev.kerasj.internal.HostArray;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.WritableGroup;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Keras weights HDF5 file with jhdf, and checks what it wrote.
 *
 * <p><b>jhdf bug worked around here</b> (measured in jhdf 0.10.0 and 0.13.0): on close, jhdf appends its
 * {@code "jHDF - version - OS ..."} marker at the file channel's current position, which is the end of the
 * <em>last dataset's data</em>, not the end of the file. Any object written after that dataset (an empty group laid
 * out later) has its header overwritten, and h5py then fails with "bad object header version number". So this writer
 * never creates a group without a dataset below it: every group's subtree ends in a dataset, the last object written
 * is a dataset, and the marker lands at the end of the file. Keras itself writes empty {@code vars} groups for
 * weightless layers (Flatten, Dropout ...) and for the model; its reader treats a missing group exactly like an empty
 * one ({@code H5IOStore.get} returns an empty entry), so leaving them out changes nothing for Keras
 * ({@code python-interop/tests/test_java_keras_files.py} loads such files). Each file is read back with jhdf after
 * writing, so a layout error could never go unnoticed.
 *
 * <p>Other differences from h5py's output, none read by Keras: string attributes are fixed-length ASCII (h5py writes
 * variable-length UTF-8), the root group carries jhdf's {@code _jHDF} attribute, and the superblock/object header
 * versions are the newer ones h5py reads.
 */
final class H5Writer {
  /** A dataset to write: float32 values, or a scalar int64 when {@code int64} is set. */
  record Item(String path, HostArray value, boolean int64) {}

  private H5Writer() {}

  /**
   * @param groupNameAttributes group path → its {@code name} attribute
   * @param rootAttributes string attributes of the root group
   */
  static void write(Path file, List<Item> items, Map<String, String> groupNameAttributes,
      Map<String, String> rootAttributes) throws IOException {
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      rootAttributes.forEach(h5::putAttribute);
      Map<String, WritableGroup> groups = new HashMap<>();
      for (Item item : items) {
        int slash = item.path().lastIndexOf('/');
        WritableGroup group = group(h5, groups, item.path().substring(0, slash));
        group.putDataset(item.path().substring(slash + 1), javaValue(item));
      }
      groupNameAttributes.forEach((path, name) -> {
        WritableGroup g = groups.get(path);
        if (g != null) {
          g.putAttribute("name", name);
        }
      });
    } catch (RuntimeException e) {
      throw new IOException("Cannot write HDF5 file " + file + ": " + e.getMessage(), e);
    }
    verify(file, items);
  }

  private static WritableGroup group(WritableHdfFile h5, Map<String, WritableGroup> groups, String path) {
    WritableGroup g = groups.get(path);
    if (g != null) {
      return g;
    }
    int slash = path.lastIndexOf('/');
    WritableGroup parent = slash < 0 ? h5 : group(h5, groups, path.substring(0, slash));
    g = parent.putGroup(path.substring(slash + 1));
    groups.put(path, g);
    return g;
  }

  private static Object javaValue(Item item) {
    HostArray v = item.value();
    if (item.int64()) {
      return (long) v.ints()[0];
    }
    float[] flat = v.floats();
    long[] shape = v.shape();
    if (shape.length == 0) {
      return flat[0];
    }
    int[] dims = Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
    Object nested = Array.newInstance(float.class, dims);
    fill(nested, flat, 0, dims, 0);
    return nested;
  }

  /** Copies {@code flat} (row-major) into the nested array; returns the next flat offset. */
  private static int fill(Object nested, float[] flat, int offset, int[] dims, int axis) {
    if (axis == dims.length - 1) {
      System.arraycopy(flat, offset, nested, 0, dims[axis]);
      return offset + dims[axis];
    }
    for (int i = 0; i < dims[axis]; i++) {
      offset = fill(Array.get(nested, i), flat, offset, dims, axis + 1);
    }
    return offset;
  }

  /** Reads every dataset header back: jhdf's layout bug (class javadoc) would show here as an unreadable header. */
  private static void verify(Path file, List<Item> items) throws IOException {
    try (HdfFile h5 = new HdfFile(file)) {
      for (Item item : items) {
        Dataset d = h5.getDatasetByPath(item.path());
        long[] dims = Arrays.stream(d.getDimensions()).asLongStream().toArray();
        if (!Arrays.equals(dims, item.value().shape())) {
          throw new IOException("HDF5 file " + file + " reads back '" + item.path() + "' with shape "
              + Arrays.toString(dims) + " instead of " + Arrays.toString(item.value().shape()));
        }
      }
    } catch (RuntimeException e) {
      throw new IOException("HDF5 file " + file + " written by jhdf does not read back: " + e.getMessage(), e);
    }
  }
}
