package dev.kerasj.layers;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras' {@code Merge} base: a weightless layer of two or more inputs of one shape, combined element by element in
 * call order ({@code ((x0 op x1) op x2) ...}, the order Keras 3 applies them in).
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
   * Refuses masked inputs. Keras' merge layers carry a mask on (and fill masked values from the other inputs before
   * merging); kerasj does not implement that, and dropping the mask, as a layer without mask support does, would
   * silently compute another model than Keras'.
   */
  @Override
  public Operand<?> call(LayerContext ctx, List<Operand<?>> inputs, List<Operand<org.tensorflow.types.TBool>> masks,
      boolean training) {
    if (masks.stream().anyMatch(java.util.Objects::nonNull)) {
      throw new IllegalArgumentException("Layer '" + displayName() + "' (" + className() + ") received a masked "
          + "input (a Masking layer upstream), but kerasj's merge layers do not implement Keras' mask handling, so "
          + "this model would compute differently from Keras. Expected: unmasked inputs. Fix: merge before Masking, "
          + "or pool the steps first (GlobalAveragePooling1D ends the mask)");
    }
    return call(ctx, inputs, training);
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
