package dev.kerasj.layers;

import dev.kerasj.activations.Activations;
import dev.kerasj.initializers.Initializer;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code LSTM(units)}, Keras 3.15's cell: {@code z = x . kernel + h . recurrent_kernel + bias} split into gates
 * in the order i, f, c, o; {@code i, f, o = recurrent_activation(...)}, {@code c = f * c + i * activation(z_c)},
 * {@code h = o * activation(c)}. Weights {@code kernel} {@code [features, 4 units]}, {@code recurrent_kernel}
 * {@code [units, 4 units]}, {@code bias} {@code [4 units]}; with {@code unitForgetBias} (Keras' default) the forget
 * gate's bias starts at 1. See {@link Recurrent} for masks, {@code goBackwards} and the unrolled graph.
 *
 * <pre>{@code new LSTM(32)}   or   {@code LSTM.builder(32).returnSequences(true).build()}</pre>
 */
public final class LSTM extends Recurrent {
  private final Activations recurrentActivation;
  private final boolean unitForgetBias;

  public LSTM(int units) {
    this(builder(units));
  }

  private LSTM(Builder b) {
    super(b);
    this.recurrentActivation = b.recurrentActivation;
    this.unitForgetBias = b.unitForgetBias;
  }

  /** Starts a builder; {@code units} is required. */
  public static Builder builder(int units) {
    return new Builder(units);
  }

  /** Keras' {@code recurrent_activation} (default sigmoid), for the i, f and o gates. */
  public Activations recurrentActivation() {
    return recurrentActivation;
  }

  /** Keras' {@code unit_forget_bias} (default true): the forget gate's bias starts at 1. */
  public boolean unitForgetBias() {
    return unitForgetBias;
  }

  @Override
  public String className() {
    return "LSTM";
  }

  @Override
  public String defaultNamePrefix() {
    return "lstm";
  }

  @Override
  Recurrent copy(boolean goBackwards, String name, boolean zeroOutputForMask) {
    Builder b = copyInto(builder(units()), goBackwards, name, zeroOutputForMask).unitForgetBias(unitForgetBias);
    b.recurrentActivation = recurrentActivation;
    return b.build();
  }

  @Override
  int gates() {
    return 4;
  }

  @Override
  int stateCount() {
    return 2;
  }

  @Override
  Initializer effectiveBiasInitializer() {
    return unitForgetBias ? new ForgetBias(biasInitializer(), units()) : biasInitializer();
  }

  @Override
  List<Operand<TFloat32>> step(Ops tf, Operand<TFloat32> projected, List<Operand<TFloat32>> states) {
    Operand<TFloat32> z = tf.math.add(projected, recurrentProjection(tf, states.get(0)));
    List<Operand<TFloat32>> g = split(tf, z, 4);
    Operand<TFloat32> i = recurrentActivation.apply(tf, g.get(0));
    Operand<TFloat32> f = recurrentActivation.apply(tf, g.get(1));
    Operand<TFloat32> c = tf.math.add(tf.math.mul(f, states.get(1)), tf.math.mul(i, activation().apply(tf, g.get(2))));
    Operand<TFloat32> o = recurrentActivation.apply(tf, g.get(3));
    return List.of(tf.math.mul(o, activation().apply(tf, c)), c);
  }

  /** Keras' {@code unit_forget_bias}: the declared initializer for i, ones for f, the declared one for c and o. */
  private record ForgetBias(Initializer declared, int units) implements Initializer {
    @Override
    public float[] generate(long[] shape, long seed) {
      float[] first = declared.generate(new long[] {units}, seed);
      float[] rest = declared.generate(new long[] {2L * units}, seed + 1);
      float[] out = new float[4 * units];
      System.arraycopy(first, 0, out, 0, units);
      java.util.Arrays.fill(out, units, 2 * units, 1f);
      System.arraycopy(rest, 0, out, 2 * units, 2 * units);
      return out;
    }

    @Override
    public String name() {
      return declared.name();
    }
  }

  /** Options of {@link LSTM}. */
  public static final class Builder extends Recurrent.Builder<Builder> {
    private boolean unitForgetBias = true;

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

    public Builder unitForgetBias(boolean unitForgetBias) {
      this.unitForgetBias = unitForgetBias;
      return this;
    }

    public LSTM build() {
      return new LSTM(this);
    }
  }
}
