package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code MaxPooling1D}: default pool size 2, strides equal to the pool size, valid padding. */
public final class MaxPooling1D extends Pooling1D {
  /** Keras' defaults: a pool of 2 steps with stride 2. */
  public MaxPooling1D() {
    this(2);
  }

  public MaxPooling1D(int poolSize) {
    this(poolSize, null, "valid", null);
  }

  /**
   * @param strides null for Keras' default (the pool size)
   * @param padding {@code "valid"} or {@code "same"}
   */
  public MaxPooling1D(int poolSize, Integer strides, String padding, String name) {
    super(poolSize, strides, padding, name);
  }

  @Override
  public String className() {
    return "MaxPooling1D";
  }

  @Override
  public String defaultNamePrefix() {
    return "max_pooling1d";
  }

  @Override
  Operand<TFloat32> pool(Ops tf, Operand<TFloat32> image, List<Long> window, List<Long> strides) {
    return tf.nn.maxPool(image, tf.constant(window.stream().mapToInt(Long::intValue).toArray()),
        tf.constant(strides.stream().mapToInt(Long::intValue).toArray()), padding.tfName());
  }
}
