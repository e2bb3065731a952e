package dev.kerasj.optimizers;

import dev.kerasj.layers.Weight;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * A Keras 3 optimizer: its update rule is written op for op like Keras' {@code update_step}, so training matches
 * Keras numerically. TF Java's own optimizers are not used (DESIGN.md section 3: they differentiate every variable,
 * bake the learning rate in and race Adam's beta powers).
 *
 * <p>The model builds one update graph per step: gradients first, then their clipping (Keras' {@code clipnorm},
 * {@code clipvalue} or {@code global_clipnorm}), then (AdamW) weight decay, then every {@link #updateStep}, then the
 * weights' moving averages ({@code use_ema}), then the iteration counter, each stage under control dependencies on
 * the previous one. Builders share these base-optimizer options through {@link BaseBuilder}. An
 * optimizer instance belongs to one model.
 */
public abstract class Optimizer {
  private final double learningRate;
  private boolean built;
  private boolean prepared;
  private dev.kerasj.optimizers.schedules.LearningRateSchedule schedule;
  private Double clipnorm;
  private Double clipvalue;
  private Double globalClipnorm;
  private boolean useEma;
  private double emaMomentum = DEFAULT_EMA_MOMENTUM;
  private Integer emaOverwriteFrequency;
  private Integer gradientAccumulationSteps;

  /** Keras' default {@code ema_momentum}. */
  public static final double DEFAULT_EMA_MOMENTUM = 0.99;

  protected Optimizer(double learningRate) {
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "Expected learningRate to be a positive finite number. Received: learningRate=" + learningRate);
    }
    this.learningRate = learningRate;
  }

  /** The initial learning rate (the live value is a variable of the compiled model). */
  public final double learningRate() {
    return learningRate;
  }

  /**
   * Makes the learning rate a function of the step counter, like Keras' {@code Adam(learning_rate=schedule)}. The
   * schedule is computed in the graph from the saved {@code iterations}, so a resumed run continues it where it
   * stopped. Call before {@code compile}.
   *
   * <pre>{@code
   * Adam adam = new Adam();
   * adam.setLearningRateSchedule(new ExponentialDecay(1e-3, 1000, 0.96));
   * }</pre>
   *
   * @return this optimizer
   * @throws IllegalStateException when the optimizer is already compiled into a model
   */
  public Optimizer setLearningRateSchedule(dev.kerasj.optimizers.schedules.LearningRateSchedule schedule) {
    if (built) {
      throw new IllegalStateException("Optimizer '" + name() + "' is already compiled: set its schedule before compile");
    }
    this.schedule = schedule;
    return this;
  }

  /** The learning-rate schedule, or null when the learning rate is a plain variable. */
  public dev.kerasj.optimizers.schedules.LearningRateSchedule learningRateSchedule() {
    return schedule;
  }

  /**
   * Clips every gradient before the update, like Keras' base-optimizer arguments {@code clipnorm},
   * {@code clipvalue} and {@code global_clipnorm}, of which at most one may be set (null: not set). Builders call it
   * ({@code Adam.builder().clipnorm(1.0)}); a model loaded from a Keras config calls it with the config's values.
   * Call before {@code compile}.
   *
   * @param clipnorm each gradient is scaled so that its L2 norm is at most this
   * @param clipvalue each gradient element is clipped to {@code [-clipvalue, clipvalue]}
   * @param globalClipnorm all gradients are scaled together so that their joint L2 norm is at most this
   * @return this optimizer
   * @throws IllegalArgumentException when more than one is set, or one is not a positive finite number
   * @throws IllegalStateException when the optimizer is already compiled into a model
   */
  public final Optimizer setGradientClipping(Double clipnorm, Double clipvalue, Double globalClipnorm) {
    if (built) {
      throw new IllegalStateException(
          "Optimizer '" + name() + "' is already compiled: set its gradient clipping before compile");
    }
    GradientClipping.check(className(), clipnorm, clipvalue, globalClipnorm);
    this.clipnorm = clipnorm;
    this.clipvalue = clipvalue;
    this.globalClipnorm = globalClipnorm;
    return this;
  }

  /**
   * Keeps an exponential moving average of every trainable weight, like Keras' {@code use_ema}, {@code ema_momentum}
   * and {@code ema_overwrite_frequency}: after each step's updates, {@code average = m * average + (1 - m) * weight}
   * with {@code m = emaMomentum} (0 at the first step, so the average starts at the weight); every
   * {@code emaOverwriteFrequency} steps (null: never) the weights are set to their averages, and at the end of
   * {@code fit} they are too (Keras' {@code finalize_variable_values}). The averages are optimizer variables
   * ({@code <optimizer>/<weight path>_average}), saved with the others. Call before {@code compile}.
   *
   * @return this optimizer
   * @throws IllegalArgumentException for an {@code emaMomentum} outside [0, 1] or an overwrite frequency below 1
   * @throws IllegalStateException when the optimizer is already compiled into a model
   */
  public final Optimizer setEma(boolean useEma, double emaMomentum, Integer emaOverwriteFrequency) {
    if (built) {
      throw new IllegalStateException("Optimizer '" + name() + "' is already compiled: set its EMA before compile");
    }
    if (useEma) {
      if (!(emaMomentum >= 0 && emaMomentum <= 1)) {
        throw new IllegalArgumentException(className() + ": `ema_momentum` must be in the range [0, 1]. Received: "
            + "ema_momentum=" + emaMomentum);
      }
      if (emaOverwriteFrequency != null && emaOverwriteFrequency < 1) {
        throw new IllegalArgumentException(className() + ": `ema_overwrite_frequency` must be an integer >= 1 or "
            + "None. Received: ema_overwrite_frequency=" + emaOverwriteFrequency);
      }
    }
    this.useEma = useEma;
    this.emaMomentum = emaMomentum;
    this.emaOverwriteFrequency = emaOverwriteFrequency;
    return this;
  }

  /** Keras' {@code use_ema}: whether the optimizer keeps a moving average of the weights. */
  public final boolean useEma() {
    return useEma;
  }

  /** Keras' {@code ema_momentum} (default {@value #DEFAULT_EMA_MOMENTUM}). */
  public final double emaMomentum() {
    return emaMomentum;
  }

  /** Keras' {@code ema_overwrite_frequency}: every how many steps the weights take their averages; null: never. */
  public final Integer emaOverwriteFrequency() {
    return emaOverwriteFrequency;
  }

  /**
   * Applies the mean gradient of every {@code steps} training steps, like Keras' {@code gradient_accumulation_steps}:
   * each step adds its gradient to an accumulator (an optimizer variable, {@code <optimizer>/<weight
   * path>_gradient_accumulator}); every {@code steps}-th step (when {@code (iterations + 1) % steps == 0}) the
   * optimizer applies {@code (gradient + accumulator) / steps}, clipped, and resets the accumulator. The optimizer's
   * own step count (Adam's bias correction, EMA) is {@code iterations / steps}; a learning-rate schedule sees every
   * step. Null: off. Call before {@code compile}.
   *
   * @return this optimizer
   * @throws IllegalArgumentException for {@code steps < 2}, as Keras
   * @throws IllegalStateException when the optimizer is already compiled into a model
   */
  public final Optimizer setGradientAccumulationSteps(Integer steps) {
    if (built) {
      throw new IllegalStateException(
          "Optimizer '" + name() + "' is already compiled: set its gradient accumulation before compile");
    }
    if (steps != null && steps < 2) {
      throw new IllegalArgumentException(className() + ": `gradient_accumulation_steps` must be an integer >= 2. "
          + "Received: gradient_accumulation_steps=" + steps);
    }
    this.gradientAccumulationSteps = steps;
    return this;
  }

  /** Keras' {@code gradient_accumulation_steps}, or null when every step applies its gradient. */
  public final Integer gradientAccumulationSteps() {
    return gradientAccumulationSteps;
  }

  /** Keras' {@code clipnorm}: the largest L2 norm of each gradient, or null when not set. */
  public final Double clipnorm() {
    return clipnorm;
  }

  /** Keras' {@code clipvalue}: the largest absolute value of a gradient element, or null when not set. */
  public final Double clipvalue() {
    return clipvalue;
  }

  /** Keras' {@code global_clipnorm}: the largest joint L2 norm of all gradients, or null when not set. */
  public final Double globalClipnorm() {
    return globalClipnorm;
  }

  /**
   * The gradients as Keras' {@code _clip_gradients} leaves them (unchanged when no clipping is set), built with
   * Keras' ops in Keras' order; called by the model graph after the gradients and before weight decay and the
   * updates. Null entries (weights the loss does not reach) stay null and, as in Keras, are left out of the global
   * norm.
   */
  public final Gradient[] clipGradients(org.tensorflow.op.Ops tf, Gradient[] gradients) {
    return GradientClipping.clip(tf, gradients, clipnorm, clipvalue, globalClipnorm);
  }

  /** Keras' class name, such as {@code Adam}. */
  public abstract String className();

  /** Keras' default optimizer name, such as {@code adam}; also the graph scope of its variables. */
  public abstract String name();

  /** Decoupled weight decay (AdamW), or {@code null} when the optimizer has none. */
  public Double weightDecay() {
    return null;
  }

  /**
   * How many slot variables, each the shape of its weight, {@link #build} creates per trainable weight (Adam's
   * momentum and velocity: 2). A model built from a config is sized with it before anything is allocated; an
   * optimizer that does not override it is counted as {@value #DEFAULT_SLOTS_PER_VARIABLE}.
   */
  public int slotsPerVariable() {
    return DEFAULT_SLOTS_PER_VARIABLE;
  }

  /** What {@link #slotsPerVariable()} assumes of an optimizer that does not say: as many as Adam's. */
  protected static final int DEFAULT_SLOTS_PER_VARIABLE = 2;

  /** Creates slot variables for the trainable {@code variables}; called once. */
  protected abstract void build(OptimizerContext ctx, List<Weight> variables);

  /**
   * Builds the update of one variable from its gradient, like Keras' {@code update_step}.
   *
   * @param index position of {@code variable} in the list given to {@link #build}
   * @return every assignment op the update made
   */
  protected abstract List<Op> updateStep(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr);

  /**
   * Builds the values every variable's update in a step shares, such as Adam's bias-corrected step size; called
   * once, after {@link #build} and before the first {@link #updateStep}. Keras computes them again in each
   * variable's {@code update_step}; one copy gives the same numbers from fewer graph ops (in a deep Adam model the
   * copies were a third of the graph, which TensorFlow then converts, prunes and optimizes before the first step).
   * Default: nothing.
   *
   * @param ctx ops ordered after every gradient, like the updates'
   * @param lr the learning rate {@link #updateStep} receives
   */
  protected void buildSharedStep(OptimizerContext ctx, Operand<TFloat32> lr) {}

  /** Called by the model graph once, after {@link #buildFor} and before the first {@link #update}. */
  public final void prepareUpdates(OptimizerContext ctx, Operand<TFloat32> lr) {
    if (!built || prepared) {
      throw new IllegalStateException("Optimizer '" + name() + "': prepareUpdates must follow buildFor, once");
    }
    prepared = true;
    buildSharedStep(ctx, lr);
  }

  /** Called by the model graph; an optimizer cannot be shared by two models. */
  public final void buildFor(OptimizerContext ctx, List<Weight> variables) {
    if (built) {
      throw new IllegalStateException(
          "Optimizer '" + name() + "' is already used by a compiled model; create a new optimizer per model");
    }
    built = true;
    build(ctx, variables);
  }

  /** Called by the model graph for each trainable variable. */
  public final List<Op> update(
      OptimizerContext ctx, Gradient gradient, Weight variable, int index, Operand<TFloat32> lr) {
    if (!prepared) {
      throw new IllegalStateException("Optimizer '" + name() + "': call prepareUpdates before update");
    }
    return updateStep(ctx, gradient, variable, index, lr);
  }

  /**
   * What every optimizer builder shares: Keras' base-optimizer arguments. {@link #build()} of each subclass applies
   * them through {@link #withBaseOptions}, which checks them as Keras does.
   *
   * @param <B> the concrete builder, returned by every setter
   */
  public abstract static class BaseBuilder<B extends BaseBuilder<B>> {
    private Double clipnorm;
    private Double clipvalue;
    private Double globalClipnorm;
    private boolean useEma;
    private double emaMomentum = DEFAULT_EMA_MOMENTUM;
    private Integer emaOverwriteFrequency;
    private Integer gradientAccumulationSteps;

    protected BaseBuilder() {}

    /** Keras' {@code gradient_accumulation_steps} (default: off), see {@link Optimizer#setGradientAccumulationSteps}. */
    public B gradientAccumulationSteps(int steps) {
      this.gradientAccumulationSteps = steps;
      return self();
    }

    /** Keras' {@code use_ema} (default false): keep a moving average of the weights, see {@link Optimizer#setEma}. */
    public B useEma(boolean useEma) {
      this.useEma = useEma;
      return self();
    }

    /** Keras' {@code ema_momentum} (default {@value Optimizer#DEFAULT_EMA_MOMENTUM}); used with {@code useEma}. */
    public B emaMomentum(double emaMomentum) {
      this.emaMomentum = emaMomentum;
      return self();
    }

    /** Keras' {@code ema_overwrite_frequency} (default: never); used with {@code useEma}. */
    public B emaOverwriteFrequency(int emaOverwriteFrequency) {
      this.emaOverwriteFrequency = emaOverwriteFrequency;
      return self();
    }

    /** This builder, typed as the subclass. */
    protected abstract B self();

    /** The optimizer with its arguments checked. */
    public abstract Optimizer build();

    /** Keras' {@code clipnorm} (default: not set): each gradient is scaled to an L2 norm of at most this. */
    public B clipnorm(double clipnorm) {
      this.clipnorm = clipnorm;
      return self();
    }

    /** Keras' {@code clipvalue} (default: not set): each gradient element is clipped to {@code [-v, v]}. */
    public B clipvalue(double clipvalue) {
      this.clipvalue = clipvalue;
      return self();
    }

    /** Keras' {@code global_clipnorm} (default: not set): all gradients are scaled to a joint norm of at most this. */
    public B globalClipnorm(double globalClipnorm) {
      this.globalClipnorm = globalClipnorm;
      return self();
    }

    /** Applies (and checks) the base-optimizer arguments on a freshly built optimizer. */
    protected final <O extends Optimizer> O withBaseOptions(O optimizer) {
      optimizer.setGradientClipping(clipnorm, clipvalue, globalClipnorm);
      optimizer.setEma(useEma, emaMomentum, emaOverwriteFrequency);
      optimizer.setGradientAccumulationSteps(gradientAccumulationSteps);
      return optimizer;
    }
  }
}
