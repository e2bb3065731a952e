package dev.kerasj.layers;

import dev.kerasj.initializers.Initializer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;

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

  /** A seed for random ops of this layer (Dropout), derived from the model's seed and the layer's name. */
  long seed();
}
