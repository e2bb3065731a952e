package dev.kerasj.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import java.util.List;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras {@code Dropout(rate)}: during training, zeroes each value with probability {@code rate} and scales the
 * rest by {@code 1/(1-rate)}; at inference it is the identity.
 *
 * <p>In {@code fit}, the mask comes from a {@code StatelessRandomUniform} op keyed by (layer seed, the optimizer's
 * step counter): runs are reproducible for a given model seed, and a run resumed from a checkpoint draws exactly the
 * masks an uninterrupted run would, since the step counter is saved. The random stream differs from Keras', so
 * dropout models match Keras in distribution, not bit for bit.
 */
public final class Dropout extends Layer {
  private final double rate;

  public Dropout(double rate) {
    this(rate, null);
  }

  public Dropout(double rate, String name) {
    super(name, null);
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException(
          "Invalid value received for argument `rate`. Expected a float value between 0 and 1 (exclusive of 1). "
              + "Received: rate=" + rate);
    }
    this.rate = rate;
  }

  public double rate() {
    return rate;
  }

  /** Keras' {@code supports_masking = True}: a mask on the input passes to the output. */
  @Override
  public boolean supportsMasking() {
    return true;
  }

  @Override
  public String className() {
    return "Dropout";
  }

  @Override
  public String defaultNamePrefix() {
    return "dropout";
  }

  @Override
  public long[] computeOutputShape(long[] inputShape) {
    return inputShape;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<?> call(LayerContext ctx, Operand<?> inputs, boolean training) {
    Operand<TFloat32> x = (Operand<TFloat32>) inputs;
    if (!training || rate == 0) {
      return x;
    }
    return drop(ctx, x, rate);
  }

  /**
   * {@code x} with each value zeroed with probability {@code rate} and the rest scaled by {@code 1/(1-rate)}, keyed by
   * the calling layer's seed: also the attention layers' dropout on their weights.
   */
  static Operand<TFloat32> drop(LayerContext ctx, Operand<TFloat32> x, double rate) {
    Ops tf = ctx.tf();
    long seed = ctx.seed();
    Operand<TFloat32> random;
    if (ctx.trainingStep() != null) {
      // Stateless: the mask is a function of (layer seed, step), so a resumed run draws the same masks.
      Operand<TInt64> key = tf.stack(List.of(tf.constant(seed), ctx.trainingStep()));
      random = tf.random.statelessRandomUniform(tf.shape(x), key, TFloat32.class);
    } else {
      random = tf.random.randomUniform(tf.shape(x), TFloat32.class, RandomUniform.seed(seed & 0x7fffffffL),
          RandomUniform.seed2((seed >>> 32) & 0x7fffffffL));
    }
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(random, tf.constant((float) rate)), TFloat32.class);
    return tf.math.mul(tf.math.mul(x, tf.constant((float) (1.0 / (1.0 - rate)))), keep);
  }
}
