package dev.kerasj.layers;

import org.tensorflow.Operand;

/** Keras {@code Flatten}: reshapes {@code [batch, d1, d2, ...]} to {@code [batch, d1*d2*...]}. */
public final class Flatten extends Layer {
  public Flatten() {
    this(null);
  }

  public Flatten(String name) {
    super(name, null);
  }

  @Override
  public String className() {
    return "Flatten";
  }

  @Override
  public String defaultNamePrefix() {
    return "flatten";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    long n = 1;
    for (long d : inputShape) {
      n = Layer.multiplySize(n, d, this, inputShape);
    }
    return new long[] {n};
  }

  @Override
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    return ctx.tf().reshape(inputs, ctx.tf().constant(new long[] {-1, outputShape()[0]}));
  }
}
