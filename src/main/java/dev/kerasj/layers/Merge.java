package dev.kerasj.layers;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code Merge} base: a weightless layer of two or more inputs of one shape, combined element by element in
 * call order ({@code ((x0 op x1) op x2) ...}, the order Keras 3 applies them in).
 *
 * <p>Masks follow Keras 3.15: the output's mask is the OR of the inputs' masks, or none when an input has none
 * ({@link #computeMask}; {@link Concatenate} has its own rule); {@link Multiply}, {@link Maximum} and
 * {@link Minimum} fill masked values in before merging, the others merge the values as they are.
 */
public abstract class Merge extends Layer {
  protected Merge(String name) {
    super(name, null);
  }

  /** Combines two operands; called left to right over the inputs. */
  protected abstract Operand<TFloat32> merge(Ops tf, Operand<TFloat32> left, Operand<TFloat32> right);

  /** The least number of inputs (two); {@link Subtract} takes exactly two. */
  protected int minInputs() {
    return 2;
  }

  /** The most inputs, unbounded except for {@link Subtract}. */
  protected int maxInputs() {
    return Integer.MAX_VALUE;
  }

  @Override
  public final long[] computeOutputShape(long[] inputShape) {
    throw new IllegalArgumentException("A merge layer should be called on a list of inputs. Received: one input of "
        + "shape " + formatShape(inputShape) + " for layer '" + displayName() + "' (" + className() + ")");
  }

  @Override
  public long[] computeOutputShape(List<long[]> inputShapes) {
    checkCount(inputShapes.size());
    long[] first = inputShapes.get(0);
    for (long[] s : inputShapes) {
      if (!Arrays.equals(s, first)) {
        throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") merges inputs of "
            + "one shape. Received: input shapes " + inputShapes.stream().map(Layer::formatShape).toList());
      }
    }
    return first.clone();
  }

  protected final void checkCount(int n) {
    if (n < minInputs() || n > maxInputs()) {
      String expected = minInputs() == maxInputs() ? "exactly " + minInputs()
          : "at least " + minInputs();
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") should be called on "
          + expected + " inputs. Received: " + n + " inputs");
    }
  }

  @Override
  public final Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    throw new IllegalStateException("A merge layer is called on a list of inputs");
  }

  /**
   * Calls the layer with its inputs' masks, as Keras' merge layers read them ({@code backend.get_keras_mask} on
   * each input): without any mask this is {@link #call(LayerContext, List, boolean)}; otherwise
   * {@link #callMasked}.
   */
  @Override
  public final Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    if (masks.stream().allMatch(Objects::isNull)) {
      return call(ctx, inputs, training);
    }
    return callMasked(ctx, inputs, masks, training);
  }

  /**
   * The merge when at least one input carries a mask ({@code masks}: null where none). The default merges the
   * values as they are, as Keras' {@code Add}, {@code Subtract}, {@code Average} and {@code Concatenate} do;
   * {@link Multiply}, {@link Maximum} and {@link Minimum} first fill masked values in, as Keras' do.
   */
  protected Operand<?> callMasked(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks,
      boolean training) {
    return call(ctx, inputs, training);
  }

  /** Keras' {@code Merge.supports_masking = True}: the output carries {@link #computeMask}. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  /**
   * Keras 3.15's {@code Merge.compute_mask}: null when any input has no mask, else the element-wise OR of the
   * masks (a step is kept when any input keeps it).
   */
  @Override
  public Operand<TBool> computeMask(LayerContext ctx, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    if (masks.isEmpty() || masks.stream().anyMatch(Objects::isNull)) {
      return null;
    }
    Operand<TBool> out = masks.get(0);
    for (int i = 1; i < masks.size(); i++) {
      out = ctx.tf().math.logicalOr(out, masks.get(i));
    }
    return out;
  }

  /**
   * A mask of {@code [batch, ...]} repeated over {@code x}'s last axis, Keras'
   * {@code ops.broadcast_to(ops.expand_dims(mask, -1), ops.shape(x))}; null for no mask.
   */
  static Operand<TBool> overLastAxis(Ops tf, Operand<TBool> mask, Operand<?> x) {
    if (mask == null) {
      return null;
    }
    return tf.broadcastTo(tf.expandDims(mask, tf.constant(-1)), tf.shape(x));
  }

  /**
   * Keras' {@code Merge._apply_merge_op_and_or_mask} ({@link Maximum}, {@link Minimum}): before each pairwise
   * merge, a masked value of the next input is replaced by the running result and a masked value of the running
   * result by the next input's, so masked values never win; once an input has no mask the running mask is dropped and
   * later inputs merge as they are.
   */
  @SuppressWarnings("unchecked")
  final Operand<TFloat32> mergeFillingMasked(Ops tf, List<Operand<?>> inputs, List<Operand<TBool>> masks) {
    Operand<TFloat32> output = (Operand<TFloat32>) inputs.get(0);
    Operand<TBool> outputMask = overLastAxis(tf, masks.get(0), output);
    for (int i = 1; i < inputs.size(); i++) {
      Operand<TFloat32> x = (Operand<TFloat32>) inputs.get(i);
      Operand<TBool> mask = overLastAxis(tf, masks.get(i), x);
      if (mask != null) {
        x = tf.select(mask, x, output);
      }
      if (outputMask != null) {
        output = tf.select(outputMask, output, x);
      }
      outputMask = mask != null && outputMask != null ? tf.math.logicalOr(outputMask, mask) : null;
      output = merge(tf, output, x);
    }
    return output;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, boolean training) {
    Operand<TFloat32> out = (Operand<TFloat32>) inputs.get(0);
    for (int i = 1; i < inputs.size(); i++) {
      out = merge(ctx.tf(), out, (Operand<TFloat32>) inputs.get(i));
    }
    return finish(ctx.tf(), out, inputs.size());
  }

  /** A last step after the pairwise merges (Average divides by the count). */
  protected Operand<TFloat32> finish(Ops tf, Operand<TFloat32> merged, int inputs) {
    return merged;
  }
}
