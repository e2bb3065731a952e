package dev.kerasj.data;

import java.util.Arrays;

/**
 * One feature of a {@code tf.train.Example} record, as Python's {@code tf.io.FixedLenFeature} /
 * {@code tf.io.VarLenFeature} describe it: its key, its type and, for a fixed-length feature, its per-example shape.
 *
 * <pre>{@code
 * Feature.floats("pixels", 64)      // FixedLenFeature([64], tf.float32)
 * Feature.int64s("label")           // FixedLenFeature([], tf.int64): one value per example
 * Feature.bytes("image")            // FixedLenFeature([], tf.string)
 * Feature.varLenInt64s("tokens", 20) // VarLenFeature(tf.int64), padded with 0 or cut to 20 values per example
 * }</pre>
 *
 * <p>A variable-length feature becomes dense: each example's values, padded with zeros (empty strings for bytes) or
 * cut to {@code length}, since a model input has a fixed shape.
 */
public final class Feature {
  /** The three value lists a {@code tf.train.Feature} can hold. */
  public enum Type {
    /** {@code float_list}: float32. */
    FLOAT,
    /** {@code int64_list}: int64 (cast to the model's int32 or float32 when fed). */
    INT64,
    /** {@code bytes_list}: strings; map them to numbers (for example {@link Transforms#decodeRaw}) before a model. */
    BYTES
  }

  private final String name;
  private final Type type;
  private final long[] shape;
  private final boolean varLen;

  private Feature(String name, Type type, long[] shape, boolean varLen) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("Expected a feature name. Received: " + (name == null ? "null" : "\"\""));
    }
    for (long d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException("Expected positive dimensions for feature '" + name + "'. Received: shape="
            + Arrays.toString(shape));
      }
    }
    this.name = name;
    this.type = type;
    this.shape = shape.clone();
    this.varLen = varLen;
  }

  /** A fixed-length float feature of per-example {@code shape} (none: one value). */
  public static Feature floats(String name, long... shape) {
    return new Feature(name, Type.FLOAT, shape, false);
  }

  /** A fixed-length int64 feature of per-example {@code shape} (none: one value). */
  public static Feature int64s(String name, long... shape) {
    return new Feature(name, Type.INT64, shape, false);
  }

  /** A fixed-length bytes feature of per-example {@code shape} (none: one string). */
  public static Feature bytes(String name, long... shape) {
    return new Feature(name, Type.BYTES, shape, false);
  }

  /** A variable-length float feature, made dense: zero-padded or cut to {@code length} values per example. */
  public static Feature varLenFloats(String name, long length) {
    return new Feature(name, Type.FLOAT, new long[] {length}, true);
  }

  /** A variable-length int64 feature, made dense: zero-padded or cut to {@code length} values per example. */
  public static Feature varLenInt64s(String name, long length) {
    return new Feature(name, Type.INT64, new long[] {length}, true);
  }

  /** A variable-length bytes feature, made dense: padded with empty strings or cut to {@code length}. */
  public static Feature varLenBytes(String name, long length) {
    return new Feature(name, Type.BYTES, new long[] {length}, true);
  }

  public String name() {
    return name;
  }

  public Type type() {
    return type;
  }

  /** The per-example shape ({@code [length]} for a variable-length feature). */
  public long[] shape() {
    return shape.clone();
  }

  /** Whether this is a {@code VarLenFeature}. */
  public boolean varLen() {
    return varLen;
  }

  @Override
  public String toString() {
    return (varLen ? "VarLenFeature(" : "FixedLenFeature(") + name + ", " + type + ", " + Arrays.toString(shape) + ")";
  }
}
