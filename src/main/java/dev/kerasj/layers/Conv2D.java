package dev.kerasj.layers;

import dev.kerasj.activations.Activations;
import dev.kerasj.constraints.Constraint;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Initializer;
import dev.kerasj.initializers.VarianceScaling;
import dev.kerasj.regularizers.Regularizer;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Conv2D} on channels-last images {@code [batch, height, width, channels]}. Weights {@code kernel}
 * ({@code [kh, kw, inChannels, filters]}, default {@code glorot_uniform}) and {@code bias} ({@code [filters]}).
 *
 * <pre>{@code new Conv2D(16, 3, "relu")}   or
 * {@code Conv2D.builder(16, 3, 3).strides(2, 2).padding("same").activation("relu").build()}</pre>
 */
public final class Conv2D extends Layer {
  private final int filters;
  private final int[] kernelSize;
  private final int[] strides;
  private final Padding padding;
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

  /** A square-kernel convolution with valid padding, stride 1 and no activation. */
  public Conv2D(int filters, int kernelSize) {
    this(builder(filters, kernelSize, kernelSize));
  }

  public Conv2D(int filters, int kernelSize, String activation) {
    this(builder(filters, kernelSize, kernelSize).activation(activation));
  }

  private Conv2D(Builder b) {
    super(b.name, b.inputShape);
    if (b.filters <= 0 || b.kernelSize[0] <= 0 || b.kernelSize[1] <= 0 || b.strides[0] <= 0 || b.strides[1] <= 0) {
      throw new IllegalArgumentException(
          "Conv2D expects positive filters, kernel size and strides. Received: filters=" + b.filters
              + ", kernelSize=" + java.util.Arrays.toString(b.kernelSize) + ", strides="
              + java.util.Arrays.toString(b.strides));
    }
    this.filters = b.filters;
    this.kernelSize = b.kernelSize.clone();
    this.strides = b.strides.clone();
    this.padding = b.padding;
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

  public static Builder builder(int filters, int kernelHeight, int kernelWidth) {
    return new Builder(filters, kernelHeight, kernelWidth);
  }

  public int filters() {
    return filters;
  }

  public int[] kernelSize() {
    return kernelSize.clone();
  }

  public int[] strides() {
    return strides.clone();
  }

  public Padding padding() {
    return padding;
  }

  public Activations activation() {
    return activation;
  }

  public boolean useBias() {
    return useBias;
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
    return "Conv2D";
  }

  @Override
  public String defaultNamePrefix() {
    return "conv2d";
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    if (in.length != 3) {
      throw shapeError("expects input of rank 4 (batch, height, width, channels)", in);
    }
    long h = padding.outputLength(in[0], kernelSize[0], strides[0]);
    long w = padding.outputLength(in[1], kernelSize[1], strides[1]);
    if (h <= 0 || w <= 0) {
      throw shapeError(
          "cannot apply a " + kernelSize[0] + "x" + kernelSize[1] + " kernel with " + padding.kerasName()
              + " padding; the output would be empty", in);
    }
    return new long[] {h, w, filters};
  }

  @Override
  protected void build(LayerContext ctx, long[] in) {
    kernel = ctx.addWeight("kernel", new long[] {kernelSize[0], kernelSize[1], in[2], filters}, kernelInitializer,
        true);
    if (useBias) {
      bias = ctx.addWeight("bias", new long[] {filters}, biasInitializer, true);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    Operand<TFloat32> y = tf.nn.conv2d((Operand<TFloat32>) inputs, kernel.value(),
        List.of(1L, (long) strides[0], (long) strides[1], 1L), padding.tfName());
    if (useBias) {
      y = tf.math.add(y, tf.reshape(bias.value(), tf.constant(new long[] {1, 1, 1, filters})));
    }
    return activation.apply(tf, y);
  }

  /** Options of {@link Conv2D}; {@code filters} and the kernel size are required. */
  public static final class Builder {
    private final int filters;
    private final int[] kernelSize;
    private int[] strides = {1, 1};
    private Padding padding = Padding.VALID;
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

    private Builder(int filters, int kh, int kw) {
      this.filters = filters;
      this.kernelSize = new int[] {kh, kw};
    }

    public Builder strides(int sh, int sw) {
      this.strides = new int[] {sh, sw};
      return this;
    }

    public Builder padding(String identifier) {
      this.padding = Padding.get(identifier);
      return this;
    }

    public Builder activation(String identifier) {
      this.activation = Activations.get(identifier);
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

    public Builder inputShape(long... shape) {
      this.inputShape = shape.clone();
      return this;
    }

    public Conv2D build() {
      return new Conv2D(this);
    }
  }
}
