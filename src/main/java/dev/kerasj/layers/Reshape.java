package dev.kerasj.layers;

import java.util.Arrays;
import org.tensorflow.Operand;

/**
 * Keras {@code Reshape(target_shape)}: reshapes each sample; one dimension may be {@code -1} and is then inferred.
 */
public final class Reshape extends Layer {
  private final long[] targetShape;

  public Reshape(long... targetShape) {
    super(null, null);
    long unknown = Arrays.stream(targetShape).filter(d -> d == -1).count();
    if (targetShape.length == 0 || unknown > 1 || Arrays.stream(targetShape).anyMatch(d -> d == 0 || d < -1)) {
      throw new IllegalArgumentException(
          "Reshape expects positive dimensions with at most one -1. Received: targetShape="
              + Arrays.toString(targetShape));
    }
    this.targetShape = targetShape.clone();
  }

  public long[] targetShape() {
    return targetShape.clone();
  }

  @Override
  public String className() {
    return "Reshape";
  }

  @Override
  public String defaultNamePrefix() {
    return "reshape";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    long in = 1;
    for (long d : inputShape) {
      in = Layer.multiplySize(in, d, this, inputShape);
    }
    long known = 1;
    int unknownAt = -1;
    for (int i = 0; i < targetShape.length; i++) {
      if (targetShape[i] == -1) {
        unknownAt = i;
      } else {
        known = Layer.multiplySize(known, targetShape[i], this, inputShape);
      }
    }
    long[] out = targetShape.clone();
    if (unknownAt >= 0) {
      if (in % known != 0) {
        throw shapeError("cannot reshape to " + Arrays.toString(targetShape), inputShape);
      }
      out[unknownAt] = in / known;
    } else if (known != in) {
      throw shapeError(
          "cannot reshape " + in + " values per sample to " + Arrays.toString(targetShape) + " (" + known
              + " values)", inputShape);
    }
    return out;
  }

  @Override
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    long[] out = outputShape();
    long[] full = new long[out.length + 1];
    full[0] = -1;
    System.arraycopy(out, 0, full, 1, out.length);
    return ctx.tf().reshape(inputs, ctx.tf().constant(full));
  }
}
