package dev.kerasj.layers;

import dev.kerasj.activations.Activations;
import dev.kerasj.initializers.Constant;
import dev.kerasj.initializers.Initializer;
import dev.kerasj.initializers.VarianceScaling;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Conv1D} on channels-last sequences {@code [batch, steps, channels]}. Weights {@code kernel}
 * ({@code [kernelSize, inChannels, filters]}, default {@code glorot_uniform}) and {@code bias} ({@code [filters]}).
 *
 * <p>Padding is {@code "valid"}, {@code "same"} or {@code "causal"} (left-pads {@code dilationRate * (kernelSize - 1)}
 * zeros, then convolves valid, so step t sees only steps up to t). Built as TensorFlow's {@code tf.nn.conv1d} is: the
 * sequence becomes a one-row image for {@code Conv2D}. A dilated convolution goes through
 * {@code SpaceToBatchND}/{@code BatchToSpaceND} around an undilated one, as {@code tf.nn.convolution} does on CPU
 * (TensorFlow has no CPU gradient for a dilated {@code Conv2D}).
 *
 * <pre>{@code new Conv1D(16, 3, "relu")}   or
 * {@code Conv1D.builder(16, 3).padding("causal").dilationRate(2).activation("relu").build()}</pre>
 */
public final class Conv1D extends Layer {
  private final int filters;
  private final int kernelSize;
  private final int strides;
  private final String padding;
  private final int dilationRate;
  private final Activations activation;
  private final boolean useBias;
  private final Initializer kernelInitializer;
  private final Initializer biasInitializer;
  private Weight kernel;
  private Weight bias;

  /** A convolution with valid padding, stride 1, no dilation and no activation. */
  public Conv1D(int filters, int kernelSize) {
    this(builder(filters, kernelSize));
  }

  public Conv1D(int filters, int kernelSize, String activation) {
    this(builder(filters, kernelSize).activation(activation));
  }

  private Conv1D(Builder b) {
    super(b.name, b.inputShape);
    if (b.filters <= 0 || b.kernelSize <= 0 || b.strides <= 0 || b.dilationRate <= 0) {
      throw new IllegalArgumentException("Conv1D expects positive filters, kernel_size, strides and dilation_rate. "
          + "Received: filters=" + b.filters + ", kernel_size=" + b.kernelSize + ", strides=" + b.strides
          + ", dilation_rate=" + b.dilationRate);
    }
    if (b.strides > 1 && b.dilationRate > 1) {
      throw new IllegalArgumentException("Conv1D cannot combine strides > 1 with dilation_rate > 1 (TensorFlow "
          + "does not implement it). Received: strides=" + b.strides + ", dilation_rate=" + b.dilationRate);
    }
    this.filters = b.filters;
    this.kernelSize = b.kernelSize;
    this.strides = b.strides;
    this.padding = b.padding;
    this.dilationRate = b.dilationRate;
    this.activation = b.activation;
    this.useBias = b.useBias;
    this.kernelInitializer = b.kernelInitializer;
    this.biasInitializer = b.biasInitializer;
  }

  /** Starts a builder; {@code filters} and {@code kernelSize} are required. */
  public static Builder builder(int filters, int kernelSize) {
    return new Builder(filters, kernelSize);
  }

  public int filters() {
    return filters;
  }

  public int kernelSize() {
    return kernelSize;
  }

  public int strides() {
    return strides;
  }

  /** Keras' identifier: {@code valid}, {@code same} or {@code causal}. */
  public String padding() {
    return padding;
  }

  public int dilationRate() {
    return dilationRate;
  }

  public Activations activation() {
    return activation;
  }

  public boolean useBias() {
    return useBias;
  }

  @Override
  public String className() {
    return "Conv1D";
  }

  @Override
  public String defaultNamePrefix() {
    return "conv1d";
  }

  private long span() {
    return (long) dilationRate * (kernelSize - 1) + 1;
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    if (in.length != 2) {
      throw shapeError("expects input of rank 3 (batch, steps, channels)", in);
    }
    long steps = switch (padding) {
      case "valid" -> Math.floorDiv(in[0] - span(), strides) + 1;
      default -> Math.floorDiv(in[0] + strides - 1, strides); // same and causal
    };
    if (steps <= 0) {
      throw shapeError("cannot apply a kernel of size " + kernelSize + " with dilation_rate " + dilationRate
          + " and " + padding + " padding; the output would be empty", in);
    }
    return new long[] {steps, filters};
  }

  @Override
  protected void build(LayerContext ctx, long[] in) {
    kernel = ctx.addWeight("kernel", new long[] {kernelSize, in[1], filters}, kernelInitializer, true);
    if (useBias) {
      bias = ctx.addWeight("bias", new long[] {filters}, biasInitializer, true);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    Operand<TFloat32> x = (Operand<TFloat32>) inputs;
    long steps = inputShape()[0];
    long before = 0;
    long after = 0;
    if (padding.equals("causal")) {
      before = span() - 1;
    } else if (padding.equals("same") && dilationRate > 1) {
      before = (span() - 1) / 2;
      after = span() - 1 - before;
    }
    Operand<TFloat32> y;
    if (dilationRate == 1) {
      if (before > 0) {
        x = pad(tf, x, before, 0);
      }
      y = conv(tf, x, before > 0 ? "VALID" : padding.toUpperCase(java.util.Locale.ROOT));
    } else {
      // tf.nn.convolution's _WithSpaceToBatch: pad to a multiple of the rate, fold every rate-th step into the
      // batch, convolve undilated, unfold and crop what the padding added at the end.
      long padded = steps + before + after;
      long extra = Math.floorMod(-padded, (long) dilationRate);
      Operand<TFloat32> s2b = tf.spaceToBatchNd(x, tf.constant(new long[] {dilationRate}),
          tf.constant(new long[][] {{before, after + extra}}));
      y = tf.batchToSpaceNd(conv(tf, s2b, "VALID"), tf.constant(new long[] {dilationRate}),
          tf.constant(new long[][] {{0, extra}}));
    }
    if (useBias) {
      y = tf.math.add(y, tf.reshape(bias.value(), tf.constant(new long[] {1, 1, filters})));
    }
    return activation.apply(tf, y);
  }

  /** {@code tf.nn.conv1d}: the sequence as a one-row image, the kernel as a one-row kernel. */
  private Operand<TFloat32> conv(Ops tf, Operand<TFloat32> x, String tfPadding) {
    Operand<TFloat32> image = tf.expandDims(x, tf.constant(1));
    Operand<TFloat32> k = tf.expandDims(kernel.value(), tf.constant(0));
    Operand<TFloat32> y = tf.nn.conv2d(image, k, List.of(1L, 1L, (long) strides, 1L), tfPadding);
    return tf.squeeze(y, Squeeze.axis(1L));
  }

  static Operand<TFloat32> pad(Ops tf, Operand<TFloat32> x, long before, long after) {
    return tf.pad(x, tf.constant(new long[][] {{0, 0}, {before, after}, {0, 0}}), tf.constant(0f));
  }

  /** Options of {@link Conv1D}; {@code filters} and {@code kernelSize} are required. */
  public static final class Builder {
    private final int filters;
    private final int kernelSize;
    private int strides = 1;
    private String padding = "valid";
    private int dilationRate = 1;
    private Activations activation = Activations.LINEAR;
    private boolean useBias = true;
    private Initializer kernelInitializer = VarianceScaling.glorotUniform();
    private Initializer biasInitializer = Constant.zeros();
    private String name;
    private long[] inputShape;

    private Builder(int filters, int kernelSize) {
      this.filters = filters;
      this.kernelSize = kernelSize;
    }

    public Builder strides(int strides) {
      this.strides = strides;
      return this;
    }

    /** {@code "valid"} (Keras' default), {@code "same"} or {@code "causal"}. */
    public Builder padding(String identifier) {
      if (!List.of("valid", "same", "causal").contains(identifier)) {
        throw new IllegalArgumentException(
            "Invalid padding for Conv1D. Expected \"valid\", \"same\" or \"causal\". Received: padding=" + identifier);
      }
      this.padding = identifier;
      return this;
    }

    public Builder dilationRate(int dilationRate) {
      this.dilationRate = dilationRate;
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

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder inputShape(long... shape) {
      this.inputShape = shape.clone();
      return this;
    }

    public Conv1D build() {
      return new Conv1D(this);
    }
  }
}
