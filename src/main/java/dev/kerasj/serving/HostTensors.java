package dev.kerasj.serving;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.BooleanNdArray;
import org.tensorflow.ndarray.DoubleNdArray;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.IntNdArray;
import org.tensorflow.ndarray.LongNdArray;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Java values to and from tensors for {@link ServedModel}: checks a value's dtype and shape against a
 * {@link TensorSpec} in Java (so a wrong input never reaches TensorFlow), then copies it into a new tensor; and copies
 * a result tensor into a heap {@link NdArray} that outlives the call.
 */
final class HostTensors {
  /** Dtypes the serving API can feed and fetch. */
  static final List<String> SUPPORTED = List.of("float32", "float64", "int32", "int64", "bool", "string");

  private HostTensors() {}

  /** A caller's value, read once: its dtype, shape, and either a flat Java array or an NdArray. */
  private record Host(String dtype, long[] shape, Object flat, NdArray<?> nd) {}

  /**
   * Checks {@code value} against {@code spec} and copies it into a new tensor the caller must close.
   *
   * @throws IllegalArgumentException naming the input, what the signature expects and what was received
   */
  static Tensor toTensor(Object value, TensorSpec spec, String where) {
    Host h = read(value, spec, where);
    if (!h.dtype.equals(spec.dtype())) {
      throw new IllegalArgumentException(where + ": input '" + spec.name() + "' expects " + spec.dtype()
          + TensorSpec.shapeText(spec.shape()) + ". Received: " + h.dtype + TensorSpec.shapeText(h.shape) + " ("
          + typeName(value) + "). Pass " + javaTypesFor(spec.dtype()) + ".");
    }
    long[] want = spec.shape();
    if (want != null && !fits(want, h.shape)) {
      throw new IllegalArgumentException(where + ": input '" + spec.name() + "' expects shape "
          + TensorSpec.shapeText(want) + " (? = any size). Received: shape " + TensorSpec.shapeText(h.shape) + ".");
    }
    return create(h);
  }

  private static boolean fits(long[] want, long[] got) {
    if (want.length != got.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (want[i] >= 0 && want[i] != got[i]) {
        return false;
      }
    }
    return true;
  }

  private static Host read(Object value, TensorSpec spec, String where) {
    if (value == null) {
      throw new IllegalArgumentException(where + ": input '" + spec.name() + "' is null. Expected "
          + spec.dtype() + TensorSpec.shapeText(spec.shape()) + ".");
    }
    if (value instanceof NdArray<?> nd) {
      return new Host(ndDtype(nd, spec, where), nd.shape().asArray(), null, nd);
    }
    if (value instanceof Float f) {
      return new Host("float32", new long[0], new float[] {f}, null);
    } else if (value instanceof Double d) {
      return new Host("float64", new long[0], new double[] {d}, null);
    } else if (value instanceof Integer i) {
      return new Host("int32", new long[0], new int[] {i}, null);
    } else if (value instanceof Long l) {
      return new Host("int64", new long[0], new long[] {l}, null);
    } else if (value instanceof Boolean b) {
      return new Host("bool", new long[0], new boolean[] {b}, null);
    } else if (value instanceof String s) {
      return new Host("string", new long[0], new String[] {s}, null);
    }
    Host fast = rank1Or2(value);
    if (fast != null) {
      return fast;
    }
    if (!value.getClass().isArray()) {
      throw new IllegalArgumentException(where + ": input '" + spec.name() + "' cannot take a " + typeName(value)
          + ". Pass " + javaTypesFor(spec.dtype()) + ".");
    }
    List<Long> dims = new ArrayList<>();
    Class<?> c = value.getClass();
    Object probe = value;
    while (c.isArray()) {
      int n = Array.getLength(probe);
      dims.add((long) n);
      c = c.getComponentType();
      if (c.isArray()) {
        probe = n == 0 ? null : Array.get(probe, 0);
        if (probe == null) {
          // An empty or null row: the remaining dims are unknown; they become 0 (empty tensor) if empty.
          while (c.isArray()) {
            dims.add(0L);
            c = c.getComponentType();
          }
          break;
        }
      }
    }
    String dtype = leafDtype(c);
    if (dtype == null) {
      throw new IllegalArgumentException(where + ": input '" + spec.name() + "' cannot take a " + typeName(value)
          + ". Pass " + javaTypesFor(spec.dtype()) + ".");
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    Object flat = Array.newInstance(c, Math.toIntExact(size));
    int[] pos = {0};
    flatten(value, shape, 0, flat, pos, spec, where);
    return new Host(dtype, shape, flat, null);
  }

  /**
   * The common shapes without reflection: a rank-1 primitive array is used as it is (the tensor copies it), a
   * rectangular rank-2 one is copied row by row. Returns null for anything else (ragged rows included, so that the
   * general path reports them).
   */
  private static Host rank1Or2(Object v) {
    if (v instanceof float[] a) {
      return new Host("float32", new long[] {a.length}, a, null);
    } else if (v instanceof double[] a) {
      return new Host("float64", new long[] {a.length}, a, null);
    } else if (v instanceof int[] a) {
      return new Host("int32", new long[] {a.length}, a, null);
    } else if (v instanceof long[] a) {
      return new Host("int64", new long[] {a.length}, a, null);
    } else if (v instanceof boolean[] a) {
      return new Host("bool", new long[] {a.length}, a, null);
    } else if (v instanceof float[][] a && rectangular(a)) {
      int n = a.length == 0 ? 0 : a[0].length;
      float[] flat = new float[a.length * n];
      for (int i = 0; i < a.length; i++) {
        System.arraycopy(a[i], 0, flat, i * n, n);
      }
      return new Host("float32", new long[] {a.length, n}, flat, null);
    } else if (v instanceof double[][] a && rectangular(a)) {
      int n = a.length == 0 ? 0 : a[0].length;
      double[] flat = new double[a.length * n];
      for (int i = 0; i < a.length; i++) {
        System.arraycopy(a[i], 0, flat, i * n, n);
      }
      return new Host("float64", new long[] {a.length, n}, flat, null);
    }
    return null;
  }

  private static boolean rectangular(Object[] rows) {
    if (rows.length == 0 || rows[0] == null) {
      return false;
    }
    int n = Array.getLength(rows[0]);
    for (Object r : rows) {
      if (r == null || Array.getLength(r) != n) {
        return false;
      }
    }
    return true;
  }

  private static void flatten(Object array, long[] shape, int depth, Object flat, int[] pos, TensorSpec spec,
      String where) {
    if (array == null || Array.getLength(array) != shape[depth]) {
      throw new IllegalArgumentException(where + ": input '" + spec.name() + "' is a ragged array: dimension "
          + depth + " has " + (array == null ? "a null row" : "length " + Array.getLength(array))
          + " where the first row has " + shape[depth] + ". A tensor needs equal lengths.");
    }
    int n = Array.getLength(array);
    if (depth == shape.length - 1) {
      System.arraycopy(array, 0, flat, pos[0], n);
      if (flat instanceof String[] s) {
        for (int i = pos[0]; i < pos[0] + n; i++) {
          if (s[i] == null) {
            throw new IllegalArgumentException(where + ": input '" + spec.name() + "' holds a null String.");
          }
        }
      }
      pos[0] += n;
      return;
    }
    for (int i = 0; i < n; i++) {
      flatten(Array.get(array, i), shape, depth + 1, flat, pos, spec, where);
    }
  }

  private static String leafDtype(Class<?> c) {
    if (c == float.class) {
      return "float32";
    } else if (c == double.class) {
      return "float64";
    } else if (c == int.class) {
      return "int32";
    } else if (c == long.class) {
      return "int64";
    } else if (c == boolean.class) {
      return "bool";
    } else if (c == String.class) {
      return "string";
    }
    return null;
  }

  private static String ndDtype(NdArray<?> nd, TensorSpec spec, String where) {
    if (nd instanceof FloatNdArray) {
      return "float32";
    } else if (nd instanceof DoubleNdArray) {
      return "float64";
    } else if (nd instanceof IntNdArray) {
      return "int32";
    } else if (nd instanceof LongNdArray) {
      return "int64";
    } else if (nd instanceof BooleanNdArray) {
      return "bool";
    } else if (nd instanceof TString) {
      return "string";
    }
    Object first = nd.size() == 0 ? null : nd.getObject(new long[nd.rank()]);
    if (first instanceof String || (first == null && spec.dtype().equals("string"))) {
      return "string";
    }
    throw new IllegalArgumentException(where + ": input '" + spec.name() + "' cannot take an NdArray of "
        + (first == null ? "unknown elements" : first.getClass().getSimpleName()) + ". Pass "
        + javaTypesFor(spec.dtype()) + ".");
  }

  @SuppressWarnings("unchecked")
  private static Tensor create(Host h) {
    Shape shape = Shape.of(h.shape);
    if (h.nd != null) {
      return switch (h.dtype) {
        case "float32" -> TFloat32.tensorOf((FloatNdArray) h.nd);
        case "float64" -> TFloat64.tensorOf((DoubleNdArray) h.nd);
        case "int32" -> TInt32.tensorOf((IntNdArray) h.nd);
        case "int64" -> TInt64.tensorOf((LongNdArray) h.nd);
        case "bool" -> TBool.tensorOf((BooleanNdArray) h.nd);
        default -> TString.tensorOf((NdArray<String>) h.nd);
      };
    }
    return switch (h.dtype) {
      case "float32" -> TFloat32.tensorOf(shape, DataBuffers.of((float[]) h.flat, true, false));
      case "float64" -> TFloat64.tensorOf(shape, DataBuffers.of((double[]) h.flat, true, false));
      case "int32" -> TInt32.tensorOf(shape, DataBuffers.of((int[]) h.flat, true, false));
      case "int64" -> TInt64.tensorOf(shape, DataBuffers.of((long[]) h.flat, true, false));
      case "bool" -> TBool.tensorOf(shape, DataBuffers.of((boolean[]) h.flat, true, false));
      default -> TString.tensorOf(shape, DataBuffers.ofObjects((String[]) h.flat));
    };
  }

  /**
   * Copies a result tensor into a heap NdArray of the matching kind (see {@link ServedModel#call}). Numeric tensors
   * are read into a primitive array in one bulk copy and wrapped, the cheapest path TF Java offers.
   */
  static NdArray<?> toHost(Tensor t) {
    Shape shape = t.shape();
    int size = Math.toIntExact(shape.size());
    if (t instanceof TFloat32 f) {
      float[] out = new float[size];
      f.copyTo(DataBuffers.of(out, false, false));
      return NdArrays.wrap(shape, DataBuffers.of(out, false, false));
    } else if (t instanceof TFloat64 d) {
      double[] out = new double[size];
      d.copyTo(DataBuffers.of(out, false, false));
      return NdArrays.wrap(shape, DataBuffers.of(out, false, false));
    } else if (t instanceof TInt32 i) {
      int[] out = new int[size];
      i.copyTo(DataBuffers.of(out, false, false));
      return NdArrays.wrap(shape, DataBuffers.of(out, false, false));
    } else if (t instanceof TInt64 l) {
      long[] out = new long[size];
      l.copyTo(DataBuffers.of(out, false, false));
      return NdArrays.wrap(shape, DataBuffers.of(out, false, false));
    } else if (t instanceof TBool b) {
      BooleanNdArray out = NdArrays.ofBooleans(shape);
      b.copyTo(out);
      return out;
    } else if (t instanceof TString s) {
      NdArray<String> out = NdArrays.ofObjects(String.class, shape);
      s.copyTo(out);
      return out;
    }
    throw new IllegalStateException("Unsupported output dtype " + t.dataType() + "; supported: " + SUPPORTED);
  }

  static String javaTypesFor(String dtype) {
    return switch (dtype) {
      case "float32" -> "float32 data: float[], float[][] ... , a Float, or a FloatNdArray";
      case "float64" -> "float64 data: double[], double[][] ... , a Double, or a DoubleNdArray";
      case "int32" -> "int32 data: int[], int[][] ... , an Integer, or an IntNdArray";
      case "int64" -> "int64 data: long[], long[][] ... , a Long, or a LongNdArray";
      case "bool" -> "bool data: boolean[], boolean[][] ... , a Boolean, or a BooleanNdArray";
      case "string" -> "string data: String[], String[][] ... , a String, or an NdArray<String>";
      default -> "a supported dtype (" + SUPPORTED + "); " + dtype + " is not one";
    };
  }

  private static String typeName(Object value) {
    return value.getClass().getSimpleName();
  }
}
