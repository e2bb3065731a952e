package dev.kerasj.models;

import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import java.util.List;

/**
 * How the file formats make the models they read: a format parses layers from a file, and the model façade
 * ({@code dev.kerasj}, which sits above the formats) turns them into a {@link dev.kerasj.Sequential} or a Functional
 * {@link dev.kerasj.Model} and compiles it. {@code Model.load}, {@code Model.fromJson} and their Sequential forms
 * pass theirs to the format they call.
 */
public interface ModelFactory {
  /** An unbuilt Sequential model of these layers (the first one an {@code Input} when the input shape is known). */
  KerasModel sequential(String name, List<Layer> layers);

  /** An unbuilt Functional model from its symbolic inputs to its outputs. */
  KerasModel functional(String name, List<KerasTensor> inputs, List<KerasTensor> outputs);

  /**
   * Keras' {@code compile(optimizer, loss, loss_weights, metrics)} as a file's compile config gives it: each argument
   * in any form {@code Model.compile} takes ({@code lossWeights} null, a list in output order or a map by output name).
   */
  void compile(KerasModel model, Object optimizer, Object loss, Object lossWeights, Object metrics);

  /**
   * {@link #compile(KerasModel, Object, Object, Object, Object)} with Keras' {@code weighted_metrics} too, in the
   * forms {@code metrics} takes (an empty list: none). The default refuses weighted metrics it cannot pass on.
   */
  default void compile(KerasModel model, Object optimizer, Object loss, Object lossWeights, Object metrics,
      Object weightedMetrics) {
    if (weightedMetrics != null && !(weightedMetrics instanceof java.util.Collection<?> c && c.isEmpty())) {
      throw new UnsupportedOperationException(getClass().getName() + " does not compile weighted metrics");
    }
    compile(model, optimizer, loss, lossWeights, metrics);
  }
}
