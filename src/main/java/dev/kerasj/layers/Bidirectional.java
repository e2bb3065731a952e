package dev.kerasj.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Bidirectional(layer, mergeMode)}: runs a copy of a recurrent layer forwards ({@code forward_<name>})
 * and a copy backwards ({@code backward_<name>}, {@code goBackwards} flipped), both on the same input and mask, and
 * merges their outputs (as in Keras, the wrapped layer must not itself go backwards): {@code "concat"} (Keras' default, along the last axis), {@code "sum"}, {@code "mul"} or
 * {@code "ave"}. With {@code returnSequences} the backward sequence is flipped back into input order before merging,
 * and the input's mask passes on; the two layers then output zeros at masked steps (Keras forces their
 * {@code zero_output_for_mask} to {@code return_sequences}). Weights: the forward layer's, then the backward layer's; files address them as
 * Keras does ({@code layers/bidirectional/forward_layer/cell/vars/0}, {@code .../forward_layer/cell/kernel}).
 *
 * <pre>{@code new Bidirectional(LSTM.builder(16).returnSequences(true).build())}   or
 * {@code new Bidirectional(new GRU(8), "sum")}</pre>
 */
public final class Bidirectional extends Layer {
  /** Keras' default {@code merge_mode}. */
  public static final String DEFAULT_MERGE_MODE = "concat";
  private static final List<String> MERGE_MODES = List.of("concat", "sum", "mul", "ave");

  private final Recurrent layer;
  private final String mergeMode;
  private final Recurrent forward;
  private final Recurrent backward;

  public Bidirectional(Recurrent layer) {
    this(layer, DEFAULT_MERGE_MODE, null);
  }

  public Bidirectional(Recurrent layer, String mergeMode) {
    this(layer, mergeMode, null);
  }

  public Bidirectional(Recurrent layer, String mergeMode, String name) {
    this(layer, mergeMode, name, null);
  }

  /**
   * Keras' {@code Bidirectional(layer, merge_mode, backward_layer=...)}.
   *
   * @param layer the recurrent layer to copy as the forward layer (it stays unused itself: Keras clones it too)
   * @param mergeMode {@code "concat"}, {@code "sum"}, {@code "mul"} or {@code "ave"}
   * @param name this layer's name, or null for {@code bidirectional}, {@code bidirectional_1} ...
   * @param backwardLayer the layer to copy as the backward layer (it must have {@code goBackwards}), or null for a
   *     copy of {@code layer} with {@code goBackwards} set, named {@code backward_<name>}
   */
  public Bidirectional(Recurrent layer, String mergeMode, String name, Recurrent backwardLayer) {
    super(name, layer == null ? null : layer.declaredInputShape());
    if (layer == null) {
      throw new IllegalArgumentException("Please initialize `Bidirectional` layer with a `keras.layers.Layer` "
          + "instance. Received: null");
    }
    if (!MERGE_MODES.contains(mergeMode)) {
      throw new IllegalArgumentException("Invalid merge mode. Received: " + mergeMode + ". Merge mode should be one "
          + "of {\"concat\", \"sum\", \"mul\", \"ave\"} (kerasj does not implement None, which returns two outputs)");
    }
    this.layer = layer;
    this.mergeMode = mergeMode;
    String inner = layer.name() != null ? layer.name() : layer.defaultNamePrefix();
    // Keras: "forward_" + the name without a "forward_" prefix, so a config's forward layer keeps its name.
    // Keras forces zero_output_for_mask = return_sequences on both layers.
    this.forward = layer.copy(layer.goBackwards(), "forward_" + strip(inner, "forward_"), layer.returnSequences());
    this.backward = backwardLayer == null
        ? layer.copy(true, "backward_" + strip(inner, "backward_"), layer.returnSequences())
        : backwardLayer.copy(backwardLayer.goBackwards(),
            backwardLayer.name() != null ? backwardLayer.name() : "backward_" + backwardLayer.defaultNamePrefix(),
            backwardLayer.returnSequences());
    // Keras' _verify_layer_config.
    if (forward.goBackwards() == backward.goBackwards()) {
      throw new IllegalArgumentException("Forward layer and backward layer should have different `go_backwards` "
          + "value. Received: forward_layer.go_backwards " + py(forward.goBackwards())
          + ", backward_layer.go_backwards=" + py(backward.goBackwards()));
    }
    if (forward.returnSequences() != backward.returnSequences()) {
      throw new IllegalArgumentException("Forward layer and backward layer are expected to have the same value for "
          + "attribute \"return_sequences\", got \"" + py(forward.returnSequences()) + "\" for forward layer and \""
          + py(backward.returnSequences()) + "\" for backward layer");
    }
    if (forward.returnState() != backward.returnState()) {
      throw new IllegalArgumentException("Forward layer and backward layer are expected to have the same value for "
          + "attribute \"return_state\", got \"" + py(forward.returnState()) + "\" for forward layer and \""
          + py(backward.returnState()) + "\" for backward layer");
    }
    if (!mergeMode.equals("concat") && forward.units() != backward.units()) {
      throw new IllegalArgumentException("Bidirectional merge_mode=" + mergeMode + " needs forward and backward "
          + "layers of the same units. Received: " + forward.units() + " and " + backward.units());
    }
  }

  private static String strip(String name, String prefix) {
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  private static String py(boolean b) {
    return b ? "True" : "False";
  }

  /** The wrapped layer, as given. */
  public Recurrent layer() {
    return layer;
  }

  public Recurrent forwardLayer() {
    return forward;
  }

  public Recurrent backwardLayer() {
    return backward;
  }

  public String mergeMode() {
    return mergeMode;
  }

  @Override
  public String className() {
    return "Bidirectional";
  }

  @Override
  public String defaultNamePrefix() {
    return "bidirectional";
  }

  /**
   * Keras' {@code Bidirectional(layer)(sequences, initial_state=[...])}: the first half of the states starts the
   * forward layer, the second half the backward one ({@code [h_f, c_f, h_b, c_b]} for LSTM, {@code [h_f, h_b]} for GRU
   * and SimpleRNN), each {@code [batch, units]}. As in Keras 3.15, a call given states runs without the input's mask
   * ({@code Layer.__call__} fills {@code mask} only for a call of one tensor argument; Bidirectional passes the mask it
   * got, none, to both layers). For a layer of one output; one with {@code returnState} takes
   * {@link #applyOutputs(KerasTensor, List)}.
   */
  public KerasTensor apply(KerasTensor sequences, List<KerasTensor> initialState) {
    return apply(withStates(sequences, initialState), null);
  }

  /** {@link #apply(KerasTensor, List)} returning every output: {@code output, *forward_states, *backward_states}. */
  public List<KerasTensor> applyOutputs(KerasTensor sequences, List<KerasTensor> initialState) {
    return applyOutputs(withStates(sequences, initialState), null);
  }

  private List<KerasTensor> withStates(KerasTensor sequences, List<KerasTensor> initialState) {
    int expected = forward.stateCount() + backward.stateCount();
    if (initialState == null || initialState.size() != expected) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") takes an "
          + "initial_state of " + expected + " tensors (" + (forward.stateCount() == 2 ? "h_f, c_f, h_b, c_b"
          : "h_f, h_b") + "). Received: " + (initialState == null ? "null" : initialState.size() + " tensors"));
    }
    List<KerasTensor> all = new ArrayList<>();
    all.add(sequences);
    all.addAll(initialState);
    return all;
  }

  /** The sequences' shape, then with an initial state the forward layer's states and the backward layer's. */
  @Override
  public long[] computeOutputShape(List<long[]> shapes) {
    if (shapes.size() == 1) {
      return computeOutputShape(shapes.get(0));
    }
    int half = (shapes.size() - 1) / 2;
    if (shapes.size() != 1 + forward.stateCount() + backward.stateCount()) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") takes sequences and "
          + "optionally an initial_state of " + (forward.stateCount() + backward.stateCount()) + " tensors. Received: "
          + shapes.size() + " inputs");
    }
    // Each layer checks its half of the states against its units, naming the state that does not fit.
    forward.computeOutputShape(withFirst(shapes.get(0), shapes.subList(1, 1 + half)));
    backward.computeOutputShape(withFirst(shapes.get(0), shapes.subList(1 + half, shapes.size())));
    return computeOutputShape(shapes.get(0));
  }

  private static <T> List<T> withFirst(T first, List<T> rest) {
    List<T> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    long[] f = forward.resolveShapes(in);
    backward.resolveShapes(in);
    if (mergeMode.equals("concat")) {
      f[f.length - 1] *= 2;
    }
    return f;
  }

  /**
   * 1, or with the wrapped layer's {@code returnState} 1 + its states twice: Keras' {@code output, *forward_states,
   * *backward_states} ({@code output, h_f, c_f, h_b, c_b} for LSTM).
   */
  @Override
  public int outputCount() {
    return forward.returnState() ? 1 + forward.stateCount() + backward.stateCount() : 1;
  }

  @Override
  protected String outputsDescription() {
    return forward.stateCount() == 2 ? " (returnState: output, h_f, c_f, h_b, c_b)"
        : " (returnState: output, h_f, h_b)";
  }

  /** The merged output's shape, then with {@code returnState} each state's, forward then backward. */
  @Override
  public List<long[]> computeOutputShapes(List<long[]> shapes) {
    List<long[]> out = new ArrayList<>();
    out.add(computeOutputShape(shapes));
    if (forward.returnState()) {
      for (Recurrent r : List.of(forward, backward)) {
        for (int i = 0; i < r.stateCount(); i++) {
          out.add(new long[] {r.units()});
        }
      }
    }
    return out;
  }

  /** The forward then the backward layer: each builds its own weights under this layer's scope. */
  @Override
  public List<Layer> sublayers() {
    return List.of(forward, backward);
  }

  @Override
  public List<Weight> weights() {
    List<Weight> all = new ArrayList<>(forward.weights());
    all.addAll(backward.weights());
    return List.copyOf(all);
  }

  /** Only for {@link #weightShapes}: a model builds the two sublayers itself. */
  @Override
  protected void build(LayerContext ctx, long[] inputShape) {
    forward.build(ctx, inputShape);
    backward.build(ctx, inputShape);
  }

  /** Keras' trainable setter: freezing the wrapper freezes both layers. */
  @Override
  public Layer setTrainable(boolean trainable) {
    forward.setTrainable(trainable);
    backward.setTrainable(trainable);
    return super.setTrainable(trainable);
  }

  @Override
  public void releaseWeights() {
    forward.releaseWeights();
    backward.releaseWeights();
    super.releaseWeights();
  }

  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    return forward.returnSequences() && !masks.isEmpty() ? masks.get(0) : null;
  }

  @Override
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    List<Operand<TBool>> none = new ArrayList<>();
    none.add(null);
    return call(ctx, List.of(inputs), none, training);
  }

  @Override
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks, boolean training) {
    return callOutputs(ctx, inputs, masks, training).get(0);
  }

  /** The merged output, then with {@code returnState} the forward layer's last states and the backward layer's. */
  @Override
  @SuppressWarnings("unchecked")
  public List<Operand<?>> callOutputs(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    Ops tf = ctx.tf();
    List<Operand<?>> forwardInputs = inputs;
    List<Operand<?>> backwardInputs = inputs;
    if (inputs.size() > 1) { // Keras' initial_state: the first half starts the forward layer, the rest the backward
      int half = (inputs.size() - 1) / 2;
      forwardInputs = withFirst(inputs.get(0), inputs.subList(1, 1 + half));
      backwardInputs = withFirst(inputs.get(0), inputs.subList(1 + half, inputs.size()));
    }
    List<Operand<?>> ys = forward.callOutputs(ctx.sublayer(forward), forwardInputs, masks, training);
    List<Operand<?>> ysRev = backward.callOutputs(ctx.sublayer(backward), backwardInputs, masks, training);
    Operand<TFloat32> y = (Operand<TFloat32>) ys.get(0);
    Operand<TFloat32> yRev = (Operand<TFloat32>) ysRev.get(0);
    if (forward.returnSequences()) {
      yRev = tf.reverse(yRev, tf.constant(new long[] {1}));
    }
    Operand<TFloat32> merged = switch (mergeMode) {
      case "concat" -> tf.concat(List.of(y, yRev), tf.constant(-1));
      case "sum" -> tf.math.add(y, yRev);
      case "mul" -> tf.math.mul(y, yRev);
      default -> tf.math.div(tf.math.add(y, yRev), tf.constant(2f)); // ave
    };
    List<Operand<?>> out = new ArrayList<>();
    out.add(merged);
    out.addAll(ys.subList(1, ys.size()));
    out.addAll(ysRev.subList(1, ysRev.size()));
    return out;
  }
}
