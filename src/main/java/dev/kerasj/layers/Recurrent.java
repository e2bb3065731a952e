package dev.kerasj.layers;

import dev.kerasj.activations.Activations;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Initializer;
import dev.kerasj.initializers.Orthogonal;
import dev.kerasj.initializers.VarianceScaling;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What Keras' recurrent layers ({@link SimpleRNN}, {@link LSTM}, {@link GRU}) share: input {@code [batch, steps,
 * features]}, weights {@code kernel} ({@code [features, gates * units]}), {@code recurrent_kernel}
 * ({@code [units, gates * units]}) and {@code bias}, kept by Keras in the layer's {@code cell} (so files address them as
 * {@code layers/lstm/cell/vars/0} and {@code .../cell/kernel}), and Keras 3.15's step loop.
 *
 * <p><b>Unrolled graph.</b> TensorFlow Java 1.1.0 computes gradients with the C++ gradient registry, which has none for
 * the functional {@code While} op nor for {@code BlockLSTM}. The loop is therefore unrolled over the static number of
 * steps: the input projection {@code x . kernel} is one matmul for every step, then each step adds a few ops
 * (a matmul with {@code recurrent_kernel}, a split, the gate activations). Graph size, build time and step time grow
 * linearly with the sequence length; README.md gives the measured limit.
 *
 * <p><b>Masks</b> (from {@link Masking}) are handled as Keras' {@code backend.rnn} does: at a masked step the state and
 * the output keep their previous values (zeros before the first real step). With {@code returnSequences} the output
 * carries the input's mask on; otherwise the mask stops here. With {@code goBackwards} the steps (and the mask) are
 * read last to first, and a returned sequence is in that reversed order, as in Keras.
 *
 * <p><b>Dropout</b> ({@code dropout}, {@code recurrent_dropout}) follows Keras 3: one mask per sequence, kept for every
 * step; with {@code recurrent_dropout}, LSTM and GRU use Keras' implementation 1 (one input mask and one state mask per
 * gate). Masks come from a stateless generator keyed by (layer seed, optimizer step), so a resumed run draws what an
 * uninterrupted one would; they match Keras in distribution, not bit for bit.
 *
 * <p><b>States</b>: with {@code returnState} a call returns the output and the last states ({@code h}, and {@code c}
 * for LSTM), Keras' {@code output, *states = layer(x)}, through {@link #applyOutputs}; {@link #apply(KerasTensor, List)}
 * and {@link #applyOutputs(KerasTensor, List)} start from given states, Keras' {@code layer(x, initial_state=[h, c])},
 * which an encoder-decoder (seq2seq) model feeds with an encoder's states.
 *
 * <p>Not implemented (a clear error where a Keras config asks for them): {@code stateful}, regularizers and
 * constraints. {@code unroll=True} is accepted: kerasj always unrolls,
 * with the same maths.
 */
public abstract class Recurrent extends Layer {
  /** Keras' default {@code activation}. */
  public static final String DEFAULT_ACTIVATION = "tanh";
  /** Keras' default {@code recurrent_activation} (LSTM, GRU). */
  public static final String DEFAULT_RECURRENT_ACTIVATION = "sigmoid";

  private final int units;
  private final Activations activation;
  private final boolean useBias;
  private final Initializer kernelInitializer;
  private final Initializer recurrentInitializer;
  private final Initializer biasInitializer;
  private final boolean returnSequences;
  private final boolean returnState;
  private final boolean goBackwards;
  private final boolean zeroOutputForMask;
  private final double dropout;
  private final double recurrentDropout;
  /** Per-gate recurrent dropout masks of the graph being built ({@code [batch, units]} each), or null. */
  private List<Operand<TFloat32>> recurrentMasks;
  private Weight kernel;
  private Weight recurrentKernel;
  private Weight bias;

  Recurrent(Builder<?> b) {
    super(b.name, b.inputShape);
    if (b.units <= 0) {
      throw new IllegalArgumentException("Received an invalid value for argument `units`, expected a positive "
          + "integer, got " + b.units + ".");
    }
    this.units = b.units;
    this.activation = b.activation;
    this.useBias = b.useBias;
    this.kernelInitializer = b.kernelInitializer;
    this.recurrentInitializer = b.recurrentInitializer;
    this.biasInitializer = b.biasInitializer;
    this.returnSequences = b.returnSequences;
    this.returnState = b.returnState;
    this.goBackwards = b.goBackwards;
    this.zeroOutputForMask = b.zeroOutputForMask;
    for (double r : new double[] {b.dropout, b.recurrentDropout}) {
      if (!(r >= 0 && r < 1)) {
        throw new IllegalArgumentException("Invalid value received for argument `"
            + (r == b.dropout ? "dropout" : "recurrent_dropout") + "`. Expected a float value between 0 and 1 "
            + "(exclusive of 1). Received: " + (r == b.dropout ? "dropout" : "recurrent_dropout") + "=" + r);
      }
    }
    this.dropout = b.dropout;
    this.recurrentDropout = b.recurrentDropout;
  }

  /** Keras' {@code dropout}: the fraction of input features dropped in training, one mask per sequence. */
  public final double dropout() {
    return dropout;
  }

  /** Keras' {@code recurrent_dropout}: the fraction of the previous state dropped in training, one mask per sequence. */
  public final double recurrentDropout() {
    return recurrentDropout;
  }

  public final int units() {
    return units;
  }

  public final Activations activation() {
    return activation;
  }

  public final boolean useBias() {
    return useBias;
  }

  public final Initializer kernelInitializer() {
    return kernelInitializer;
  }

  public final Initializer recurrentInitializer() {
    return recurrentInitializer;
  }

  public final Initializer biasInitializer() {
    return biasInitializer;
  }

  /** Keras' {@code return_sequences}: the output of every step ({@code [batch, steps, units]}), or the last only. */
  public final boolean returnSequences() {
    return returnSequences;
  }

  /**
   * Keras' {@code return_state}: a call also returns the last states ({@code [batch, units]} each: {@code h}, and
   * {@code c} for LSTM) after the output; see {@link #applyOutputs}.
   */
  public final boolean returnState() {
    return returnState;
  }

  /** 1, or with {@link #returnState()} 1 + the number of states (3 for LSTM: output, h, c; 2 for GRU, SimpleRNN). */
  @Override
  public final int outputCount() {
    return returnState ? 1 + stateCount() : 1;
  }

  @Override
  protected final String outputsDescription() {
    return stateCount() == 2 ? " (returnState: output, h, c)" : " (returnState: output, h)";
  }

  /**
   * Keras' {@code layer(sequences, initial_state=[h, c])}: the steps start from the given states instead of zeros,
   * one {@code [batch, units]} tensor per state ({@code h}, and {@code c} for LSTM). For a layer of one output; one
   * with {@link #returnState()} takes {@link #applyOutputs(KerasTensor, List)}.
   */
  public final KerasTensor apply(KerasTensor sequences, List<KerasTensor> initialState) {
    return apply(withStates(sequences, initialState), null);
  }

  /** {@link #apply(KerasTensor, List)} returning every output: {@code output, *states} with {@link #returnState()}. */
  public final List<KerasTensor> applyOutputs(KerasTensor sequences, List<KerasTensor> initialState) {
    return applyOutputs(withStates(sequences, initialState), null);
  }

  private List<KerasTensor> withStates(KerasTensor sequences, List<KerasTensor> initialState) {
    if (initialState == null || initialState.size() != stateCount()) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") takes an "
          + "initial_state of " + stateCount() + (stateCount() == 1 ? " tensor (h)" : " tensors (h, c)")
          + ". Received: " + (initialState == null ? "null" : initialState.size() + " tensors"));
    }
    List<KerasTensor> all = new ArrayList<>();
    all.add(sequences);
    all.addAll(initialState);
    return all;
  }

  /** Keras' {@code go_backwards}: the steps are read last to first. */
  public final boolean goBackwards() {
    return goBackwards;
  }

  /**
   * Keras' {@code zero_output_for_mask}: with a mask, a masked step outputs zeros instead of the previous output (the
   * state is carried either way). {@link Bidirectional} sets it on its layers when they return sequences, as Keras does.
   */
  public final boolean zeroOutputForMask() {
    return zeroOutputForMask;
  }

  /**
   * The name of Keras' {@code cell} sublayer that holds the weights ({@code lstm_cell}, {@code gru_cell},
   * {@code simple_rnn_cell}): Keras' {@code variable.path} is {@code lstm/lstm_cell/kernel}, and files address the
   * weights through the attribute {@code cell}.
   */
  public final String cellName() {
    return defaultNamePrefix() + "_cell";
  }

  /**
   * A new, unbuilt layer with this one's arguments, but {@code goBackwards} as given and the given name:
   * {@link Bidirectional}'s forward and backward layers.
   */
  abstract Recurrent copy(boolean goBackwards, String name, boolean zeroOutputForMask);

  /** Sets every argument this base class holds on {@code b}, from this layer. */
  final <B extends Builder<B>> B copyInto(B b, boolean goBackwards, String name, boolean zeroOutputForMask) {
    b.activation = activation;
    return b.returnState(returnState).zeroOutputForMask(zeroOutputForMask).dropout(dropout)
        .recurrentDropout(recurrentDropout).useBias(useBias).kernelInitializer(kernelInitializer)
        .recurrentInitializer(recurrentInitializer)
        .biasInitializer(biasInitializer).returnSequences(returnSequences).goBackwards(goBackwards).name(name);
  }

  /** Number of gates, the blocks of {@code kernel}'s columns: 1 (SimpleRNN), 4 (LSTM: i, f, c, o), 3 (GRU: z, r, h). */
  abstract int gates();

  /** The shape of {@code bias}: {@code [gates * units]}, or GRU's {@code [2, 3 * units]}. */
  long[] biasShape() {
    return new long[] {(long) gates() * units};
  }

  /** The initializer actually used for {@code bias} (LSTM's {@code unit_forget_bias} wraps the declared one). */
  Initializer effectiveBiasInitializer() {
    return biasInitializer;
  }

  /** The number of state tensors, each {@code [batch, units]}: 1, or 2 for LSTM (h, c). State 0 is the output. */
  int stateCount() {
    return 1;
  }

  /**
   * One step: the new states from this step's projected input ({@code x . kernel}, plus the input bias from
   * {@link #inputBias}) and the previous states. The first state returned is the step's output.
   */
  abstract List<Operand<TFloat32>> step(Ops tf, Operand<TFloat32> projected, List<Operand<TFloat32>> states);

  /** The bias added to the input projection ({@code bias}, or GRU's input bias row); null without bias. */
  Operand<TFloat32> inputBias(Ops tf) {
    return useBias ? bias.value() : null;
  }

  final Weight recurrentKernelWeight() {
    return recurrentKernel;
  }

  final Weight biasWeight() {
    return bias;
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    if (in.length != 2) {
      throw shapeError("expects input of rank 3 (batch, timesteps, features)", in);
    }
    return returnSequences ? new long[] {in[0], units} : new long[] {units};
  }

  /** The sequences' shape, then with an initial state each state's, which must be {@code [units]}. */
  @Override
  public long[] computeOutputShape(List<long[]> shapes) {
    if (shapes.size() != 1 && shapes.size() != 1 + stateCount()) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") takes sequences and "
          + "optionally an initial_state of " + stateCount() + " tensors. Received: " + shapes.size() + " inputs");
    }
    for (int i = 1; i < shapes.size(); i++) {
      if (shapes.get(i).length != 1 || shapes.get(i)[0] != units) {
        throw new IllegalArgumentException("An `initial_state` was passed that is not compatible with "
            + "`cell.state_size`. Layer '" + displayName() + "' (" + className() + ") expects each state of shape "
            + formatShape(new long[] {units}) + ". Received: initial_state[" + (i - 1) + "] of shape "
            + formatShape(shapes.get(i)));
      }
    }
    return computeOutputShape(shapes.get(0));
  }

  /** The output's shape, then with {@link #returnState()} each state's, {@code [units]}. */
  @Override
  public List<long[]> computeOutputShapes(List<long[]> shapes) {
    List<long[]> out = new ArrayList<>();
    out.add(computeOutputShape(shapes));
    for (int i = 1; i < outputCount(); i++) {
      out.add(new long[] {units});
    }
    return out;
  }

  @Override
  protected void build(LayerContext ctx, long[] in) {
    long g = (long) gates() * units;
    kernel = ctx.addWeight("kernel", new long[] {in[1], g}, kernelInitializer, true);
    recurrentKernel = ctx.addWeight("recurrent_kernel", new long[] {units, g}, recurrentInitializer, true);
    if (useBias) {
      bias = ctx.addWeight("bias", biasShape(), effectiveBiasInitializer(), true);
    }
  }

  /** Keras' {@code supports_masking}: a masked step is skipped; see {@link #computeMask}. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  /** Keras' {@code RNN.compute_mask}: the input's mask with {@code returnSequences}, none otherwise. */
  @Override
  public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    return returnSequences && !masks.isEmpty() ? masks.get(0) : null;
  }

  @Override
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return run(ctx, List.of(inputs), null, training).get(0);
  }

  @Override
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks, boolean training) {
    return run(ctx, inputs, masks.isEmpty() ? null : masks.get(0), training).get(0);
  }

  /** The output, then with {@link #returnState()} the last states. */
  @Override
  public List<Operand<?>> callOutputs(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    return List.copyOf(run(ctx, inputs, masks.isEmpty() ? null : masks.get(0), training));
  }

  /**
   * The output, then the last states; the states start from {@code inputs[1..]} when given, else zeros. A call given
   * an initial state runs without the input's mask, as in Keras 3.15: its {@code Layer.__call__} fills the
   * {@code mask} argument only for a call of one tensor argument, and {@code initial_state} is a second one (the
   * output still carries the mask on, from the first argument).
   */
  @SuppressWarnings("unchecked")
  private List<Operand<TFloat32>> run(LayerContext ctx, List<Operand<?>> args, Operand<TBool> inputMask,
      boolean training) {
    Operand<?> inputs = args.get(0);
    Operand<TBool> mask = args.size() > 1 ? null : inputMask;
    Ops tf = ctx.tf();
    Operand<TFloat32> x = (Operand<TFloat32>) inputs;
    long[] in = inputShape();
    int steps = Math.toIntExact(in[0]);
    long g = (long) gates() * units;
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    // Keras 3: with recurrent_dropout, LSTM and GRU switch to implementation 1, one mask per gate for the inputs and
    // for the state; otherwise one input mask for all gates. Masks are drawn once per batch and kept for every step.
    int maskCount = recurrentDropout > 0 ? gates() : 1;
    recurrentMasks = training && recurrentDropout > 0
        ? dropoutMasks(ctx, batch, units, recurrentDropout, gates() == 1 ? 1 : gates(), 1000) : null;
    Operand<TFloat32> projected;
    if (training && dropout > 0) {
      List<Operand<TFloat32>> masks = dropoutMasks(ctx, batch, in[1], dropout, maskCount, 0);
      List<Operand<TFloat32>> kernels = maskCount == 1 ? List.of(kernel.value()) : split(tf, kernel.value(), maskCount);
      List<Operand<TFloat32>> parts = new ArrayList<>();
      for (int k = 0; k < maskCount; k++) {
        Operand<TFloat32> dropped = tf.math.mul(x, tf.expandDims(masks.get(k), tf.constant(1)));
        parts.add(tf.linalg.matMul(tf.reshape(dropped, tf.constant(new long[] {-1, in[1]})), kernels.get(k)));
      }
      projected = parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(-1));
    } else {
      // Every step's x . kernel as one matmul over [batch * steps, features].
      Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1, in[1]}));
      projected = tf.linalg.matMul(flat, kernel.value());
    }
    Operand<TFloat32> inBias = inputBias(tf);
    if (inBias != null) {
      projected = tf.math.add(projected, inBias);
    }
    projected = tf.reshape(projected, tf.constant(new long[] {-1, steps, g}));
    List<Operand<TFloat32>> xs = unstack(tf, projected, steps);
    List<Operand<TFloat32>> ms = null;
    if (mask != null) {
      Operand<TFloat32> m = tf.expandDims(tf.dtypes.cast(mask, TFloat32.class), tf.constant(-1));
      ms = unstack(tf, m, steps);
    }
    if (goBackwards) {
      xs = reversed(xs);
      ms = ms == null ? null : reversed(ms);
    }
    Operand<TFloat32> zeros = tf.fill(tf.concat(List.of(batch, tf.constant(new int[] {units})), tf.constant(0)),
        tf.constant(0f));
    List<Operand<TFloat32>> states = new ArrayList<>(Collections.nCopies(stateCount(), zeros));
    for (int i = 1; i < args.size(); i++) {
      states.set(i - 1, (Operand<TFloat32>) args.get(i)); // Keras' initial_state
    }
    List<Operand<TFloat32>> outputs = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      List<Operand<TFloat32>> next = step(tf, xs.get(t), states);
      Operand<TFloat32> output = null;
      if (ms != null && zeroOutputForMask) {
        output = tf.math.mul(ms.get(t), next.get(0)); // Keras' where(mask_t, output, zeros)
      }
      if (ms != null) {
        // Keras' where(mask_t, new, previous), as m * new + (1 - m) * previous: exact for m in {0, 1}, and the
        // mask needs no gradient.
        Operand<TFloat32> m = ms.get(t);
        Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), m);
        List<Operand<TFloat32>> masked = new ArrayList<>();
        for (int s = 0; s < next.size(); s++) {
          masked.add(tf.math.add(tf.math.mul(m, next.get(s)), tf.math.mul(keep, states.get(s))));
        }
        next = masked;
      }
      states = next;
      outputs.add(output != null ? output : states.get(0));
    }
    List<Operand<TFloat32>> result = new ArrayList<>();
    result.add(returnSequences ? tf.stack(outputs, Stack.axis(1L)) : outputs.get(steps - 1));
    if (returnState) {
      result.addAll(states);
    }
    return result;
  }

  /**
   * {@code h . recurrent_kernel}, or with recurrent dropout in training Keras' implementation 1: each gate's block of
   * {@code recurrent_kernel} applied to {@code h} times that gate's mask.
   */
  final Operand<TFloat32> recurrentProjection(Ops tf, Operand<TFloat32> h) {
    if (recurrentMasks == null) {
      return tf.linalg.matMul(h, recurrentKernel.value());
    }
    if (recurrentMasks.size() == 1) {
      return tf.linalg.matMul(tf.math.mul(h, recurrentMasks.get(0)), recurrentKernel.value());
    }
    List<Operand<TFloat32>> blocks = split(tf, recurrentKernel.value(), recurrentMasks.size());
    List<Operand<TFloat32>> parts = new ArrayList<>();
    for (int k = 0; k < blocks.size(); k++) {
      parts.add(tf.linalg.matMul(tf.math.mul(h, recurrentMasks.get(k)), blocks.get(k)));
    }
    return tf.concat(parts, tf.constant(-1));
  }

  /**
   * {@code count} dropout masks {@code [batch, width]} (values 0 or {@code 1/(1-rate)}), as Dropout draws them: in
   * {@code fit} from a stateless generator keyed by (layer seed + index, the optimizer's step), so a resumed run draws
   * the masks an uninterrupted one would. Keras' own random stream cannot be reproduced, so the masks match Keras in
   * distribution only.
   */
  private static List<Operand<TFloat32>> dropoutMasks(LayerContext ctx, Operand<TInt32> batch, long width,
      double rate, int count, int firstIndex) {
    Ops tf = ctx.tf();
    Operand<TInt32> shape = tf.concat(List.of(batch, tf.constant(new int[] {(int) width})), tf.constant(0));
    long seed = ctx.seed();
    List<Operand<TFloat32>> masks = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      Operand<TFloat32> random;
      if (ctx.trainingStep() != null) {
        random = tf.random.statelessRandomUniform(shape,
            tf.stack(List.of(tf.constant(seed + firstIndex + k), ctx.trainingStep())), TFloat32.class);
      } else {
        long s = seed + firstIndex + k;
        random = tf.random.randomUniform(shape, TFloat32.class,
            org.tensorflow.op.random.RandomUniform.seed(s & 0x7fffffffL),
            org.tensorflow.op.random.RandomUniform.seed2((s >>> 32) & 0x7fffffffL));
      }
      Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(random, tf.constant((float) rate)), TFloat32.class);
      masks.add(tf.math.mul(keep, tf.constant((float) (1.0 / (1.0 - rate)))));
    }
    return masks;
  }

  private static List<Operand<TFloat32>> unstack(Ops tf, Operand<TFloat32> v, int steps) {
    Unstack<TFloat32> u = tf.unstack(v, (long) steps, Unstack.axis(1L));
    return new ArrayList<>(u.output());
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> r = new ArrayList<>(list);
    Collections.reverse(r);
    return r;
  }

  /** Keras' {@code ops.split(z, n, axis=-1)}: {@code n} equal blocks of the last axis. */
  static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> z, int n) {
    return new ArrayList<>(tf.split(tf.constant(-1), z, (long) n).output());
  }

  /**
   * Options every recurrent layer takes; {@code units} is required.
   *
   * @param <B> the concrete builder
   */
  public abstract static class Builder<B extends Builder<B>> {
    private final int units;
    Activations activation = Activations.get(DEFAULT_ACTIVATION);
    Activations recurrentActivation = Activations.get(DEFAULT_RECURRENT_ACTIVATION);
    private boolean useBias = true;
    private Initializer kernelInitializer = VarianceScaling.glorotUniform();
    private Initializer recurrentInitializer = new Orthogonal();
    private Initializer biasInitializer = Constant.zeros();
    private boolean returnSequences;
    private boolean returnState;
    private boolean goBackwards;
    private boolean zeroOutputForMask;
    private double dropout;
    private double recurrentDropout;
    private String name;
    private long[] inputShape;

    Builder(int units) {
      this.units = units;
    }

    abstract B self();

    /** Keras' {@code activation} (default {@code "tanh"}); null or {@code "linear"} for none. */
    public B activation(String identifier) {
      this.activation = Activations.get(identifier);
      return self();
    }

    public B useBias(boolean useBias) {
      this.useBias = useBias;
      return self();
    }

    /** Default {@code glorot_uniform}. */
    public B kernelInitializer(Initializer init) {
      this.kernelInitializer = java.util.Objects.requireNonNull(init, "kernelInitializer");
      return self();
    }

    /** Default {@code orthogonal}. */
    public B recurrentInitializer(Initializer init) {
      this.recurrentInitializer = java.util.Objects.requireNonNull(init, "recurrentInitializer");
      return self();
    }

    /** Default {@code zeros}. */
    public B biasInitializer(Initializer init) {
      this.biasInitializer = java.util.Objects.requireNonNull(init, "biasInitializer");
      return self();
    }

    public B returnSequences(boolean returnSequences) {
      this.returnSequences = returnSequences;
      return self();
    }

    /**
     * Keras' {@code return_state} (default false): a call also returns the last states; call the layer with
     * {@link Recurrent#applyOutputs}.
     */
    public B returnState(boolean returnState) {
      this.returnState = returnState;
      return self();
    }

    public B goBackwards(boolean goBackwards) {
      this.goBackwards = goBackwards;
      return self();
    }

    /** Keras' {@code zero_output_for_mask} (default false); see {@link Recurrent#zeroOutputForMask()}. */
    public B zeroOutputForMask(boolean zeroOutputForMask) {
      this.zeroOutputForMask = zeroOutputForMask;
      return self();
    }

    /** Keras' {@code dropout} (default 0): input features dropped in training, in [0, 1). */
    public B dropout(double rate) {
      this.dropout = rate;
      return self();
    }

    /** Keras' {@code recurrent_dropout} (default 0): state units dropped in training, in [0, 1). */
    public B recurrentDropout(double rate) {
      this.recurrentDropout = rate;
      return self();
    }

    public B name(String name) {
      this.name = name;
      return self();
    }

    /** The per-sample input shape {@code (timesteps, features)} when this is the model's first layer. */
    public B inputShape(long... shape) {
      this.inputShape = shape.clone();
      return self();
    }
  }
}
