package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras 3 {@code Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)}. */
public final class Adagrad extends Optimizer {
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  public static final double DEFAULT_INITIAL_ACCUMULATOR_VALUE = 0.1;
  public static final double DEFAULT_EPSILON = 1e-7;

  private final double initialAccumulatorValue;
  private final double epsilon;
  private final List<Operand<TFloat32>> accumulators = new ArrayList<>();

  public Adagrad() {
    this(DEFAULT_LEARNING_RATE);
  }

  public Adagrad(double learningRate) {
    this(learningRate, DEFAULT_INITIAL_ACCUMULATOR_VALUE, DEFAULT_EPSILON);
  }

  public Adagrad(double learningRate, double initialAccumulatorValue, double epsilon) {
    super(learningRate);
    if (!(initialAccumulatorValue >= 0) || !(epsilon > 0)) {
      throw new IllegalArgumentException(
          "Adagrad expects initialAccumulatorValue >= 0 and epsilon > 0. Received: initialAccumulatorValue="
              + initialAccumulatorValue + ", epsilon=" + epsilon);
    }
    this.initialAccumulatorValue = initialAccumulatorValue;
    this.epsilon = epsilon;
  }

  public double initialAccumulatorValue() {
    return initialAccumulatorValue;
  }

  public double epsilon() {
    return epsilon;
  }

  @Override
  public String className() {
    return "Adagrad";
  }

  @Override
  public String name() {
    return "adagrad";
  }

  /** The accumulator. */
  @Override
  public int slotsPerVariable() {
    return 1;
  }

  @Override
  protected void build(OptimizerContext ctx, List<Weight> variables) {
    for (Weight w : variables) {
      accumulators.add(ctx.addSlot(w, "accumulator", (float) initialAccumulatorValue));
    }
  }

  @Override
  protected List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    Ops tf = ctx.tf();
    Operand<TFloat32> g = gradient.value();
    Operand<TFloat32> acc = tf.assignAdd(accumulators.get(index), gradient.squared());
    Op varUpdate = tf.assignSub(variable.value(),
        tf.math.div(tf.math.mul(lr, g), tf.math.sqrt(tf.math.add(acc, tf.constant((float) epsilon)))));
    return List.of((Op) acc, varUpdate);
  }

  /**
   * A builder with Keras' defaults, so that each argument is named where it is set:
   * {@code Adagrad.builder().learningRate(...)...build()}; {@link Builder#build()} checks the values.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link Adagrad}; every value starts at Keras' default. */
  public static final class Builder extends Optimizer.BaseBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }

    private double learningRate = DEFAULT_LEARNING_RATE;
    private double initialAccumulatorValue = DEFAULT_INITIAL_ACCUMULATOR_VALUE;
    private double epsilon = DEFAULT_EPSILON;

    private Builder() {}

    /** the initial learning rate (default DEFAULT_LEARNING_RATE). */
    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    /** Keras' {@code initial_accumulator_value} (default DEFAULT_INITIAL_ACCUMULATOR_VALUE). */
    public Builder initialAccumulatorValue(double initialAccumulatorValue) {
      this.initialAccumulatorValue = initialAccumulatorValue;
      return this;
    }

    /** Keras' {@code epsilon} (default DEFAULT_EPSILON). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    @Override
    public Adagrad build() {
      return withBaseOptions(new Adagrad(learningRate, initialAccumulatorValue, epsilon));
    }
  }
}
