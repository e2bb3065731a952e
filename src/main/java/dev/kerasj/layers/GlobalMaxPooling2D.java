package dev.kerasj.layers;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Keras {@code GlobalMaxPooling2D}: the maximum over height and width, {@code [b, h, w, c] -> [b, c]}. */
public final class GlobalMaxPooling2D extends Layer {
  public GlobalMaxPooling2D() {
    this(null);
  }

  public GlobalMaxPooling2D(String name) {
    super(name, null);
  }

  @Override
  public String className() {
    return "GlobalMaxPooling2D";
  }

  @Override
  public String defaultNamePrefix() {
    return "global_max_pooling2d";
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    if (in.length != 3) {
      throw shapeError("expects input of rank 4 (batch, height, width, channels)", in);
    }
    return new long[] {in[2]};
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return ctx.tf().max((Operand<TFloat32>) inputs, ctx.tf().constant(new int[] {1, 2}));
  }
}
