package dev.kerasj.layers;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Keras {@code GlobalAveragePooling2D}: the mean over height and width, {@code [b, h, w, c] -> [b, c]}. */
public final class GlobalAveragePooling2D extends Layer {
  public GlobalAveragePooling2D() {
    this(null);
  }

  public GlobalAveragePooling2D(String name) {
    super(name, null);
  }

  @Override
  public String className() {
    return "GlobalAveragePooling2D";
  }

  @Override
  public String defaultNamePrefix() {
    return "global_average_pooling2d";
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
    return ctx.tf().math.mean((Operand<TFloat32>) inputs, ctx.tf().constant(new int[] {1, 2}));
  }
}
