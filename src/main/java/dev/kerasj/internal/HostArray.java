package dev.kerasj.internal;

import java.lang.reflect.Array;
import java.util.Arrays;
import org.tensorflow.ndarray.DoubleNdArray;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.IntNdArray;
import org.tensorflow.ndarray.LongNdArray;
import org.tensorflow.ndarray.NdArray;

/**
 * A dense row-major copy of user data on the Java heap: either float32 or int32 values and a shape whose first
 * dimension is the sample count.
 *
 * <p>Every user input ({@code float[][]}, {@code int[]}, {@code double[][][][]}, TF Java {@code NdArray}s ...) is
 * converted once into a {@code HostArray}; batches are then cut from it without further reflection.
 */
public final class HostArray {
  /** The most values one Java array holds on HotSpot ({@code Integer.MAX_VALUE - 8}); a weight or batch is one. */
  public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

  private final long[] shape;
  private final float[] floats;
  private final int[] ints;

  private HostArray(long[] shape, float[] floats, int[] ints) {
    this.shape = shape;
    this.floats = floats;
    this.ints = ints;
  }

  /** Wraps float values (not copied) with the given shape. */
  public static HostArray ofFloats(long[] shape, float[] values) {
    check(shape, values.length);
    return new HostArray(shape.clone(), values, null);
  }

  /** Wraps int values (not copied) with the given shape. */
  public static HostArray ofInts(long[] shape, int[] values) {
    check(shape, values.length);
    return new HostArray(shape.clone(), null, values);
  }

  private static void check(long[] shape, int length) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != length) {
      throw new IllegalArgumentException(
          "Shape " + Arrays.toString(shape) + " needs " + n + " values. Received: " + length + " values.");
    }
  }

  /**
   * Converts a Java array of any rank ({@code float}, {@code double}, {@code int}, {@code long} or {@code byte}
   * elements) or a TF Java {@code NdArray} into a {@code HostArray}. Integer inputs stay integers; doubles become
   * float32, like Keras casting to the model's float dtype.
   *
   * @param what the argument's name in error messages, such as {@code "x"}
   */
  public static HostArray from(Object data, String what) {
    if (data == null) {
      throw new IllegalArgumentException("Expected `" + what + "` to be an array. Received: null");
    }
    if (data instanceof HostArray h) {
      return h;
    }
    if (data instanceof NdArray<?> nd) {
      return fromNdArray(nd, what);
    }
    if (!data.getClass().isArray()) {
      throw new IllegalArgumentException(
          "Expected `" + what + "` to be a Java array (float[][], int[], ...) or an NdArray. Received: "
              + data.getClass().getName());
    }
    long[] shape = shapeOf(data, what);
    Class<?> leaf = leafType(data.getClass());
    long total = 1;
    for (long d : shape) {
      total *= d;
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("`" + what + "` is too large: " + total + " values");
    }
    if (leaf == int.class || leaf == long.class || leaf == byte.class || leaf == short.class) {
      int[] out = new int[(int) total];
      fill(data, out, null, new int[] {0});
      return new HostArray(shape, null, out);
    }
    if (leaf == float.class || leaf == double.class) {
      float[] out = new float[(int) total];
      fill(data, null, out, new int[] {0});
      return new HostArray(shape, out, null);
    }
    throw new IllegalArgumentException(
        "Expected `" + what + "` to hold float, double, int or long values. Received: " + leaf.getName() + " values");
  }

  private static HostArray fromNdArray(NdArray<?> nd, String what) {
    long[] shape = nd.shape().asArray();
    int size = Math.toIntExact(nd.shape().size());
    if (nd instanceof FloatNdArray f) {
      float[] out = new float[size];
      f.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
      return new HostArray(shape, out, null);
    }
    if (nd instanceof DoubleNdArray d) {
      double[] tmp = new double[size];
      d.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(tmp, false, false));
      float[] out = new float[size];
      for (int i = 0; i < size; i++) {
        out[i] = (float) tmp[i];
      }
      return new HostArray(shape, out, null);
    }
    if (nd instanceof IntNdArray in) {
      int[] out = new int[size];
      in.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
      return new HostArray(shape, null, out);
    }
    if (nd instanceof LongNdArray l) {
      long[] tmp = new long[size];
      l.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(tmp, false, false));
      int[] out = new int[size];
      for (int i = 0; i < size; i++) {
        out[i] = Math.toIntExact(tmp[i]);
      }
      return new HostArray(shape, null, out);
    }
    throw new IllegalArgumentException(
        "Expected `" + what + "` to be a FloatNdArray, DoubleNdArray, IntNdArray or LongNdArray. Received: "
            + nd.getClass().getName());
  }

  private static long[] shapeOf(Object data, String what) {
    java.util.List<Long> dims = new java.util.ArrayList<>();
    Object cur = data;
    while (cur != null && cur.getClass().isArray()) {
      int len = Array.getLength(cur);
      dims.add((long) len);
      if (len == 0 || !cur.getClass().getComponentType().isArray()) {
        break;
      }
      cur = Array.get(cur, 0);
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    checkRagged(data, shape, 0, what);
    return shape;
  }

  private static void checkRagged(Object data, long[] shape, int depth, String what) {
    if (data == null) {
      throw new IllegalArgumentException("`" + what + "` contains a null sub-array at depth " + depth);
    }
    int len = Array.getLength(data);
    if (len != shape[depth]) {
      throw new IllegalArgumentException(
          "`" + what + "` is ragged: expected every sub-array at depth " + depth + " to have length " + shape[depth]
              + ". Received: a sub-array of length " + len);
    }
    if (depth + 1 < shape.length) {
      for (int i = 0; i < len; i++) {
        checkRagged(Array.get(data, i), shape, depth + 1, what);
      }
    }
  }

  private static Class<?> leafType(Class<?> c) {
    while (c.isArray()) {
      c = c.getComponentType();
    }
    return c;
  }

  private static void fill(Object data, int[] ints, float[] floats, int[] pos) {
    Class<?> comp = data.getClass().getComponentType();
    if (!comp.isArray()) {
      int len = Array.getLength(data);
      if (comp == float.class) {
        System.arraycopy((float[]) data, 0, floats, pos[0], len);
      } else if (comp == double.class) {
        double[] d = (double[]) data;
        for (int i = 0; i < len; i++) {
          floats[pos[0] + i] = (float) d[i];
        }
      } else if (comp == int.class) {
        System.arraycopy((int[]) data, 0, ints, pos[0], len);
      } else if (comp == long.class) {
        long[] l = (long[]) data;
        for (int i = 0; i < len; i++) {
          ints[pos[0] + i] = Math.toIntExact(l[i]);
        }
      } else if (comp == byte.class) {
        byte[] b = (byte[]) data;
        for (int i = 0; i < len; i++) {
          ints[pos[0] + i] = b[i];
        }
      } else if (comp == short.class) {
        short[] s = (short[]) data;
        for (int i = 0; i < len; i++) {
          ints[pos[0] + i] = s[i];
        }
      }
      pos[0] += len;
      return;
    }
    for (int i = 0, n = Array.getLength(data); i < n; i++) {
      fill(Array.get(data, i), ints, floats, pos);
    }
  }

  /** The full shape, sample count first. */
  public long[] shape() {
    return shape.clone();
  }

  /** The shape of one sample (the shape without its first dimension). */
  public long[] sampleShape() {
    return Arrays.copyOfRange(shape, 1, shape.length);
  }

  public int rank() {
    return shape.length;
  }

  /** Number of samples (first dimension); 0 for a scalar. */
  public int samples() {
    return shape.length == 0 ? 0 : (int) shape[0];
  }

  /** Values per sample. */
  public int rowSize() {
    long n = 1;
    for (int i = 1; i < shape.length; i++) {
      n *= shape[i];
    }
    return (int) n;
  }

  public boolean isFloat() {
    return floats != null;
  }

  /** The float values; throws if this array holds ints. */
  public float[] floats() {
    if (floats == null) {
      throw new IllegalStateException("HostArray holds int values, not floats");
    }
    return floats;
  }

  /** The int values; throws if this array holds floats. */
  public int[] ints() {
    if (ints == null) {
      throw new IllegalStateException("HostArray holds float values, not ints");
    }
    return ints;
  }

  /** Same values viewed with another shape of equal size. */
  public HostArray reshape(long[] newShape) {
    check(newShape, floats != null ? floats.length : ints.length);
    return new HostArray(newShape.clone(), floats, ints);
  }

  /** This array as float32 (ints converted exactly). */
  public HostArray asFloats() {
    if (floats != null) {
      return this;
    }
    float[] out = new float[ints.length];
    for (int i = 0; i < ints.length; i++) {
      out[i] = ints[i];
    }
    return new HostArray(shape, out, null);
  }

  /** Copies the rows {@code [from, to)} into a new array. */
  public HostArray rows(int from, int to) {
    int row = rowSize();
    long[] s = shape.clone();
    s[0] = to - from;
    if (floats != null) {
      return new HostArray(s, Arrays.copyOfRange(floats, from * row, to * row), null);
    }
    return new HostArray(s, null, Arrays.copyOfRange(ints, from * row, to * row));
  }

  /** Copies the rows named by {@code index[from..to)} into a new array (a shuffled batch). */
  public HostArray gather(int[] index, int from, int to) {
    int row = rowSize();
    long[] s = shape.clone();
    s[0] = to - from;
    if (floats != null) {
      float[] out = new float[(to - from) * row];
      for (int i = from; i < to; i++) {
        System.arraycopy(floats, index[i] * row, out, (i - from) * row, row);
      }
      return new HostArray(s, out, null);
    }
    int[] out = new int[(to - from) * row];
    for (int i = from; i < to; i++) {
      System.arraycopy(ints, index[i] * row, out, (i - from) * row, row);
    }
    return new HostArray(s, null, out);
  }

  /** Index of the first NaN or infinite value, or -1. Ints are always finite. */
  public int firstNonFinite() {
    if (floats == null) {
      return -1;
    }
    for (int i = 0; i < floats.length; i++) {
      if (!Float.isFinite(floats[i])) {
        return i;
      }
    }
    return -1;
  }
}
