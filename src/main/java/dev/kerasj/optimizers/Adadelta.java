package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 {@code Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)}:
 * {@code Eg = rho * Eg + (1 - rho) * g^2}, {@code d = -sqrt(Ed + eps) * g / sqrt(Eg + eps)},
 * {@code Ed = rho * Ed + (1 - rho) * d^2}, {@code w += lr * d}. Its slots are {@code accumulated_grad} and
 * {@code accumulated_delta_var}, created per weight in turn. Note Keras' learning-rate default 0.001, where the
 * Adadelta paper (and Keras 2 before 2.3) used 1.0.
 */
public final class Adadelta extends Optimizer {
  /** Keras' default {@code learning_rate} of Adadelta. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras' default {@code rho} of Adadelta. */
  public static final double DEFAULT_RHO = 0.95;
  /** Keras' default {@code epsilon} of Adadelta. */
  public static final double DEFAULT_EPSILON = 1e-7;

  private final double rho;
  private final double epsilon;
  private final List<Operand<TFloat32>> accumulatedGrads = new ArrayList<>();
  private final List<Operand<TFloat32>> accumulatedDeltaVars = new ArrayList<>();

  /** Keras' defaults. */
  public Adadelta() {
    this(DEFAULT_LEARNING_RATE, DEFAULT_RHO, DEFAULT_EPSILON);
  }

  /** Keras' {@code Adadelta(learning_rate, rho, epsilon)}. */
  public Adadelta(double learningRate, double rho, double epsilon) {
    super(learningRate);
    OptimizerArguments.requireUnitInterval("Adadelta", "rho", rho, true);
    OptimizerArguments.requirePositive("Adadelta", "epsilon", epsilon);
    this.rho = rho;
    this.epsilon = epsilon;
  }

  public double rho() {
    return rho;
  }

  public double epsilon() {
    return epsilon;
  }

  @Override
  public String className() {
    return "Adadelta";
  }

  @Override
  public String name() {
    return "adadelta";
  }

  /** The accumulated squared gradient and squared update. */
  @Override
  public int slotsPerVariable() {
    return 2;
  }

  @Override
  protected void build(OptimizerContext ctx, List<Weight> variables) {
    for (Weight w : variables) {
      accumulatedGrads.add(ctx.addSlot(w, "accumulated_grad", 0f));
    }
    for (Weight w : variables) {
      accumulatedDeltaVars.add(ctx.addSlot(w, "accumulated_delta_var", 0f));
    }
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    Operand<TFloat32> rhoC = tf.constant((float) rho);
    Operand<TFloat32> oneMinusRho = tf.constant((float) (1 - rho));
    Operand<TFloat32> eps = tf.constant((float) epsilon);
    Operand<TFloat32> eg = accumulatedGrads.get(index);
    Operand<TFloat32> ed = accumulatedDeltaVars.get(index);
    Operand<TFloat32> egNew = tf.assign(eg, tf.math.add(tf.math.mul(rhoC, eg),
        tf.math.mul(oneMinusRho, gradient.squared())));
    Operand<TFloat32> delta = tf.math.neg(tf.math.div(tf.math.mul(tf.math.sqrt(tf.math.add(ed, eps)), g),
        tf.math.sqrt(tf.math.add(egNew, eps))));
    // Keras squares delta per lookup row for an Embedding table (IndexedSlices), then sums duplicates: the sum of
    // (rms(Ed) * g_i / rms(Eg))^2 is (rms(Ed) / rms(Eg))^2 times the summed squared rows.
    Operand<TFloat32> deltaSquared = gradient.fromLookups()
        ? tf.math.mul(tf.math.square(tf.math.div(tf.math.sqrt(tf.math.add(ed, eps)),
            tf.math.sqrt(tf.math.add(egNew, eps)))), gradient.squared())
        : tf.math.square(delta);
    // The new Ed is computed from delta, which read the old Ed: the data dependency orders the read first.
    Operand<TFloat32> edNew = tf.assign(ed, tf.math.add(tf.math.mul(rhoC, ed),
        tf.math.mul(oneMinusRho, deltaSquared)));
    Op varUpdate = tf.assignAdd(variable.value(), tf.math.mul(lr, delta));
    return List.of((Op) egNew, (Op) edNew, varUpdate);
  }

  /** A builder with Keras' defaults: {@code Adadelta.builder().learningRate(1.0).rho(0.9).build()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link Adadelta}; every value starts at Keras' default; {@link #build()} checks them. */
  public static final class Builder extends Optimizer.BaseBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }

    private double learningRate = DEFAULT_LEARNING_RATE;
    private double rho = DEFAULT_RHO;
    private double epsilon = DEFAULT_EPSILON;

    private Builder() {}

    /** The initial learning rate (default {@value Adadelta#DEFAULT_LEARNING_RATE}). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code rho} (default {@value Adadelta#DEFAULT_RHO}). */
    public Builder rho(double rho) {
      this.rho = rho;
      return this;
    }

    /** Keras' {@code epsilon} (default {@value Adadelta#DEFAULT_EPSILON}). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    @Override
    public Adadelta build() {
      return withBaseOptions(new Adadelta(learningRate, rho, epsilon));
    }
  }
}
