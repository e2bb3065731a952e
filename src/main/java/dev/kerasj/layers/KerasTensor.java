package dev.kerasj.layers;

import java.util.List;

/**
 * Keras' {@code KerasTensor}: a symbolic tensor of the Functional API. {@link Input#tensor} makes one, and
 * {@link Layer#apply} returns one for a layer's output; a {@code Model} is made from input and output tensors. It
 * holds no data: its shape (without the batch dimension), its dtype, and how it was computed (the layer, which call
 * of that layer, which of that call's outputs, and the call's inputs): Keras' {@code keras_history [layer, node_index,
 * tensor_index]}. A call of a layer with several outputs ({@code LSTM} with {@code returnState}) makes one tensor per
 * output, all with the same {@link #node()}.
 */
public final class KerasTensor {
  private final Layer layer;
  private final int nodeIndex;
  private final List<KerasTensor> inputs;
  private final long[] shape;
  private final Input.DType dtype;
  private final Boolean training;
  private final int tensorIndex;
  /** Every output of the call, in order, shared by its tensors; element 0 stands for the call. */
  private final List<KerasTensor> siblings;

  KerasTensor(Layer layer, int nodeIndex, List<KerasTensor> inputs, long[] shape, Input.DType dtype) {
    this(layer, nodeIndex, inputs, shape, dtype, null);
  }

  KerasTensor(Layer layer, int nodeIndex, List<KerasTensor> inputs, long[] shape, Input.DType dtype,
      Boolean training) {
    this(layer, nodeIndex, inputs, shape, dtype, training, 0, new java.util.ArrayList<>());
    siblings.add(this);
  }

  private KerasTensor(Layer layer, int nodeIndex, List<KerasTensor> inputs, long[] shape, Input.DType dtype,
      Boolean training, int tensorIndex, List<KerasTensor> siblings) {
    this.training = training;
    this.layer = layer;
    this.nodeIndex = nodeIndex;
    this.inputs = List.copyOf(inputs);
    this.shape = shape.clone();
    this.dtype = dtype;
    this.tensorIndex = tensorIndex;
    this.siblings = siblings;
  }

  /** The tensors of one call of {@code layer} with several outputs, one per shape, in output order. */
  static List<KerasTensor> call(Layer layer, int nodeIndex, List<KerasTensor> inputs, List<long[]> shapes,
      Input.DType dtype, Boolean training) {
    List<KerasTensor> all = new java.util.ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      all.add(new KerasTensor(layer, nodeIndex, inputs, shapes.get(i), dtype, training, i, all));
    }
    return List.copyOf(all);
  }

  /** The layer whose call produced this tensor (the {@link Input} for a model input). */
  public Layer layer() {
    return layer;
  }

  /** Which call of {@link #layer()} produced it: 0 for the first, 1 for a shared layer's second call ... */
  public int nodeIndex() {
    return nodeIndex;
  }

  /**
   * Which output of its call this is (Keras' {@code tensor_index}): 0 for a layer of one output; for an {@code LSTM}
   * with {@code returnState}, 0 the output, 1 the state {@code h}, 2 the state {@code c}.
   */
  public int tensorIndex() {
    return tensorIndex;
  }

  /** The tensor that stands for this tensor's call (output 0 of it): itself for a layer of one output. */
  public KerasTensor node() {
    return siblings.get(0);
  }

  /** Every output of this tensor's call, in output order ({@code node().outputs()} for any of them). */
  public List<KerasTensor> outputs() {
    return List.copyOf(siblings);
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
        + ", produced by '" + (layer.name() != null ? layer.name() : layer.className()) + "' call " + nodeIndex + (tensorIndex == 0 ? "" : " output " + tensorIndex) + ")";
  }
}
