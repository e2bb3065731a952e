package dev.kerasj.layers;

import java.util.List;

/**
 * Keras' {@code KerasTensor}: a symbolic tensor of the Functional API. {@link Input#tensor} makes one, and
 * {@link Layer#apply} returns one for a layer's output; a {@code Model} is made from input and output tensors. It
 * holds no data: its shape (without the batch dimension), its dtype, and how it was computed (the layer, which call
 * of that layer, and the call's inputs).
 */
public final class KerasTensor {
  private final Layer layer;
  private final int nodeIndex;
  private final List<KerasTensor> inputs;
  private final long[] shape;
  private final Input.DType dtype;
  private final Boolean training;

  KerasTensor(Layer layer, int nodeIndex, List<KerasTensor> inputs, long[] shape, Input.DType dtype) {
    this(layer, nodeIndex, inputs, shape, dtype, null);
  }

  KerasTensor(Layer layer, int nodeIndex, List<KerasTensor> inputs, long[] shape, Input.DType dtype,
      Boolean training) {
    this.training = training;
    this.layer = layer;
    this.nodeIndex = nodeIndex;
    this.inputs = List.copyOf(inputs);
    this.shape = shape.clone();
    this.dtype = dtype;
  }

  /** The layer whose call produced this tensor (the {@link Input} for a model input). */
  public Layer layer() {
    return layer;
  }

  /** Which call of {@link #layer()} produced it: 0 for the first, 1 for a shared layer's second call ... */
  public int nodeIndex() {
    return nodeIndex;
  }

  /** The tensors the producing call took; empty for a model input. */
  public List<KerasTensor> inputs() {
    return inputs;
  }

  /** Per-sample shape, without the batch dimension. */
  public long[] shape() {
    return shape.clone();
  }

  public Input.DType dtype() {
    return dtype;
  }

  /**
   * The {@code training} argument its call was given ({@code layer(x, training=False)} in Keras), or null when the call
   * follows the model: training in {@code fit}, inference in {@code predict} and {@code evaluate}.
   */
  public Boolean training() {
    return training;
  }

  /** Whether this tensor is a model input ({@link Input#tensor}). */
  public boolean isInput() {
    return inputs.isEmpty() && layer instanceof Input;
  }

  @Override
  public String toString() {
    return "KerasTensor(shape=" + Layer.formatShape(shape) + ", dtype=" + dtype.name().toLowerCase(java.util.Locale.ROOT)
        + ", produced by '" + (layer.name() != null ? layer.name() : layer.className()) + "' call " + nodeIndex + ")";
  }
}
