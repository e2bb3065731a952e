package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Keras {@code Maximum}: the element-wise maximum of its inputs. Weightless; call it on a list: {@code new Maximum().apply(a, b)}. */
public final class Maximum extends Merge {
  public Maximum() {
    this(null);
  }

  public Maximum(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Maximum";
  }

  @Override
  public String defaultNamePrefix() {
    return "maximum";
  }

  @Override
  protected Operand<TFloat32> merge(Ops tf, Operand<TFloat32> left, Operand<TFloat32> right) {
    return tf.math.maximum(left, right);
  }

  /** Keras' masked {@code Maximum}: masked values are filled from the other inputs first (see {@link Merge}). */
  @Override
  protected Operand<?> callMasked(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    return mergeFillingMasked(ctx.tf(), inputs, masks);
  }
}
