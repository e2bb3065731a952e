package dev.kerasj.layers;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code GlobalMaxPooling1D}: the maximum over steps, {@code [b, steps, c] -> [b, c]}. Like Keras 3.15's it
 * does not support masking: a mask reaching it is dropped (with Keras' warning) and masked steps take part.
 */
public final class GlobalMaxPooling1D extends Layer {
  public GlobalMaxPooling1D() {
    this(null);
  }

  public GlobalMaxPooling1D(String name) {
    super(name, null);
  }

  @Override
  public String className() {
    return "GlobalMaxPooling1D";
  }

  @Override
  public String defaultNamePrefix() {
    return "global_max_pooling1d";
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    if (in.length != 2) {
      throw shapeError("expects input of rank 3 (batch, steps, channels)", in);
    }
    return new long[] {in[1]};
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return ctx.tf().max((Operand<TFloat32>) inputs, ctx.tf().constant(1));
  }
}
