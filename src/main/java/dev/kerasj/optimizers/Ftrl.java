package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 {@code Ftrl(learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
 * l1_regularization_strength=0.0, l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
 * beta=0.0)}, op for op as Keras' {@code update_step}: with {@code p = -learning_rate_power},
 * {@code n' = n + g^2}, {@code z += g + 2 * l2_shrinkage * w - (n'^p - n^p) / lr * w},
 * {@code w = (clip(z, -l1, l1) - z) / (n'^p / lr + 2 * (l2 + beta / (2 * lr)))}, {@code n = n'}. Its slots are
 * {@code accumulator} (starting at {@code initial_accumulator_value}) and {@code linear}, created per weight in turn.
 */
public final class Ftrl extends Optimizer {
  /** Keras' default {@code learning_rate} of Ftrl. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras' default {@code learning_rate_power}. */
  public static final double DEFAULT_LEARNING_RATE_POWER = -0.5;
  /** Keras' default {@code initial_accumulator_value} of Ftrl. */
  public static final double DEFAULT_INITIAL_ACCUMULATOR_VALUE = 0.1;

  private final double learningRatePower;
  private final double initialAccumulatorValue;
  private final double l1RegularizationStrength;
  private final double l2RegularizationStrength;
  private final double l2ShrinkageRegularizationStrength;
  private final double beta;
  private final List<Operand<TFloat32>> accumulators = new ArrayList<>();
  private final List<Operand<TFloat32>> linears = new ArrayList<>();

  /** Keras' defaults. */
  public Ftrl() {
    this(builder());
  }

  /** Keras' {@code Ftrl(learning_rate)}, the other arguments at their defaults. */
  public Ftrl(double learningRate) {
    this(builder().learningRate(learningRate));
  }

  private Ftrl(Builder b) {
    super(b.learningRate);
    if (!(b.learningRatePower <= 0) || !Double.isFinite(b.learningRatePower)) {
      throw new IllegalArgumentException("Ftrl: `learning_rate_power` needs to be negative or zero. Received: "
          + "learning_rate_power=" + b.learningRatePower);
    }
    OptimizerArguments.requireNonNegative("Ftrl", "initial_accumulator_value", b.initialAccumulatorValue);
    OptimizerArguments.requireNonNegative("Ftrl", "l1_regularization_strength", b.l1RegularizationStrength);
    OptimizerArguments.requireNonNegative("Ftrl", "l2_regularization_strength", b.l2RegularizationStrength);
    OptimizerArguments.requireNonNegative("Ftrl", "l2_shrinkage_regularization_strength",
        b.l2ShrinkageRegularizationStrength);
    if (!Double.isFinite(b.beta)) {
      throw new IllegalArgumentException("Ftrl: `beta` must be a finite number. Received: beta=" + b.beta);
    }
    this.learningRatePower = b.learningRatePower;
    this.initialAccumulatorValue = b.initialAccumulatorValue;
    this.l1RegularizationStrength = b.l1RegularizationStrength;
    this.l2RegularizationStrength = b.l2RegularizationStrength;
    this.l2ShrinkageRegularizationStrength = b.l2ShrinkageRegularizationStrength;
    this.beta = b.beta;
  }

  public double learningRatePower() {
    return learningRatePower;
  }

  public double initialAccumulatorValue() {
    return initialAccumulatorValue;
  }

  public double l1RegularizationStrength() {
    return l1RegularizationStrength;
  }

  public double l2RegularizationStrength() {
    return l2RegularizationStrength;
  }

  public double l2ShrinkageRegularizationStrength() {
    return l2ShrinkageRegularizationStrength;
  }

  public double beta() {
    return beta;
  }

  @Override
  public String className() {
    return "Ftrl";
  }

  @Override
  public String name() {
    return "ftrl";
  }

  /** Accumulator and linear. */
  @Override
  public int slotsPerVariable() {
    return 2;
  }

  @Override
  protected void build(OptimizerContext ctx, List<Weight> variables) {
    for (Weight w : variables) {
      accumulators.add(ctx.addSlot(w, "accumulator", (float) initialAccumulatorValue));
    }
    for (Weight w : variables) {
      linears.add(ctx.addSlot(w, "linear", 0f));
    }
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    Operand<TFloat32> w = variable.value();
    Operand<TFloat32> accum = accumulators.get(index);
    Operand<TFloat32> linear = linears.get(index);
    Operand<TFloat32> power = tf.constant((float) -learningRatePower);
    // Keras: l2_reg = l2 + beta / (2.0 * lr), in float32 because lr is a tensor.
    Operand<TFloat32> l2Reg = tf.math.add(tf.constant((float) l2RegularizationStrength),
        tf.math.div(tf.constant((float) beta), tf.math.mul(tf.constant(2f), lr)));
    Operand<TFloat32> gradToUse = tf.math.add(g,
        tf.math.mul(tf.constant((float) (2 * l2ShrinkageRegularizationStrength)), w));
    Operand<TFloat32> newAccum = tf.math.add(accum, gradient.squared());
    Operand<TFloat32> newAccumPower = tf.math.pow(newAccum, power);
    Operand<TFloat32> linearNew = tf.assignAdd(linear, tf.math.sub(gradToUse,
        tf.math.mul(tf.math.div(tf.math.sub(newAccumPower, tf.math.pow(accum, power)), lr), w)));
    Operand<TFloat32> quadratic = tf.math.add(tf.math.div(newAccumPower, lr), tf.math.mul(tf.constant(2f), l2Reg));
    float l1 = (float) l1RegularizationStrength;
    Operand<TFloat32> linearClipped = tf.clipByValue(linearNew, tf.constant(-l1), tf.constant(l1));
    Op varUpdate = tf.assign(w, tf.math.div(tf.math.sub(linearClipped, linearNew), quadratic));
    // Keras assigns the accumulator last; here a control edge keeps every read of the old value before it.
    Op accumUpdate = tf.withControlDependencies(List.of(varUpdate)).assign(accum, newAccum);
    return List.of((Op) linearNew, varUpdate, accumUpdate);
  }

  /**
   * A builder with Keras' defaults, so that each argument is named where it is set:
   * {@code Ftrl.builder().learningRate(0.1).l1RegularizationStrength(0.01).build()}; {@link Builder#build()} checks
   * the values as Keras does.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link Ftrl}; every value starts at Keras' default. */
  public static final class Builder extends Optimizer.BaseBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }

    private double learningRate = DEFAULT_LEARNING_RATE;
    private double learningRatePower = DEFAULT_LEARNING_RATE_POWER;
    private double initialAccumulatorValue = DEFAULT_INITIAL_ACCUMULATOR_VALUE;
    private double l1RegularizationStrength = 0.0;
    private double l2RegularizationStrength = 0.0;
    private double l2ShrinkageRegularizationStrength = 0.0;
    private double beta = 0.0;

    private Builder() {}

    /** The initial learning rate (default {@value Ftrl#DEFAULT_LEARNING_RATE}). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code learning_rate_power}, at most 0 (default {@value Ftrl#DEFAULT_LEARNING_RATE_POWER}). */
    public Builder learningRatePower(double learningRatePower) {
      this.learningRatePower = learningRatePower;
      return this;
    }

    /** Keras' {@code initial_accumulator_value} (default {@value Ftrl#DEFAULT_INITIAL_ACCUMULATOR_VALUE}). */
    public Builder initialAccumulatorValue(double initialAccumulatorValue) {
      this.initialAccumulatorValue = initialAccumulatorValue;
      return this;
    }

    /** Keras' {@code l1_regularization_strength} (default 0). */
    public Builder l1RegularizationStrength(double l1RegularizationStrength) {
      this.l1RegularizationStrength = l1RegularizationStrength;
      return this;
    }

    /** Keras' {@code l2_regularization_strength} (default 0). */
    public Builder l2RegularizationStrength(double l2RegularizationStrength) {
      this.l2RegularizationStrength = l2RegularizationStrength;
      return this;
    }

    /** Keras' {@code l2_shrinkage_regularization_strength} (default 0). */
    public Builder l2ShrinkageRegularizationStrength(double l2ShrinkageRegularizationStrength) {
      this.l2ShrinkageRegularizationStrength = l2ShrinkageRegularizationStrength;
      return this;
    }

    /** Keras' {@code beta} (default 0). */
    public Builder beta(double beta) {
      this.beta = beta;
      return this;
    }

    @Override
    public Ftrl build() {
      return withBaseOptions(new Ftrl(this));
    }
  }
}
