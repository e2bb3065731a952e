package dev.kerasj.layers;

import java.util.Arrays;
import org.tensorflow.Operand;

/**
 * Keras {@code keras.Input(shape)}: declares the per-sample input shape and dtype of a {@link
 * dev.kerasj.Sequential}. It must be the first thing added; it has no weights and is not listed in
 * {@code model.layers()}, like Keras' {@code InputLayer}.
 *
 * <pre>{@code new Sequential(Input.of(8, 8, 1), new Conv2D(8, 3), ...)}</pre>
 */
public final class Input extends Layer {
  /** Element type of the model input. */
  public enum DType {
    FLOAT32,
    INT32
  }

  private final DType dtype;

  private Input(long[] shape, DType dtype) {
    super(null, shape);
    if (shape.length == 0) {
      throw new IllegalArgumentException("Input needs at least one dimension. Received: shape=()");
    }
    this.dtype = dtype;
  }

  /** A float32 input of the given per-sample shape. */
  public static Input of(long... shape) {
    return new Input(shape, DType.FLOAT32);
  }

  /** An input of the given per-sample shape and dtype ({@code INT32} for token ids fed to an Embedding). */
  public static Input of(DType dtype, long... shape) {
    return new Input(shape, dtype);
  }

  public DType dtype() {
    return dtype;
  }

  @Override
  public String className() {
    return "InputLayer";
  }

  @Override
  public String defaultNamePrefix() {
    return "input_layer";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    if (!Arrays.equals(inputShape, declaredInputShape())) {
      throw shapeError("expected shape " + Layer.formatShape(declaredInputShape()), inputShape);
    }
    return inputShape;
  }

  @Override
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return inputs;
  }
}
