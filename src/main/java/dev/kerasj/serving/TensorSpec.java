package dev.kerasj.serving;

import java.util.Arrays;

/**
 * One input or output of a signature, as the SavedModel declares it.
 *
 * @param name the key callers use ({@code "features"}, {@code "output_0"})
 * @param dtype TensorFlow's dtype name: {@code float32}, {@code float64}, {@code int32}, {@code int64}, {@code bool},
 *     {@code string}, or another TensorFlow name for dtypes the serving API cannot feed (such as {@code uint8})
 * @param shape dimensions, {@code -1} where any size is accepted; null when even the rank is unknown
 * @param tensorName the graph tensor behind it ({@code serving_default_features:0}); not needed by callers
 */
public record TensorSpec(String name, String dtype, long[] shape, String tensorName) {
  public TensorSpec {
    shape = shape == null ? null : shape.clone();
  }

  @Override
  public long[] shape() {
    return shape == null ? null : shape.clone();
  }

  /** {@code name: dtype[?, 3]}, the form error messages use. */
  public String describe() {
    return name + ": " + dtype + shapeText(shape);
  }

  static String shapeText(long[] shape) {
    if (shape == null) {
      return "[unknown rank]";
    }
    return Arrays.toString(Arrays.stream(shape).mapToObj(d -> d < 0 ? "?" : Long.toString(d)).toArray());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorSpec t && name.equals(t.name) && dtype.equals(t.dtype) && Arrays.equals(shape, t.shape)
        && tensorName.equals(t.tensorName);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return describe();
  }
}
