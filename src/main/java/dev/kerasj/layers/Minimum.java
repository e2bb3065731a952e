package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Keras {@code Minimum}: the element-wise minimum of its inputs. Weightless; call it on a list: {@code new Minimum().apply(a, b)}. */
public final class Minimum extends Merge {
  public Minimum() {
    this(null);
  }

  public Minimum(String name) {
    super(name);
  }

  @Override
  public String className() {
    return "Minimum";
  }

  @Override
  public String defaultNamePrefix() {
    return "minimum";
  }

  @Override
  protected Operand<TFloat32> merge(Ops tf, Operand<TFloat32> left, Operand<TFloat32> right) {
    return tf.math.minimum(left, right);
  }

  /** Keras' masked {@code Minimum}: masked values are filled from the other inputs first (see {@link Merge}). */
  @Override
  protected Operand<?> callMasked(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    return mergeFillingMasked(ctx.tf(), inputs, masks);
  }
}
