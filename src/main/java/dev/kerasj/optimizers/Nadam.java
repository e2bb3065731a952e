package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 {@code Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)}: Adam with Nesterov momentum
 * and Keras' momentum schedule {@code u_t = beta_1 * (1 - 0.5 * 0.96^t)}. Besides the {@code momentum} and
 * {@code velocity} slots (per weight in turn, as Adam's), it keeps one float32 scalar, {@code u_product} (Keras'
 * {@code _u_product}, path {@code nadam/variable}, the last of {@code optimizer.variables}): the product of every
 * {@code u_t} so far, multiplied in once per step before the weights are updated. As in Keras, {@code 1 - beta_1} and
 * {@code 1 - beta_2} are computed in float32 from the float32 betas.
 */
public final class Nadam extends Optimizer {
  /** Keras' default {@code learning_rate} of Nadam. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras' default {@code beta_1} of Nadam. */
  public static final double DEFAULT_BETA_1 = 0.9;
  /** Keras' default {@code beta_2} of Nadam. */
  public static final double DEFAULT_BETA_2 = 0.999;
  /** Keras' default {@code epsilon} of Nadam. */
  public static final double DEFAULT_EPSILON = 1e-7;
  /** Keras' hard-coded momentum-schedule decay. */
  private static final float DECAY = 0.96f;

  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final List<Operand<TFloat32>> momentums = new ArrayList<>();
  private final List<Operand<TFloat32>> velocities = new ArrayList<>();
  private Operand<TFloat32> uProduct;
  private Operand<TFloat32> momentumWeight;
  private Operand<TFloat32> momentumDivisor;
  private Operand<TFloat32> gradientWeight;
  private Operand<TFloat32> gradientDivisor;
  private Operand<TFloat32> velocityDivisor;

  /** Keras' defaults. */
  public Nadam() {
    this(DEFAULT_LEARNING_RATE, DEFAULT_BETA_1, DEFAULT_BETA_2, DEFAULT_EPSILON);
  }

  /** Keras' {@code Nadam(learning_rate, beta_1, beta_2, epsilon)}. */
  public Nadam(double learningRate, double beta1, double beta2, double epsilon) {
    super(learningRate);
    OptimizerArguments.requireUnitInterval("Nadam", "beta1", beta1, false);
    OptimizerArguments.requireUnitInterval("Nadam", "beta2", beta2, false);
    OptimizerArguments.requirePositive("Nadam", "epsilon", epsilon);
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
    return "Nadam";
  }

  @Override
  public String name() {
    return "nadam";
  }

  /** Momentum and velocity (the scalar {@code u_product} is not per weight). */
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
      velocities.add(ctx.addSlot(w, "velocity", 0f));
    }
    uProduct = ctx.addScalar("u_product", 1f);
  }

  /**
   * Keras' {@code _backend_update_step}: {@code u_product *= beta_1 * (1 - 0.5 * 0.96^(t))}, then the scalars every
   * {@code update_step} derives from it ({@code t = iterations + 1}), built once per step.
   */
  @Override
  protected void buildSharedStep(OptimizerContext ctx, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> half = tf.constant(0.5f);
    Operand<TFloat32> b1 = tf.constant((float) beta1);
    Operand<TFloat32> decay = tf.constant(DECAY);
    Operand<TFloat32> localStep = tf.dtypes.cast(tf.math.add(ctx.iterations(), tf.constant(1L)), TFloat32.class);
    Operand<TFloat32> nextStep = tf.dtypes.cast(tf.math.add(ctx.iterations(), tf.constant(2L)), TFloat32.class);
    Operand<TFloat32> uT = tf.math.mul(b1, tf.math.sub(one, tf.math.mul(half, tf.math.pow(decay, localStep))));
    Operand<TFloat32> uT1 = tf.math.mul(b1, tf.math.sub(one, tf.math.mul(half, tf.math.pow(decay, nextStep))));
    // Keras: u_product * beta_1 * (1 - 0.5 * 0.96^t), multiplied left to right.
    Operand<TFloat32> uProductT = tf.assign(uProduct, tf.math.mul(tf.math.mul(uProduct, b1),
        tf.math.sub(one, tf.math.mul(half, tf.math.pow(decay, localStep)))));
    Operand<TFloat32> uProductT1 = tf.math.mul(uProductT, uT1);
    momentumWeight = uT1;
    momentumDivisor = tf.math.sub(one, uProductT1);
    gradientWeight = tf.math.sub(one, uT);
    gradientDivisor = tf.math.sub(one, uProductT);
    velocityDivisor = tf.math.sub(one, tf.math.pow(tf.constant((float) beta2), localStep));
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    Operand<TFloat32> m = momentums.get(index);
    Operand<TFloat32> v = velocities.get(index);
    Operand<TFloat32> mNew = tf.assignAdd(m, tf.math.mul(tf.math.sub(g, m), tf.constant(1f - (float) beta1)));
    Operand<TFloat32> vNew = tf.assignAdd(v, tf.math.mul(tf.math.sub(gradient.squared(), v),
        tf.constant(1f - (float) beta2)));
    Operand<TFloat32> mHat = tf.math.add(tf.math.div(tf.math.mul(momentumWeight, mNew), momentumDivisor),
        tf.math.div(tf.math.mul(gradientWeight, g), gradientDivisor));
    Operand<TFloat32> vHat = tf.math.div(vNew, velocityDivisor);
    Op varUpdate = tf.assignSub(variable.value(), tf.math.div(tf.math.mul(mHat, lr),
        tf.math.add(tf.math.sqrt(vHat), tf.constant((float) epsilon))));
    return List.of((Op) mNew, (Op) vNew, varUpdate);
  }

  /** A builder with Keras' defaults: {@code Nadam.builder().learningRate(2e-3).build()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Nadam}; every value starts at Keras' default; {@link #build()} checks them. */
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

    /** The initial learning rate (default {@value Nadam#DEFAULT_LEARNING_RATE}). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code beta_1} (default {@value Nadam#DEFAULT_BETA_1}). */
    public Builder beta1(double beta1) {
      this.beta1 = beta1;
      return this;
    }

    /** Keras' {@code beta_2} (default {@value Nadam#DEFAULT_BETA_2}). */
    public Builder beta2(double beta2) {
      this.beta2 = beta2;
      return this;
    }

    /** Keras' {@code epsilon} (default {@value Nadam#DEFAULT_EPSILON}). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    @Override
    public Nadam build() {
      return withBaseOptions(new Nadam(learningRate, beta1, beta2, epsilon));
    }
  }
}
