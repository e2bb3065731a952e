package dev.kerasj.internal;

import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import java.util.Arrays;

/**
 * Converts and validates user data before any native call: shapes against the model, dtypes, sample counts, NaN
 * and infinite values, token ids and class labels in range. Messages follow Keras' "Received: ..." style.
 */
public final class DataAdapter {
  private DataAdapter() {}

  /**
   * Converts model inputs.
   *
   * @param inputShape the model's per-sample input shape
   * @param vocabulary for an int input feeding an Embedding, its {@code inputDim}; else 0
   */
  public static HostArray inputs(Object x, String what, long[] inputShape, Input.DType dtype, int vocabulary) {
    HostArray a = HostArray.from(x, what);
    if (a.rank() == 0 || a.samples() == 0) {
      throw new IllegalArgumentException(
          "Expected `" + what + "` to hold at least one sample. Received: " + what + ".shape=" + shape(a.shape()));
    }
    if (!Arrays.equals(a.sampleShape(), inputShape)) {
      throw new IllegalArgumentException(
          "Input of the model is incompatible: expected " + what + ".shape=" + Layer.formatShape(inputShape)
              + ". Received: " + what + ".shape=" + shape(a.shape()));
    }
    if (dtype == Input.DType.INT32) {
      if (a.isFloat()) {
        throw new IllegalArgumentException(
            "Expected `" + what + "` to hold int token ids (the model input is int32). Received: float values");
      }
      if (vocabulary > 0) {
        int[] ids = a.ints();
        for (int i = 0; i < ids.length; i++) {
          if (ids[i] < 0 || ids[i] >= vocabulary) {
            throw new IllegalArgumentException(
                "Expected token ids of `" + what + "` in [0, " + vocabulary + ") (the Embedding's inputDim). Received: "
                    + ids[i] + " in sample " + (i / a.rowSize()));
          }
        }
      }
      return a;
    }
    HostArray f = a.asFloats();
    checkFinite(f, what);
    return f;
  }

  /**
   * Converts labels for a loss.
   *
   * @param sparse true for class-id labels (sparse categorical crossentropy)
   * @param outputShape the model's per-sample output shape
   */
  public static HostArray labels(Object y, String what, boolean sparse, long[] outputShape) {
    HostArray a = HostArray.from(y, what);
    if (a.rank() == 0 || a.samples() == 0) {
      throw new IllegalArgumentException(
          "Expected `" + what + "` to hold at least one sample. Received: " + what + ".shape=" + shape(a.shape()));
    }
    if (sparse) {
      long[] s = a.shape();
      long[] expected = Arrays.copyOf(outputShape, outputShape.length - 1);
      long[] sample = a.sampleShape();
      if (sample.length == expected.length + 1 && sample[sample.length - 1] == 1) {
        sample = Arrays.copyOf(sample, sample.length - 1);
        a = a.reshape(concat(s[0], sample));
      }
      if (!Arrays.equals(sample, expected)) {
        throw new IllegalArgumentException(
            "Expected `" + what + "` to hold one class id per sample, shape " + Layer.formatShape(expected)
                + " (or with a trailing 1). Received: " + what + ".shape=" + shape(s));
      }
      int classes = (int) outputShape[outputShape.length - 1];
      int[] ids;
      if (a.isFloat()) {
        float[] f = a.floats();
        ids = new int[f.length];
        for (int i = 0; i < f.length; i++) {
          if (f[i] != Math.rint(f[i])) {
            throw new IllegalArgumentException(
                "Expected integer class ids in `" + what + "`. Received: " + f[i] + " in sample " + i);
          }
          ids[i] = (int) f[i];
        }
        a = HostArray.ofInts(a.shape(), ids);
      }
      ids = a.ints();
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] < 0 || ids[i] >= classes) {
          throw new IllegalArgumentException(
              "Received a label value of " + ids[i] + " which is outside the valid range of [0, " + classes
                  + ") in `" + what + "` (sample " + i + "). The model has " + classes + " output units.");
        }
      }
      return a;
    }
    HostArray f = a.asFloats();
    long[] sample = f.sampleShape();
    if (!Arrays.equals(sample, outputShape)) {
      if (Arrays.equals(concat(sample, 1), outputShape)) {
        f = f.reshape(concat(f.shape(), 1));
      } else {
        throw new IllegalArgumentException(
            "Expected `" + what + "` to have the shape of the model output " + Layer.formatShape(outputShape)
                + ". Received: " + what + ".shape=" + shape(f.shape()));
      }
    }
    checkFinite(f, what);
    return f;
  }

  /** Rejects x and y with different sample counts. */
  public static void sameSamples(HostArray x, HostArray y, String xName, String yName) {
    if (x.samples() != y.samples()) {
      throw new IllegalArgumentException(
          "Expected " + xName + " and " + yName + " to have the same number of samples. Received: " + xName
              + ".shape[0]=" + x.samples() + ", " + yName + ".shape[0]=" + y.samples());
    }
  }

  private static void checkFinite(HostArray f, String what) {
    int bad = f.firstNonFinite();
    if (bad >= 0) {
      throw new IllegalArgumentException(
          "Expected finite values in `" + what + "`. Received: " + f.floats()[bad] + " in sample "
              + (bad / Math.max(1, f.rowSize())) + " (flat index " + bad + ")");
    }
  }

  private static long[] concat(long first, long[] rest) {
    long[] out = new long[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }

  private static long[] concat(long[] head, long last) {
    long[] out = Arrays.copyOf(head, head.length + 1);
    out[head.length] = last;
    return out;
  }

  /** Python-style shape: {@code (250, 64)}. */
  public static String shape(long[] s) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < s.length; i++) {
      sb.append(i > 0 ? ", " : "").append(s[i]);
    }
    return sb.append(s.length == 1 ? ",)" : ")").toString();
  }
}
