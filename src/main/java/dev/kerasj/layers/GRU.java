package dev.kerasj.layers;

import dev.kerasj.activations.Activations;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code GRU(units)} with Keras 3's default {@code reset_after=True} (the only form kerasj implements): gates in
 * the order z, r, h; {@code bias} has two rows ({@code [2, 3 units]}), the input bias and the recurrent bias;
 * {@code z = ra(x_z + r_z)}, {@code r = ra(x_r + r_r)}, {@code hh = activation(x_h + r * r_h)} (the reset gate is
 * applied after the recurrent matmul), {@code h = z * h_prev + (1 - z) * hh}. See {@link Recurrent} for masks,
 * {@code goBackwards} and the unrolled graph.
 *
 * <pre>{@code new GRU(32)}   or   {@code GRU.builder(32).goBackwards(true).build()}</pre>
 */
public final class GRU extends Recurrent {
  private final Activations recurrentActivation;
  /** The recurrent bias row of the graph being built; set by {@link #inputBias}, which runs before the steps. */
  private Operand<TFloat32> recurrentBias;

  public GRU(int units) {
    this(builder(units));
  }

  private GRU(Builder b) {
    super(b);
    this.recurrentActivation = b.recurrentActivation;
  }

  /** Starts a builder; {@code units} is required. */
  public static Builder builder(int units) {
    return new Builder(units);
  }

  /** Keras' {@code recurrent_activation} (default sigmoid), for the z and r gates. */
  public Activations recurrentActivation() {
    return recurrentActivation;
  }

  @Override
  public String className() {
    return "GRU";
  }

  @Override
  public String defaultNamePrefix() {
    return "gru";
  }

  @Override
  Recurrent copy(boolean goBackwards, String name, boolean zeroOutputForMask) {
    Builder b = copyInto(builder(units()), goBackwards, name, zeroOutputForMask);
    b.recurrentActivation = recurrentActivation;
    return b.build();
  }

  @Override
  int gates() {
    return 3;
  }

  @Override
  long[] biasShape() {
    return new long[] {2, 3L * units()};
  }

  @Override
  Operand<TFloat32> inputBias(Ops tf) {
    if (!useBias()) {
      recurrentBias = null;
      return null;
    }
    List<org.tensorflow.Output<TFloat32>> rows = tf.unstack(biasWeight().value(), 2L).output();
    recurrentBias = rows.get(1);
    return rows.get(0);
  }

  @Override
  List<Operand<TFloat32>> step(Ops tf, Operand<TFloat32> projected, List<Operand<TFloat32>> states) {
    Operand<TFloat32> h = states.get(0);
    Operand<TFloat32> inner = recurrentProjection(tf, h);
    if (recurrentBias != null) {
      inner = tf.math.add(inner, recurrentBias);
    }
    List<Operand<TFloat32>> x = split(tf, projected, 3);
    List<Operand<TFloat32>> r = split(tf, inner, 3);
    Operand<TFloat32> z = recurrentActivation.apply(tf, tf.math.add(x.get(0), r.get(0)));
    Operand<TFloat32> reset = recurrentActivation.apply(tf, tf.math.add(x.get(1), r.get(1)));
    Operand<TFloat32> hh = activation().apply(tf, tf.math.add(x.get(2), tf.math.mul(reset, r.get(2))));
    Operand<TFloat32> next = tf.math.add(tf.math.mul(z, h), tf.math.mul(tf.math.sub(tf.constant(1f), z), hh));
    return List.of(next);
  }

  /** Options of {@link GRU}. */
  public static final class Builder extends Recurrent.Builder<Builder> {
    private Builder(int units) {
      super(units);
    }

    @Override
    Builder self() {
      return this;
    }

    /** Keras' {@code recurrent_activation} (default {@code "sigmoid"}). */
    public Builder recurrentActivation(String identifier) {
      this.recurrentActivation = Activations.get(identifier);
      return this;
    }

    /**
     * Keras' {@code reset_after}; only {@code true} (Keras 3's default) is implemented.
     *
     * @throws IllegalArgumentException for false
     */
    public Builder resetAfter(boolean resetAfter) {
      if (!resetAfter) {
        throw new IllegalArgumentException("GRU implements only Keras 3's default reset_after=True (two bias rows). "
            + "Received: reset_after=False");
      }
      return this;
    }

    public GRU build() {
      return new GRU(this);
    }
  }
}
