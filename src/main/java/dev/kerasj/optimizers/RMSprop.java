package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 {@code RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)}.
 */
public final class RMSprop extends Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  public static final double DEFAULT_RHO = 0.9;
  public static final double DEFAULT_EPSILON = 1e-7;

  private final double rho;
  private final double momentum;
  private final double epsilon;
  private final boolean centered;
  private final List<Operand<TFloat32>> velocities = new ArrayList<>();
  private final List<Operand<TFloat32>> momentums = new ArrayList<>();
  private final List<Operand<TFloat32>> averageGradients = new ArrayList<>();

  public RMSprop() {
    this(DEFAULT_LEARNING_RATE);
  }

  public RMSprop(double learningRate) {
    this(learningRate, DEFAULT_RHO, 0.0, DEFAULT_EPSILON, false);
  }

  public RMSprop(double learningRate, double rho, double momentum, double epsilon, boolean centered) {
    super(learningRate);
    if (!(rho >= 0 && rho < 1) || !(momentum >= 0 && momentum <= 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException(
          "RMSprop expects 0 <= rho < 1, 0 <= momentum <= 1, epsilon > 0. Received: rho=" + rho + ", momentum="
              + momentum + ", epsilon=" + epsilon);
    }
    this.rho = rho;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.centered = centered;
  }

  public double rho() {
    return rho;
  }

  public double momentum() {
    return momentum;
  }

  public double epsilon() {
    return epsilon;
  }

  public boolean centered() {
    return centered;
  }

  @Override
  public String className() {
    return "RMSprop";
  }

  @Override
  public String name() {
    return "rmsprop";
  }

  /** Velocity, plus momentum when momentum is above 0, plus the average gradient when centered. */
  @Override
  public int slotsPerVariable() {
    return 1 + (momentum > 0 ? 1 : 0) + (centered ? 1 : 0);
  }

  @Override
  protected void build(OptimizerContext ctx, List<Weight> variables) {
    for (Weight w : variables) {
      velocities.add(ctx.addSlot(w, "velocity", 0f));
    }
    if (momentum > 0) {
      for (Weight w : variables) {
        momentums.add(ctx.addSlot(w, "momentum", 0f));
      }
    }
    if (centered) {
      for (Weight w : variables) {
        averageGradients.add(ctx.addSlot(w, "average_gradient", 0f));
      }
    }
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    List<Op> ops = new ArrayList<>();
    Operand<TFloat32> rhoC = tf.constant((float) rho);
    Operand<TFloat32> oneMinusRho = tf.constant((float) (1 - rho));
    Operand<TFloat32> velocity = velocities.get(index);
    Operand<TFloat32> vNew = tf.assign(velocity,
        tf.math.add(tf.math.mul(rhoC, velocity), tf.math.mul(oneMinusRho, gradient.squared())));
    ops.add((Op) vNew);
    Operand<TFloat32> denominator;
    if (centered) {
      Operand<TFloat32> avg = averageGradients.get(index);
      Operand<TFloat32> avgNew = tf.assign(avg, tf.math.add(tf.math.mul(rhoC, avg), tf.math.mul(oneMinusRho, g)));
      ops.add((Op) avgNew);
      denominator = tf.math.add(tf.math.sub(vNew, tf.math.square(avgNew)), tf.constant((float) epsilon));
    } else {
      denominator = tf.math.add(vNew, tf.constant((float) epsilon));
    }
    Operand<TFloat32> increment = tf.math.div(tf.math.mul(lr, g), tf.math.sqrt(denominator));
    if (momentum > 0) {
      Operand<TFloat32> mom = momentums.get(index);
      Operand<TFloat32> momNew = tf.assign(mom, tf.math.add(tf.math.mul(tf.constant((float) momentum), mom), increment));
      ops.add((Op) momNew);
      ops.add(tf.assignSub(variable.value(), momNew));
    } else {
      ops.add(tf.assignSub(variable.value(), increment));
    }
    return ops;
  }

  /**
   * A builder with Keras' defaults, so that each argument is named where it is set:
   * {@code RMSprop.builder().learningRate(...)...build()}; {@link Builder#build()} checks the values.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RMSprop}; every value starts at Keras' default. */
  public static final class Builder extends Optimizer.BaseBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }

    private double learningRate = DEFAULT_LEARNING_RATE;
    private double rho = DEFAULT_RHO;
    private double momentum = 0.0;
    private double epsilon = DEFAULT_EPSILON;
    private boolean centered = false;

    private Builder() {}

    /** the initial learning rate (default DEFAULT_LEARNING_RATE). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code rho} (default DEFAULT_RHO). */
    public Builder rho(double rho) {
      this.rho = rho;
      return this;
    }

    /** Keras' {@code momentum} (default 0.0). */
    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Keras' {@code epsilon} (default DEFAULT_EPSILON). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** Keras' {@code centered} (default false). */
    public Builder centered(boolean centered) {
      this.centered = centered;
      return this;
    }

    @Override
    public RMSprop build() {
      return withBaseOptions(new RMSprop(learningRate, rho, momentum, epsilon, centered));
    }
  }
}
