package dev.kerasj.layers;

import java.util.Arrays;
import org.tensorflow.Operand;

/**
 * Keras {@code keras.Input(shape)} and {@code InputLayer}: declares a per-sample input shape and dtype.
 *
 * <p>In a {@link dev.kerasj.Sequential} it must be the first thing added; it has no weights and is not listed in
 * {@code model.layers()}:
 * <pre>{@code new Sequential(Input.of(8, 8, 1), new Conv2D(8, 3), ...)}</pre>
 *
 * <p>In the Functional API, {@link #tensor} returns the symbolic input a model starts from:
 * <pre>{@code
 * KerasTensor a = Input.tensor("a", 32);
 * KerasTensor out = new Dense(10, "softmax").apply(new Dense(16, "relu").apply(a));
 * Model model = new Model(a, out);
 * }</pre>
 */
public final class Input extends Layer {
  /** Element type of the model input. */
  public enum DType {
    FLOAT32,
    INT32
  }

  private final DType dtype;
  private KerasTensor output;

  private Input(String name, long[] shape, DType dtype) {
    super(name, shape);
    if (shape.length == 0) {
      throw new IllegalArgumentException("Input needs at least one dimension. Received: shape=()");
    }
    this.dtype = dtype;
  }

  /** A float32 input of the given per-sample shape. */
  public static Input of(long... shape) {
    return new Input(null, shape, DType.FLOAT32);
  }

  /** An input of the given per-sample shape and dtype ({@code INT32} for token ids fed to an Embedding). */
  public static Input of(DType dtype, long... shape) {
    return new Input(null, shape, dtype);
  }

  /** A named input layer ({@code keras.Input(shape, name=name)}); {@code name} may be null for an automatic one. */
  public static Input of(String name, DType dtype, long... shape) {
    return new Input(name, shape, dtype);
  }

  /** Keras' {@code keras.Input(shape)}: the symbolic float32 input of a Functional model. */
  public static KerasTensor tensor(long... shape) {
    return of(shape).output();
  }

  /**
   * Keras' {@code keras.Input(shape, name=name)}: a named symbolic float32 input; {@code fit} and {@code evaluate}
   * take a map keyed by this name.
   */
  public static KerasTensor tensor(String name, long... shape) {
    return new Input(name, shape, DType.FLOAT32).output();
  }

  /** A named symbolic input of the given dtype ({@code INT32} for token ids). */
  public static KerasTensor tensor(String name, DType dtype, long... shape) {
    return new Input(name, shape, dtype).output();
  }

  /** The symbolic tensor this input layer produces (Keras' {@code input_layer.output}). */
  public synchronized KerasTensor output() {
    if (output == null) {
      long[] shape = declaredInputShape();
      resolveShapes(shape);
      output = new KerasTensor(this, 0, java.util.List.of(), shape, dtype);
    }
    return output;
  }

  @Override
  public KerasTensor apply(java.util.List<KerasTensor> inputs, Boolean training) {
    throw new IllegalArgumentException("An Input is not called on tensors; use Input.tensor(...) or input.output()");
  }

  @Override
  public java.util.List<KerasTensor> applyOutputs(java.util.List<KerasTensor> inputs, Boolean training) {
    return java.util.List.of(apply(inputs, training));
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
