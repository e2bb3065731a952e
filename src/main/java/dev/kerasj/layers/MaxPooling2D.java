package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code MaxPooling2D}: default pool size 2x2, strides equal to the pool size, valid padding. */
public final class MaxPooling2D extends Pooling2D {
  /** Keras' defaults: a 2x2 pool with stride 2. */
  public MaxPooling2D() {
    this(2);
  }

  public MaxPooling2D(int poolSize) {
    this(new int[] {poolSize, poolSize}, null, "valid", null);
  }

  /**
   * @param strides null for Keras' default (the pool size)
   * @param padding {@code "valid"} or {@code "same"}
   */
  public MaxPooling2D(int[] poolSize, int[] strides, String padding, String name) {
    super(poolSize, strides, padding, name);
  }

  @Override
  public String className() {
    return "MaxPooling2D";
  }

  @Override
  public String defaultNamePrefix() {
    return "max_pooling2d";
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    return tf.nn.maxPool((Operand<TFloat32>) inputs,
        tf.constant(new int[] {1, poolSize[0], poolSize[1], 1}),
        tf.constant(new int[] {1, strides[0], strides[1], 1}), padding.tfName());
  }
}
