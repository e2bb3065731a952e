package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code AveragePooling1D}: default pool size 2, strides equal to the pool size, valid padding. With
 * {@code "same"} padding an edge window averages only the steps it covers, as TensorFlow's {@code AvgPool} does.
 */
public final class AveragePooling1D extends Pooling1D {
  /** A pool of {@code poolSize} steps with stride {@code poolSize} (Keras requires {@code pool_size}: no default). */
  public AveragePooling1D(int poolSize) {
    this(poolSize, null, "valid", null);
  }

  /**
   * @param strides null for Keras' default (the pool size)
   * @param padding {@code "valid"} or {@code "same"}
   */
  public AveragePooling1D(int poolSize, Integer strides, String padding, String name) {
    super(poolSize, strides, padding, name);
  }

  @Override
  public String className() {
    return "AveragePooling1D";
  }

  @Override
  public String defaultNamePrefix() {
    return "average_pooling1d";
  }

  @Override
  Operand<TFloat32> pool(Ops tf, Operand<TFloat32> image, List<Long> window, List<Long> strides) {
    return tf.nn.avgPool(image, window, strides, padding.tfName());
  }
}
