package dev.kerasj.layers;

import dev.kerasj.initializers.Initializer;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * What a layer may use while its weights and graph are built: TensorFlow ops scoped under the layer's name, weight
 * creation, train-time side updates and seeds. Implemented by the model graph; a layer never creates a
 * {@code Graph} or {@code Session} of its own.
 */
public interface LayerContext {
  /** Ops whose names are placed under the current layer's name scope. */
  Ops tf();

  /**
   * Creates a float32 variable of this layer, initialized by {@code initializer} when the model is built.
   *
   * @param name Keras' variable name ({@code kernel}, {@code bias}, {@code gamma} ...)
   * @param trainable whether the optimizer updates it
   */
  Weight addWeight(String name, long[] shape, Initializer initializer, boolean trainable);

  /** Registers an op that must run with every training step (BatchNormalization's moving statistics). */
  void addUpdate(Op update);

  /**
   * Records, in the training graph, that {@code rows} were read from {@code table} at {@code ids} (a gather along
   * axis 0). The optimizer then receives this table's gradient the way Keras' TensorFlow backend does, as one row
   * per lookup (see {@link dev.kerasj.optimizers.Gradient}). A no-op outside the training graph.
   */
  default void recordLookup(Weight table, Operand<? extends TNumber> ids, Operand<TFloat32> rows) {}

  /**
   * The optimizer's step counter ({@code iterations}, int64 scalar) in the training pass, or null outside it. A
   * random op keyed by (seed, step) draws a value that is a pure function of saved state, so a run resumed from a
   * checkpoint draws what an uninterrupted one would.
   */
  default Operand<org.tensorflow.types.TInt64> trainingStep() {
    return null;
  }

  /**
   * Keras' {@code add_loss}: adds a float32 scalar to the loss of the pass being built (the activity regularizer's
   * penalty). A no-op in a context that computes no loss.
   */
  default void addLoss(Operand<TFloat32> loss) {}

  /** A seed for random ops of this layer (Dropout), derived from the model's seed and the layer's name. */
  long seed();

  /**
   * The context of a layer inside this one (the layers of a model used as a layer): its ops and weights are placed
   * under this layer's name scope, {@code outer/inner/kernel}.
   */
  default LayerContext sublayer(Layer inner) {
    throw new UnsupportedOperationException("This context has no sublayers");
  }
}
