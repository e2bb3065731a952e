package dev.kerasj.layers;

import dev.kerasj.activations.Activations;
import dev.kerasj.constraints.Constraint;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Initializer;
import dev.kerasj.initializers.VarianceScaling;
import dev.kerasj.regularizers.Regularizer;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Dense}: {@code activation(inputs @ kernel + bias)} on the last axis. Weights {@code kernel}
 * ({@code [inputDim, units]}, default {@code glorot_uniform}) and {@code bias} ({@code [units]}, default
 * {@code zeros}).
 *
 * <pre>{@code new Dense(10, "softmax")}   or   {@code Dense.builder(64).activation("relu").useBias(false).build()}</pre>
 */
public final class Dense extends Layer {
  private final int units;
  private final Activations activation;
  private final boolean useBias;
  private final Initializer kernelInitializer;
  private final Initializer biasInitializer;
  private final Regularizer kernelRegularizer;
  private final Regularizer biasRegularizer;
  private final Constraint kernelConstraint;
  private final Constraint biasConstraint;
  private Weight kernel;
  private Weight bias;

  /** A linear Dense layer (Keras' default activation is none). */
  public Dense(int units) {
    this(builder(units));
  }

  /** A Dense layer with a Keras activation identifier such as {@code "relu"}. */
  public Dense(int units, String activation) {
    this(builder(units).activation(activation));
  }

  private Dense(Builder b) {
    super(b.name, b.inputShape);
    if (b.units <= 0) {
      throw new IllegalArgumentException(
          "Received an invalid value for `units`, expected a positive integer. Received: units=" + b.units);
    }
    this.units = b.units;
    this.activation = b.activation;
    this.useBias = b.useBias;
    this.kernelInitializer = b.kernelInitializer;
    this.biasInitializer = b.biasInitializer;
    this.kernelRegularizer = b.kernelRegularizer;
    this.biasRegularizer = b.biasRegularizer;
    this.kernelConstraint = b.kernelConstraint;
    this.biasConstraint = b.biasConstraint;
    setActivityRegularizer(b.activityRegularizer);
  }

  /** Starts a builder; {@code units} is required. */
  public static Builder builder(int units) {
    return new Builder(units);
  }

  public int units() {
    return units;
  }

  public Activations activation() {
    return activation;
  }

  public boolean useBias() {
    return useBias;
  }

  /** Keras' {@code supports_masking = True}: a mask on the input passes to the output. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public Regularizer weightRegularizer(String weightName) {
    return switch (weightName) {
      case "kernel" -> kernelRegularizer;
      case "bias" -> biasRegularizer;
      default -> null;
    };
  }

  @Override
  public Constraint weightConstraint(String weightName) {
    return switch (weightName) {
      case "kernel" -> kernelConstraint;
      case "bias" -> biasConstraint;
      default -> null;
    };
  }

  @Override
  public String className() {
    return "Dense";
  }

  @Override
  public String defaultNamePrefix() {
    return "dense";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    if (inputShape.length < 1) {
      throw shapeError("expects an input of rank >= 2 (batch, features)", inputShape);
    }
    long[] out = inputShape.clone();
    out[out.length - 1] = units;
    return out;
  }

  @Override
  protected void build(LayerContext ctx, long[] inputShape) {
    long inputDim = inputShape[inputShape.length - 1];
    kernel = ctx.addWeight("kernel", new long[] {inputDim, units}, kernelInitializer, true);
    if (useBias) {
      bias = ctx.addWeight("bias", new long[] {units}, biasInitializer, true);
    }
  }

  @Override
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    @SuppressWarnings("unchecked")
    Operand<TFloat32> x = (Operand<TFloat32>) inputs;
    long[] in = inputShape();
    Operand<TFloat32> y;
    if (in.length == 1) {
      y = tf.linalg.matMul(x, kernel.value());
    } else {
      // Keras' matmul broadcasts over leading axes: fold them into the batch, multiply, unfold.
      Operand<TFloat32> flat = tf.reshape(x, tf.constant(new long[] {-1, in[in.length - 1]}));
      Operand<TFloat32> prod = tf.linalg.matMul(flat, kernel.value());
      long[] outShape = new long[in.length + 1];
      outShape[0] = -1;
      System.arraycopy(in, 0, outShape, 1, in.length);
      outShape[outShape.length - 1] = units;
      y = tf.reshape(prod, tf.constant(outShape));
    }
    if (useBias) {
      y = tf.math.add(y, bias.value());
    }
    return activation.apply(tf, y);
  }

  /** Options of {@link Dense}; every field but {@code units} is optional and defaults to Keras' value. */
  public static final class Builder {
    private final int units;
    private Activations activation = Activations.LINEAR;
    private boolean useBias = true;
    private Initializer kernelInitializer = VarianceScaling.glorotUniform();
    private Initializer biasInitializer = Constant.zeros();
    private Regularizer kernelRegularizer;
    private Regularizer biasRegularizer;
    private Regularizer activityRegularizer;
    private Constraint kernelConstraint;
    private Constraint biasConstraint;
    private String name;
    private long[] inputShape;

    private Builder(int units) {
      this.units = units;
    }

    public Builder activation(String identifier) {
      this.activation = Activations.get(identifier);
      return this;
    }

    public Builder activation(Activations a) {
      this.activation = a;
      return this;
    }

    public Builder useBias(boolean useBias) {
      this.useBias = useBias;
      return this;
    }

    public Builder kernelInitializer(Initializer init) {
      this.kernelInitializer = init;
      return this;
    }

    public Builder biasInitializer(Initializer init) {
      this.biasInitializer = init;
      return this;
    }

    /** Keras' {@code kernel_regularizer}: a penalty on the kernel added to the loss (default none). */
    public Builder kernelRegularizer(Regularizer regularizer) {
      this.kernelRegularizer = regularizer;
      return this;
    }

    /** Keras' {@code bias_regularizer} (default none). */
    public Builder biasRegularizer(Regularizer regularizer) {
      this.biasRegularizer = regularizer;
      return this;
    }

    /** Keras' {@code activity_regularizer}: a penalty on the layer's output (default none). */
    public Builder activityRegularizer(Regularizer regularizer) {
      this.activityRegularizer = regularizer;
      return this;
    }

    /** Keras' {@code kernel_constraint}: applied to the kernel after each optimizer update (default none). */
    public Builder kernelConstraint(Constraint constraint) {
      this.kernelConstraint = constraint;
      return this;
    }

    /** Keras' {@code bias_constraint} (default none). */
    public Builder biasConstraint(Constraint constraint) {
      this.biasConstraint = constraint;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Per-sample input shape, when this is the model's first layer (Keras {@code input_shape}). */
    public Builder inputShape(long... shape) {
      this.inputShape = shape.clone();
      return this;
    }

    public Dense build() {
      return new Dense(this);
    }
  }
}
