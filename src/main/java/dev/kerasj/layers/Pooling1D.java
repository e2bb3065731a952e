package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;

/**
 * Shared logic of {@link MaxPooling1D} and {@link AveragePooling1D} on {@code [batch, steps, channels]}: the sequence
 * becomes a one-row image for TensorFlow's 2-D pooling op, as {@code tf.nn.max_pool1d} does.
 */
abstract class Pooling1D extends Layer {
  final int poolSize;
  final int strides;
  final Padding padding;

  Pooling1D(int poolSize, Integer strides, String padding, String name) {
    super(name, null);
    int s = strides == null ? poolSize : strides;
    if (poolSize <= 0 || s <= 0) {
      throw new IllegalArgumentException("Pooling expects a positive pool_size and strides. Received: pool_size="
          + poolSize + ", strides=" + s);
    }
    this.poolSize = poolSize;
    this.strides = s;
    this.padding = Padding.get(padding);
  }

  public int poolSize() {
    return poolSize;
  }

  public int strides() {
    return strides;
  }

  public Padding padding() {
    return padding;
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    if (in.length != 2) {
      throw shapeError("expects input of rank 3 (batch, steps, channels)", in);
    }
    long steps = padding.outputLength(in[0], poolSize, strides);
    if (steps <= 0) {
      throw shapeError("cannot pool " + poolSize + " steps; the output would be empty", in);
    }
    return new long[] {steps, in[1]};
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Ops tf = ctx.tf();
    Operand<TFloat32> image = tf.expandDims((Operand<TFloat32>) inputs, tf.constant(1));
    return tf.squeeze(pool(tf, image, List.of(1L, 1L, (long) poolSize, 1L), List.of(1L, 1L, (long) strides, 1L)),
        Squeeze.axis(1L));
  }

  /** The 2-D pooling op on {@code [batch, 1, steps, channels]}. */
  abstract Operand<TFloat32> pool(Ops tf, Operand<TFloat32> image, List<Long> window, List<Long> strides);
}
