package dev.kerasj.data;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Common maps over a feature ({@link FeatureFn}), each a few TF ops run on whole batches.
 *
 * <pre>{@code
 * Dataset.fromTFRecord(file, Feature.bytes("image"), Feature.int64s("label"))
 *     .map("image", Transforms.decodeRaw(TUint8.class, 8, 8))
 *     .map("image", Transforms.normalize(8.0, 4.0))
 * }</pre>
 */
public final class Transforms {
  private Transforms() {}

  /** Casts to {@code dtype} ({@code tf.cast}). */
  public static FeatureFn cast(Class<? extends TType> dtype) {
    return (tf, x) -> tf.dtypes.cast(x, dtype);
  }

  /** Reshapes every example to {@code shape} ({@code tf.reshape(x, [-1, *shape])}). */
  public static FeatureFn reshape(long... shape) {
    long[] full = new long[shape.length + 1];
    full[0] = -1;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return (tf, x) -> tf.reshape(x, tf.constant(full));
  }

  /** {@code float32(x) * factor}, as Keras' {@code Rescaling(factor)}. */
  public static FeatureFn rescale(double factor) {
    return (tf, x) -> tf.math.mul(toFloat(tf, x), tf.constant((float) factor));
  }

  /**
   * {@code (float32(x) - mean) / sqrt(variance)}, as Keras' {@code Normalization(mean=..., variance=...)} (which
   * divides by {@code max(sqrt(variance), epsilon)}, epsilon 1e-7).
   */
  public static FeatureFn normalize(double mean, double variance) {
    if (!(variance >= 0) || Double.isInfinite(mean)) {
      throw new IllegalArgumentException("Expected a finite mean and a variance >= 0. Received: mean=" + mean
          + ", variance=" + variance);
    }
    float scale = (float) Math.max(Math.sqrt(variance), 1e-7);
    return (tf, x) -> tf.math.div(tf.math.sub(toFloat(tf, x), tf.constant((float) mean)), tf.constant(scale));
  }

  /**
   * Reinterprets each example's bytes as values of {@code dtype} ({@code tf.io.decode_raw}) shaped {@code shape};
   * for a scalar bytes feature holding, for example, {@code uint8} pixels.
   */
  public static FeatureFn decodeRaw(Class<? extends TNumber> dtype, long... shape) {
    long[] full = new long[shape.length + 1];
    full[0] = -1;
    System.arraycopy(shape, 0, full, 1, shape.length);
    return (tf, x) -> {
      if (x.type() != TString.class) {
        throw new IllegalArgumentException("decodeRaw expects a bytes feature. Received: a " + x.type().getSimpleName()
            + " feature");
      }
      @SuppressWarnings("unchecked")
      Operand<TString> s = (Operand<TString>) x;
      return tf.reshape(tf.io.decodeRaw(s, dtype), tf.constant(full));
    };
  }

  /** A numeric feature as float32. */
  static Operand<TFloat32> toFloat(Ops tf, Operand<?> x) {
    if (x.type() == TFloat32.class) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> f = (Operand<TFloat32>) x;
      return f;
    }
    if (x.type() == TString.class) {
      throw new IllegalArgumentException("Expected a numeric feature. Received: a bytes feature; decode it first, "
          + "for example with Transforms.decodeRaw");
    }
    return tf.dtypes.cast(x, TFloat32.class);
  }
}
