package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 {@code Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99)}:
 * {@code w -= lr * sign(beta_1 * m + (1 - beta_1) * g)}, then {@code m = beta_2 * m + (1 - beta_2) * g}; one
 * {@code momentum} slot per weight. As in Keras, {@code 1 - beta} is computed in float32 from the float32 beta (Keras
 * casts the betas first), which is not the float32 of the exact difference (0.100000024 against 0.1 for 0.9).
 */
public final class Lion extends Optimizer {
  /** Keras' default {@code learning_rate} of Lion. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras' default {@code beta_1} of Lion. */
  public static final double DEFAULT_BETA_1 = 0.9;
  /** Keras' default {@code beta_2} of Lion. */
  public static final double DEFAULT_BETA_2 = 0.99;

  private final double beta1;
  private final double beta2;
  private final List<Operand<TFloat32>> momentums = new ArrayList<>();

  /** Keras' defaults. */
  public Lion() {
    this(DEFAULT_LEARNING_RATE, DEFAULT_BETA_1, DEFAULT_BETA_2);
  }

  /**
   * Keras' {@code Lion(learning_rate, beta_1, beta_2)}.
   *
   * @throws IllegalArgumentException for {@code beta1} outside (0, 1] (Keras' check: at 0 Lion degenerates to
   *     SignSGD) or {@code beta2} outside [0, 1]
   */
  public Lion(double learningRate, double beta1, double beta2) {
    super(learningRate);
    if (!(beta1 > 0 && beta1 <= 1)) {
      throw new IllegalArgumentException("Lion: argument `beta_1` must be in the [0, 1] range. Otherwise, the "
          + "optimizer degenerates to SignSGD. Received: beta_1=" + beta1);
    }
    OptimizerArguments.requireUnitInterval("Lion", "beta2", beta2, true);
    this.beta1 = beta1;
    this.beta2 = beta2;
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  @Override
  public String className() {
    return "Lion";
  }

  @Override
  public String name() {
    return "lion";
  }

  /** One momentum. */
  @Override
  public int slotsPerVariable() {
    return 1;
  }

  @Override
  protected void build(OptimizerContext ctx, List<Weight> variables) {
    for (Weight w : variables) {
      momentums.add(ctx.addSlot(w, "momentum", 0f));
    }
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    Operand<TFloat32> m = momentums.get(index);
    float b1 = (float) beta1;
    float b2 = (float) beta2;
    Operand<TFloat32> direction = tf.math.sign(tf.math.add(tf.math.mul(m, tf.constant(b1)),
        tf.math.mul(g, tf.constant(1f - b1))));
    Op varUpdate = tf.assignSub(variable.value(), tf.math.mul(lr, direction));
    // Keras reads m for the direction before it assigns m; in a graph only a control edge orders the two.
    Op mNew = tf.withControlDependencies(List.of(varUpdate)).assign(m,
        tf.math.add(tf.math.mul(m, tf.constant(b2)), tf.math.mul(g, tf.constant(1f - b2))));
    return List.of(varUpdate, mNew);
  }

  /** A builder with Keras' defaults: {@code Lion.builder().learningRate(1e-4).build()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Lion}; every value starts at Keras' default; {@link #build()} checks them. */
  public static final class Builder extends Optimizer.BaseBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }

    private double learningRate = DEFAULT_LEARNING_RATE;
    private double beta1 = DEFAULT_BETA_1;
    private double beta2 = DEFAULT_BETA_2;

    private Builder() {}

    /** The initial learning rate (default {@value Lion#DEFAULT_LEARNING_RATE}). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code beta_1} (default {@value Lion#DEFAULT_BETA_1}). */
    public Builder beta1(double beta1) {
      this.beta1 = beta1;
      return this;
    }

    /** Keras' {@code beta_2} (default {@value Lion#DEFAULT_BETA_2}). */
    public Builder beta2(double beta2) {
      this.beta2 = beta2;
      return this;
    }

    @Override
    public Lion build() {
      return withBaseOptions(new Lion(learningRate, beta1, beta2));
    }
  }
}
