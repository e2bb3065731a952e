package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 {@code Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)}: Adam with the infinity norm,
 * {@code m += (g - m) * (1 - beta_1)}, {@code u = max(beta_2 * u, |g|)},
 * {@code w -= lr * m / ((1 - beta_1^t) * (u + epsilon))}. Its slots are {@code momentum} and {@code norm}, created
 * per weight in turn (m0, u0, m1, u1 ...), as Keras' {@code _m} and {@code _u}. For an Embedding table, {@code |g|} is
 * Keras' sum of absolute per-lookup rows ({@link Gradient#absolute()}), not the absolute value of their sum.
 */
public final class Adamax extends Optimizer {
  /** Keras' default {@code learning_rate} of Adamax. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras' default {@code beta_1} of Adamax. */
  public static final double DEFAULT_BETA_1 = 0.9;
  /** Keras' default {@code beta_2} of Adamax. */
  public static final double DEFAULT_BETA_2 = 0.999;
  /** Keras' default {@code epsilon} of Adamax. */
  public static final double DEFAULT_EPSILON = 1e-7;

  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final List<Operand<TFloat32>> momentums = new ArrayList<>();
  private final List<Operand<TFloat32>> norms = new ArrayList<>();
  private Operand<TFloat32> oneMinusBeta1Power;

  /** Keras' defaults. */
  public Adamax() {
    this(DEFAULT_LEARNING_RATE, DEFAULT_BETA_1, DEFAULT_BETA_2, DEFAULT_EPSILON);
  }

  /** Keras' {@code Adamax(learning_rate, beta_1, beta_2, epsilon)}. */
  public Adamax(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate);
    OptimizerArguments.requireUnitInterval("Adamax", "beta1", beta1, false);
    OptimizerArguments.requireUnitInterval("Adamax", "beta2", beta2, false);
    OptimizerArguments.requirePositive("Adamax", "epsilon", epsilon);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
  }

  public double beta1() {
    return beta1;
  }

  public double beta2() {
    return beta2;
  }

  public double epsilon() {
    return epsilon;
  }

  @Override
  public String className() {
    return "Adamax";
  }

  @Override
  public String name() {
    return "adamax";
  }

  /** Momentum and norm. */
  @Override
  public int slotsPerVariable() {
    return 2;
  }

  @Override
  protected void build(OptimizerContext ctx, List<Weight> variables) {
    for (Weight w : variables) {
      momentums.add(ctx.addSlot(w, "momentum", 0f));
    }
    for (Weight w : variables) {
      norms.add(ctx.addSlot(w, "norm", 0f));
    }
  }

  /** {@code 1 - beta_1^t}, {@code t = iterations + 1}, in float32 as Keras computes it. */
  @Override
  protected void buildSharedStep(OptimizerContext ctx, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> localStep = tf.dtypes.cast(tf.math.add(ctx.iterations(), tf.constant(1L)), TFloat32.class);
    oneMinusBeta1Power = tf.math.sub(tf.constant(1f), tf.math.pow(tf.constant((float) beta1), localStep));
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    Operand<TFloat32> m = momentums.get(index);
    Operand<TFloat32> u = norms.get(index);
    Operand<TFloat32> mNew = tf.assignAdd(m, tf.math.mul(tf.math.sub(g, m), tf.constant((float) (1 - beta1))));
    Operand<TFloat32> uNew = tf.assign(u, tf.math.maximum(tf.math.mul(tf.constant((float) beta2), u), gradient.absolute()));
    Op varUpdate = tf.assignSub(variable.value(), tf.math.div(tf.math.mul(lr, mNew),
        tf.math.mul(oneMinusBeta1Power, tf.math.add(uNew, tf.constant((float) epsilon)))));
    return List.of((Op) mNew, (Op) uNew, varUpdate);
  }

  /** A builder with Keras' defaults: {@code Adamax.builder().learningRate(2e-3).build()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link Adamax}; every value starts at Keras' default; {@link #build()} checks them. */
  public static final class Builder extends Optimizer.BaseBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }

    private double learningRate = DEFAULT_LEARNING_RATE;
    private double beta1 = DEFAULT_BETA_1;
    private double beta2 = DEFAULT_BETA_2;
    private double epsilon = DEFAULT_EPSILON;

    private Builder() {}

    /** The initial learning rate (default {@value Adamax#DEFAULT_LEARNING_RATE}). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code beta_1} (default {@value Adamax#DEFAULT_BETA_1}). */
    public Builder beta1(double beta1) {
      this.beta1 = beta1;
      return this;
    }

    /** Keras' {@code beta_2} (default {@value Adamax#DEFAULT_BETA_2}). */
    public Builder beta2(double beta2) {
      this.beta2 = beta2;
      return this;
    }

    /** Keras' {@code epsilon} (default {@value Adamax#DEFAULT_EPSILON}). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    @Override
    public Adamax build() {
      return withBaseOptions(new Adamax(learningRate, beta1, beta2, epsilon));
    }
  }
}
