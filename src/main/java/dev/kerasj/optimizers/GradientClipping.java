package dev.kerasj.optimizers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras 3.15's {@code BaseOptimizer._clip_gradients} with the TensorFlow backend, op for op: {@code clipnorm} is
 * {@code tf.clip_by_norm} per gradient, {@code global_clipnorm} is Keras' {@code clip_by_global_norm}, and
 * {@code clipvalue} is {@code tf.clip_by_value}.
 *
 * <p>A gradient Keras sees as {@code IndexedSlices} (an Embedding table's, see {@link Gradient}) is clipped by norm
 * on its per-lookup rows: the norm is that of all looked-up rows (the sum of {@link Gradient#squared()}), and the
 * rows are scaled by one factor, so the summed gradient scales by it too. Clipping such rows by value before they are
 * summed is not linear in the summed gradient, which is all kerasj keeps; that combination is refused.
 */
final class GradientClipping {
  private GradientClipping() {}

  /** Keras' checks of the constructor, plus a positive finite value (Keras silently ignores a value {@code <= 0}). */
  static void check(String optimizer, Double clipnorm, Double clipvalue, Double globalClipnorm) {
    int set = (clipnorm != null ? 1 : 0) + (clipvalue != null ? 1 : 0) + (globalClipnorm != null ? 1 : 0);
    if (set > 1) {
      throw new IllegalArgumentException(optimizer + ": only one of `clipnorm`, `clipvalue` and `global_clipnorm` "
          + "can be set. Received: clipnorm=" + show(clipnorm) + ", clipvalue=" + show(clipvalue)
          + ", global_clipnorm=" + show(globalClipnorm));
    }
    positive(optimizer, "clipnorm", clipnorm);
    positive(optimizer, "clipvalue", clipvalue);
    positive(optimizer, "global_clipnorm", globalClipnorm);
  }

  private static void positive(String optimizer, String argument, Double value) {
    if (value != null && (!(value > 0) || !Double.isFinite(value))) {
      throw new IllegalArgumentException(optimizer + ": argument `" + argument + "` must be a positive finite "
          + "number (Keras would silently not clip). Received: " + argument + "=" + value);
    }
  }

  private static String show(Double v) {
    return v == null ? "None" : v.toString();
  }

  static Gradient[] clip(Ops tf, Gradient[] grads, Double clipnorm, Double clipvalue, Double globalClipnorm) {
    if (clipnorm != null) {
      Gradient[] out = new Gradient[grads.length];
      for (int i = 0; i < grads.length; i++) {
        out[i] = grads[i] == null ? null : clipByNorm(tf, grads[i], clipnorm.floatValue());
      }
      return out;
    }
    if (globalClipnorm != null) {
      return clipByGlobalNorm(tf, grads, globalClipnorm);
    }
    if (clipvalue != null) {
      Gradient[] out = new Gradient[grads.length];
      for (int i = 0; i < grads.length; i++) {
        if (grads[i] == null) {
          continue;
        }
        if (grads[i].fromLookups()) {
          throw new IllegalArgumentException("clipvalue cannot be applied to the gradient of a weight read by table "
              + "lookups (an Embedding): Keras clips each looked-up row before the rows are summed, and kerasj "
              + "only keeps their sum. Use clipnorm or global_clipnorm for this model. Received: clipvalue="
              + clipvalue);
        }
        Operand<TFloat32> v = tf.constant(clipvalue.floatValue());
        Operand<TFloat32> g = tf.clipByValue(grads[i].value(), tf.math.neg(v), v);
        out[i] = dense(tf, g);
      }
      return out;
    }
    return grads;
  }

  /**
   * {@code tf.clip_by_norm(t, c)}: {@code l2sum = sum(t * t)}, a NaN-safe sqrt through two {@code where}s, then
   * {@code t * c / maximum(l2norm, c)}.
   */
  private static Gradient clipByNorm(Ops tf, Gradient g, float c) {
    Operand<TFloat32> l2sum = tf.reduceSum(g.squared(), allAxes(tf, g.squared()),
        org.tensorflow.op.core.ReduceSum.keepDims(true));
    Operand<TBool> pred = tf.math.greater(l2sum, tf.constant(0f));
    Operand<TFloat32> safe = tf.select(pred, l2sum, tf.onesLike(l2sum));
    Operand<TFloat32> l2norm = tf.select(pred, tf.math.sqrt(safe), l2sum);
    Operand<TFloat32> clip = tf.constant(c);
    Operand<TFloat32> denominator = tf.math.maximum(l2norm, clip);
    Operand<TFloat32> value = tf.math.div(tf.math.mul(g.value(), clip), denominator);
    if (!g.fromLookups()) {
      return dense(tf, value);
    }
    Operand<TFloat32> scale = tf.math.div(clip, denominator);
    return new Gradient(value, tf.math.mul(g.squared(), tf.math.square(scale)), tf.math.mul(g.absolute(), scale),
        true);
  }

  /**
   * Keras' {@code clip_by_global_norm}: {@code norm = sqrt(sum(stack([sum(square(g)) ...])))}, {@code scale =
   * c * minimum(1 / norm, 1 / c) + (norm - norm)} (NaN for a non-finite norm), every gradient times {@code scale}.
   */
  private static Gradient[] clipByGlobalNorm(Ops tf, Gradient[] grads, double c) {
    List<Operand<TFloat32>> squaredNorms = new ArrayList<>();
    for (Gradient g : grads) {
      if (g != null) {
        squaredNorms.add(tf.reduceSum(g.squared(), allAxes(tf, g.squared())));
      }
    }
    if (squaredNorms.isEmpty()) {
      return grads;
    }
    Operand<TFloat32> stacked = tf.stack(squaredNorms);
    Operand<TFloat32> norm = tf.math.sqrt(tf.reduceSum(stacked, tf.constant(0)));
    Operand<TFloat32> scaleForFinite = tf.math.mul(tf.constant((float) c),
        tf.math.minimum(tf.math.div(tf.constant(1f), norm), tf.constant((float) (1.0 / c))));
    Operand<TFloat32> scale = tf.math.add(scaleForFinite, tf.math.sub(norm, norm));
    Gradient[] out = new Gradient[grads.length];
    for (int i = 0; i < grads.length; i++) {
      Gradient g = grads[i];
      if (g == null) {
        continue;
      }
      Operand<TFloat32> value = tf.math.mul(g.value(), scale);
      out[i] = g.fromLookups()
          ? new Gradient(value, tf.math.mul(g.squared(), tf.math.square(scale)), tf.math.mul(g.absolute(), scale), true)
          : dense(tf, value);
    }
    return out;
  }

  private static Gradient dense(Ops tf, Operand<TFloat32> value) {
    return new Gradient(value, tf.math.square(value), tf.math.abs(value), false);
  }

  private static Operand<TInt32> allAxes(Ops tf, Operand<TFloat32> t) {
    return tf.range(tf.constant(0), tf.rank(t), tf.constant(1));
  }
}
