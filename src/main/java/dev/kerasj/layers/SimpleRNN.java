package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code SimpleRNN(units)}: {@code h_t = activation(x_t . kernel + bias + h_{t-1} . recurrent_kernel)}.
 * Weights {@code kernel} {@code [features, units]}, {@code recurrent_kernel} {@code [units, units]}, {@code bias}
 * {@code [units]}; defaults as Keras' (tanh, glorot_uniform, orthogonal, zeros). See {@link Recurrent} for masks,
 * {@code goBackwards} and the unrolled graph.
 *
 * <pre>{@code new SimpleRNN(16)}   or   {@code SimpleRNN.builder(16).returnSequences(true).goBackwards(true).build()}</pre>
 */
public final class SimpleRNN extends Recurrent {
  public SimpleRNN(int units) {
    this(builder(units));
  }

  private SimpleRNN(Builder b) {
    super(b);
  }

  /** Starts a builder; {@code units} is required. */
  public static Builder builder(int units) {
    return new Builder(units);
  }

  @Override
  public String className() {
    return "SimpleRNN";
  }

  @Override
  public String defaultNamePrefix() {
    return "simple_rnn";
  }

  @Override
  Recurrent copy(boolean goBackwards, String name, boolean zeroOutputForMask) {
    return copyInto(builder(units()), goBackwards, name, zeroOutputForMask).build();
  }

  @Override
  int gates() {
    return 1;
  }

  @Override
  List<Operand<TFloat32>> step(Ops tf, Operand<TFloat32> projected, List<Operand<TFloat32>> states) {
    Operand<TFloat32> z = tf.math.add(projected, recurrentProjection(tf, states.get(0)));
    return List.of(activation().apply(tf, z));
  }

  /** Options of {@link SimpleRNN}. */
  public static final class Builder extends Recurrent.Builder<Builder> {
    private Builder(int units) {
      super(units);
    }

    @Override
    Builder self() {
      return this;
    }

    public SimpleRNN build() {
      return new SimpleRNN(this);
    }
  }
}
