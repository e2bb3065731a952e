package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 {@code Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)}; also the base
 * of {@link AdamW}. Note Keras' epsilon default 1e-7 (TF Java's framework uses 1e-8). With {@code amsgrad}, a third
 * slot per weight, {@code velocity_hat}, keeps the running maximum of the velocity, which the update divides by
 * instead; Keras creates those slots after every momentum and velocity.
 */
public class Adam extends Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  public static final double DEFAULT_BETA_1 = 0.9;
  public static final double DEFAULT_BETA_2 = 0.999;
  public static final double DEFAULT_EPSILON = 1e-7;

  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final boolean amsgrad;
  private final List<Operand<TFloat32>> momentums = new ArrayList<>();
  private final List<Operand<TFloat32>> velocities = new ArrayList<>();
  private final List<Operand<TFloat32>> velocityHats = new ArrayList<>();
  private Operand<TFloat32> alpha;
  private Operand<TFloat32> oneMinusBeta1;
  private Operand<TFloat32> oneMinusBeta2;
  private Operand<TFloat32> epsilonConstant;

  public Adam() {
    this(DEFAULT_LEARNING_RATE);
  }

  public Adam(double learningRate) {
    this(learningRate, DEFAULT_BETA_1, DEFAULT_BETA_2, DEFAULT_EPSILON);
  }

  public Adam(double learningRate, double beta1, double beta2, double epsilon) {
    this(learningRate, beta1, beta2, epsilon, false);
  }

  /** Keras' {@code Adam(learning_rate, beta_1, beta_2, epsilon, amsgrad)}. */
  public Adam(double learningRate, double beta1, double beta2, double epsilon, boolean amsgrad) {
    super(learningRate);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException(
          "Adam expects 0 <= beta1, beta2 < 1 and epsilon > 0. Received: beta1=" + beta1 + ", beta2=" + beta2
              + ", epsilon=" + epsilon);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.amsgrad = amsgrad;
  }

  /** Keras' {@code amsgrad}: whether the update uses the running maximum of the velocity. */
  public boolean amsgrad() {
    return amsgrad;
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
    return "Adam";
  }

  @Override
  public String name() {
    return "adam";
  }

  /** Momentum and velocity, plus the velocity maximum with amsgrad. */
  @Override
  public int slotsPerVariable() {
    return amsgrad ? 3 : 2;
  }

  @Override
  protected void build(OptimizerContext ctx, List<Weight> variables) {
    for (Weight w : variables) {
      momentums.add(ctx.addSlot(w, "momentum", 0f));
    }
    for (Weight w : variables) {
      velocities.add(ctx.addSlot(w, "velocity", 0f));
    }
    if (amsgrad) {
      for (Weight w : variables) {
        velocityHats.add(ctx.addSlot(w, "velocity_hat", 0f));
      }
    }
  }

  /**
   * The bias-corrected step size {@code alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)}, {@code t = iterations + 1},
   * and the scalar constants, built once per step for all variables (Keras builds them per variable, with the same
   * ops on the same inputs, hence the same values).
   */
  @Override
  protected void buildSharedStep(OptimizerContext ctx, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> localStep = tf.dtypes.cast(tf.math.add(ctx.iterations(), tf.constant(1L)), TFloat32.class);
    Operand<TFloat32> beta1Power = tf.math.pow(tf.constant((float) beta1), localStep);
    Operand<TFloat32> beta2Power = tf.math.pow(tf.constant((float) beta2), localStep);
    alpha = tf.math.div(tf.math.mul(lr, tf.math.sqrt(tf.math.sub(one, beta2Power))), tf.math.sub(one, beta1Power));
    oneMinusBeta1 = tf.constant((float) (1 - beta1));
    oneMinusBeta2 = tf.constant((float) (1 - beta2));
    epsilonConstant = tf.constant((float) epsilon);
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    Operand<TFloat32> m = momentums.get(index);
    Operand<TFloat32> v = velocities.get(index);
    Operand<TFloat32> mNew = tf.assignAdd(m, tf.math.mul(tf.math.sub(g, m), oneMinusBeta1));
    Operand<TFloat32> vNew = tf.assignAdd(v, tf.math.mul(tf.math.sub(gradient.squared(), v), oneMinusBeta2));
    Operand<TFloat32> vUsed = vNew;
    List<Op> ops = new ArrayList<>(List.of((Op) mNew, (Op) vNew));
    if (amsgrad) {
      Operand<TFloat32> vHat = velocityHats.get(index);
      vUsed = tf.assign(vHat, tf.math.maximum(vHat, vNew));
      ops.add((Op) vUsed);
    }
    ops.add(tf.assignSub(variable.value(), tf.math.div(tf.math.mul(mNew, alpha),
        tf.math.add(tf.math.sqrt(vUsed), epsilonConstant))));
    return ops;
  }

  /**
   * A builder with Keras' defaults, so that each argument is named where it is set:
   * {@code Adam.builder().learningRate(...)...build()}; {@link Builder#build()} checks the values.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link Adam}; every value starts at Keras' default. */
  public static class Builder extends Optimizer.BaseBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }

    double learningRate = DEFAULT_LEARNING_RATE;
    double beta1 = DEFAULT_BETA_1;
    double beta2 = DEFAULT_BETA_2;
    double epsilon = DEFAULT_EPSILON;
    boolean amsgrad = false;

    Builder() {}

    /** the initial learning rate (default DEFAULT_LEARNING_RATE). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code beta_1} (default DEFAULT_BETA_1). */
    public Builder beta1(double beta1) {
      this.beta1 = beta1;
      return this;
    }

    /** Keras' {@code beta_2} (default DEFAULT_BETA_2). */
    public Builder beta2(double beta2) {
      this.beta2 = beta2;
      return this;
    }

    /** Keras' {@code epsilon} (default DEFAULT_EPSILON). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** Keras' {@code amsgrad} (default false). */
    public Builder amsgrad(boolean amsgrad) {
      this.amsgrad = amsgrad;
      return this;
    }

    @Override
    public Adam build() {
      return withBaseOptions(new Adam(learningRate, beta1, beta2, epsilon, amsgrad));
    }
  }
}
