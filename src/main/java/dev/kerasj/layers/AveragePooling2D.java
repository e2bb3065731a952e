package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Keras {@code AveragePooling2D}: default pool size 2x2, strides equal to the pool size, valid padding. */
public final class AveragePooling2D extends Pooling2D {
  public AveragePooling2D() {
    this(2);
  }

  public AveragePooling2D(int poolSize) {
    this(new int[] {poolSize, poolSize}, null, "valid", null);
  }

  /**
   * @param strides null for Keras' default (the pool size)
   * @param padding {@code "valid"} or {@code "same"}
   */
  public AveragePooling2D(int[] poolSize, int[] strides, String padding, String name) {
    super(poolSize, strides, padding, name);
  }

  @Override
  public String className() {
    return "AveragePooling2D";
  }

  @Override
  public String defaultNamePrefix() {
    return "average_pooling2d";
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return ctx.tf().nn.avgPool((Operand<TFloat32>) inputs,
        List.of(1L, (long) poolSize[0], (long) poolSize[1], 1L),
        List.of(1L, (long) strides[0], (long) strides[1], 1L), padding.tfName());
  }
}
