package dev.kerasj.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Concatenate(axis=-1)}: joins its inputs along {@code axis}; every other dimension must match.
 * Weightless; call it on a list: {@code new Concatenate().apply(a, b)}.
 */
public final class Concatenate extends Merge {
  /** Keras' default axis: the last. */
  public static final int DEFAULT_AXIS = -1;

  private final int axis;

  public Concatenate() {
    this(DEFAULT_AXIS, null);
  }

  /**
   * @param axis the axis counted with the batch dimension, as in Keras (-1: the last; 0, the batch axis, is refused)
   */
  public Concatenate(int axis, String name) {
    super(name);
    if (axis == 0) {
      throw new IllegalArgumentException("Concatenate cannot join along the batch axis. Received: axis=0");
    }
    this.axis = axis;
  }

  /** The axis as given (Keras' {@code axis}, counted with the batch dimension). */
  public int axis() {
    return axis;
  }

  @Override
  public String className() {
    return "Concatenate";
  }

  @Override
  public String defaultNamePrefix() {
    return "concatenate";
  }

  /** The axis of a per-sample shape of {@code rank} dimensions. */
  private int sampleAxis(int rank) {
    int a = axis < 0 ? axis + rank + 1 : axis;
    if (a < 1 || a > rank) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (Concatenate) has axis=" + axis + ", outside "
          + "inputs of rank " + (rank + 1) + " (batch included)");
    }
    return a - 1;
  }

  @Override
  public long[] computeOutputShape(List<long[]> inputShapes) {
    checkCount(inputShapes.size());
    long[] first = inputShapes.get(0);
    int a = sampleAxis(first.length);
    long[] out = first.clone();
    out[a] = 0;
    for (long[] s : inputShapes) {
      boolean fits = s.length == first.length;
      for (int i = 0; fits && i < s.length; i++) {
        fits = i == a || s[i] == first[i];
      }
      if (!fits) {
        throw new IllegalArgumentException("A Concatenate layer requires inputs with matching shapes except for the "
            + "concatenation axis. Received: input shapes " + inputShapes.stream().map(Layer::formatShape).toList()
            + " for layer '" + displayName() + "' (axis=" + axis + ")");
      }
      out[a] = Layer.multiplySize(1, out[a] + s[a], this, s);
    }
    return out;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, boolean training) {
    Ops tf = ctx.tf();
    List<Operand<TFloat32>> values = inputs.stream().map(o -> (Operand<TFloat32>) o).toList();
    return tf.concat(values, tf.constant(sampleAxis(inputShape().length) + 1));
  }

  /**
   * Keras' {@code Concatenate.compute_mask}: null when no input has a mask; otherwise each input's mask (all true
   * for an input without one) repeated over that input's last axis, joined along {@code axis} like the values, and
   * reduced with ANY over the last axis. Joining along the steps joins the masks; joining features ORs them (an
   * unmasked input then keeps every step).
   */
  @Override
  public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    if (masks.isEmpty() || masks.stream().allMatch(java.util.Objects::isNull)) {
      return null;
    }
    Ops tf = ctx.tf();
    List<Operand<TBool>> full = new java.util.ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Operand<?> x = inputs.get(i);
      Operand<TBool> m = masks.get(i);
      if (m == null) {
        full.add(tf.broadcastTo(tf.constant(true), tf.shape(x)));
      } else if (m.shape().numDimensions() < x.shape().numDimensions()) {
        full.add(overLastAxis(tf, m, x));
      } else {
        full.add(m);
      }
    }
    Operand<TBool> joined = tf.concat(full, tf.constant(sampleAxis(inputShape().length) + 1));
    return tf.any(joined, tf.constant(-1));
  }

  @Override
  protected Operand<TFloat32> merge(Ops tf, Operand<TFloat32> left, Operand<TFloat32> right) {
    throw new IllegalStateException("Concatenate joins all inputs at once");
  }
}
