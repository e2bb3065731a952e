package dev.kerasj.internal;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/** Copies between {@link HostArray}s and native tensors. Every tensor returned must be closed by the caller. */
public final class Tensors {
  private Tensors() {}

  /** A new tensor of {@code dtype} holding {@code a}'s values (int values widened for int64). */
  public static Tensor of(HostArray a, Class<? extends TType> dtype) {
    Shape shape = Shape.of(a.shape());
    if (dtype == TFloat32.class) {
      return TFloat32.tensorOf(shape, DataBuffers.of(a.asFloats().floats(), true, false));
    }
    if (dtype == TInt32.class) {
      if (a.isFloat()) {
        throw new IllegalArgumentException("Expected int values for an int32 tensor. Received: float values");
      }
      return TInt32.tensorOf(shape, DataBuffers.of(a.ints(), true, false));
    }
    if (dtype == TInt64.class) {
      int[] ints = a.ints();
      long[] longs = new long[ints.length];
      for (int i = 0; i < ints.length; i++) {
        longs[i] = ints[i];
      }
      return TInt64.tensorOf(shape, DataBuffers.of(longs, true, false));
    }
    throw new IllegalArgumentException("Unsupported tensor dtype: " + dtype.getSimpleName());
  }

  /**
   * A new tensor holding the rows {@code order[from..to)} of {@code src} (or rows {@code from..to} when
   * {@code order} is null), copied straight from the heap array into native memory: one copy per batch.
   */
  public static Tensor batch(HostArray src, int[] order, int from, int to, Class<? extends TType> dtype) {
    long[] shape = src.shape();
    shape[0] = to - from;
    int row = src.rowSize();
    if (dtype == TFloat32.class && src.isFloat()) {
      float[] values = src.floats();
      TFloat32 t = TFloat32.tensorOf(Shape.of(shape));
      FloatDataBuffer buf = t.asRawTensor().data().asFloats();
      return fill(t, order, from, to, row, (dst, at, n) -> buf.slice(dst, n).write(values, at, n));
    }
    if (dtype == TInt32.class && !src.isFloat()) {
      int[] values = src.ints();
      TInt32 t = TInt32.tensorOf(Shape.of(shape));
      IntDataBuffer buf = t.asRawTensor().data().asInts();
      return fill(t, order, from, to, row, (dst, at, n) -> buf.slice(dst, n).write(values, at, n));
    }
    // Other combinations (not produced by DataAdapter) convert just this batch.
    return of(order == null ? src.rows(from, to) : src.gather(order, from, to), dtype);
  }

  /** Copies {@code n} values from the source array at {@code at} to the tensor buffer at {@code dst}. */
  @FunctionalInterface
  private interface RunCopy {
    void copy(long dst, int at, int n);
  }

  /** Copies the batch's rows into {@code t} (one run when unshuffled), closing {@code t} if copying fails. */
  private static Tensor fill(Tensor t, int[] order, int from, int to, int row, RunCopy copy) {
    try {
      if (order == null) {
        copy.copy(0, from * row, (to - from) * row);
      } else {
        for (int i = from; i < to; i++) {
          copy.copy((long) (i - from) * row, order[i] * row, row);
        }
      }
      return t;
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  /** Copies a float32, int32 or int64 tensor to the heap. */
  public static HostArray toHost(Tensor t) {
    long[] shape = t.shape().asArray();
    int size = Math.toIntExact(t.shape().size());
    if (t instanceof TFloat32 f) {
      float[] out = new float[size];
      f.copyTo(DataBuffers.of(out, false, false));
      return HostArray.ofFloats(shape, out);
    }
    if (t instanceof TInt32 i) {
      int[] out = new int[size];
      i.copyTo(DataBuffers.of(out, false, false));
      return HostArray.ofInts(shape, out);
    }
    if (t instanceof TInt64 l) {
      long[] tmp = new long[size];
      l.copyTo(DataBuffers.of(tmp, false, false));
      int[] out = new int[size];
      for (int k = 0; k < size; k++) {
        out[k] = Math.toIntExact(tmp[k]);
      }
      return HostArray.ofInts(shape, out);
    }
    throw new IllegalArgumentException("Unsupported tensor type: " + t.getClass().getSimpleName());
  }

  /** The single value of a float32 scalar tensor. */
  public static float scalar(Tensor t) {
    return ((TFloat32) t).getFloat();
  }
}
