package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code SGD(learning_rate=0.01, momentum=0.0, nesterov=False)}. With momentum:
 * {@code m = m*momentum - g*lr}, then {@code w += m} (or {@code w += m*momentum - g*lr} with Nesterov).
 */
public final class SGD extends Optimizer {
  /** Keras' default learning rate of SGD. */
  public static final double DEFAULT_LEARNING_RATE = 0.01;

  private final double momentum;
  private final boolean nesterov;
  private final List<Operand<TFloat32>> momentums = new ArrayList<>();

  public SGD() {
    this(DEFAULT_LEARNING_RATE);
  }

  public SGD(double learningRate) {
    this(learningRate, 0.0, false);
  }

  public SGD(double learningRate, double momentum, boolean nesterov) {
    super(learningRate);
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException("`momentum` must be a float between [0, 1]. Received: momentum=" + momentum);
    }
    this.momentum = momentum;
    this.nesterov = nesterov;
  }

  public double momentum() {
    return momentum;
  }

  public boolean nesterov() {
    return nesterov;
  }

  @Override
  public String className() {
    return "SGD";
  }

  @Override
  public String name() {
    return "SGD";
  }

  /** A momentum slot when momentum is not 0, else none. */
  @Override
  public int slotsPerVariable() {
    return momentum != 0 ? 1 : 0;
  }

  @Override
  protected void build(OptimizerContext ctx, List<Weight> variables) {
    if (momentum != 0) {
      for (Weight w : variables) {
        momentums.add(ctx.addSlot(w, "momentum", 0f));
      }
    }
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    if (momentum == 0) {
      return List.of(tf.assignSub(variable.value(), tf.math.mul(g, lr)));
    }
    Operand<TFloat32> m = momentums.get(index);
    Operand<TFloat32> mom = tf.constant((float) momentum);
    Operand<TFloat32> mNew = tf.assign(m, tf.math.sub(tf.math.mul(m, mom), tf.math.mul(g, lr)));
    Op varUpdate = nesterov
        ? tf.assignAdd(variable.value(), tf.math.sub(tf.math.mul(mNew, mom), tf.math.mul(g, lr)))
        : tf.assignAdd(variable.value(), mNew);
    return List.of((Op) mNew, varUpdate);
  }

  /**
   * A builder with Keras' defaults, so that each argument is named where it is set:
   * {@code SGD.builder().learningRate(...)...build()}; {@link Builder#build()} checks the values.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link SGD}; every value starts at Keras' default. */
  public static final class Builder extends Optimizer.BaseBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }

    private double learningRate = DEFAULT_LEARNING_RATE;
    private double momentum = 0.0;
    private boolean nesterov = false;

    private Builder() {}

    /** the initial learning rate (default DEFAULT_LEARNING_RATE). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code momentum} (default 0.0). */
    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Keras' {@code nesterov} (default false). */
    public Builder nesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    @Override
    public SGD build() {
      return withBaseOptions(new SGD(learningRate, momentum, nesterov));
    }
  }
}
