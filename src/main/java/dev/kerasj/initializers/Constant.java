package dev.kerasj.initializers;

import java.util.Arrays;

/** Fills a weight with one value: Keras {@code zeros}, {@code ones} or {@code Constant(value)}. */
public record Constant(float value) implements Initializer {
  /** Keras {@code "zeros"}: the default bias initializer. */
  public static Constant zeros() {
    return new Constant(0f);
  }

  /** Keras {@code "ones"}: the default BatchNormalization gamma and moving-variance initializer. */
  public static Constant ones() {
    return new Constant(1f);
  }

  @Override
  public float[] generate(long[] shape, long seed) {
    float[] out = new float[Initializer.size(shape)];
    Arrays.fill(out, value);
    return out;
  }

  @Override
  public String name() {
    return value == 0f ? "zeros" : value == 1f ? "ones" : "constant";
  }
}
