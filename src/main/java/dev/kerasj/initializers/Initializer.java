package dev.kerasj.initializers;

/**
 * Produces the starting values of a weight, like a Keras initializer.
 *
 * <p>Values are generated on the Java heap and fed into the variable once, so an initializer is plain Java and
 * deterministic for a given seed. Keras' own random streams cannot be reproduced bit for bit; tests that must match
 * Keras load Keras' initial weights instead.
 */
public interface Initializer {
  /**
   * Returns {@code product(shape)} values in row-major order.
   *
   * @param shape the weight's shape, such as {@code [fanIn, units]} for a Dense kernel
   * @param seed the seed to use when this initializer was not given one explicitly
   */
  float[] generate(long[] shape, long seed);

  /** The Keras identifier of this initializer, such as {@code "glorot_uniform"}. */
  String name();

  /** Number of values in a tensor of this shape. */
  static int size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  /** Keras' {@code compute_fans}: fan-in and fan-out of a kernel shape (receptive field folded in for convs). */
  static double[] fans(long[] shape) {
    if (shape.length == 0) {
      return new double[] {1, 1};
    }
    if (shape.length == 1) {
      return new double[] {shape[0], shape[0]};
    }
    if (shape.length == 2) {
      return new double[] {shape[0], shape[1]};
    }
    double receptive = 1;
    for (int i = 0; i < shape.length - 2; i++) {
      receptive *= shape[i];
    }
    return new double[] {shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive};
  }
}
