package dev.kerasj.saving.keras;

import dev.kerasj.Sequential;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Weight;
import dev.kerasj.saving.tfcheckpoint.OptimizerVariables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each variable of a kerasj model lives in a Keras 3 {@code .weights.h5} file (also the
 * {@code model.weights.h5} of a {@code .keras} archive), as Keras 3.15 writes it (measured with h5py, see
 * {@code python-interop/make_keras_files_fixtures.py}):
 *
 * <pre>
 * layers/&lt;layer name&gt;/vars/&lt;i&gt;   float32, i over the layer's trainable then non-trainable weights in
 *                                creation order (Dense: kernel, bias; BatchNormalization: gamma, beta, moving_mean,
 *                                moving_variance)
 * optimizer/vars/&lt;k&gt;           k over Keras' optimizer.variables: 0 iterations (int64 scalar), 1 learning rate
 *                                (float32 scalar; absent with a learning-rate schedule), then the slots
 *                                ({@link OptimizerVariables})
 * </pre>
 *
 * Each {@code vars} group carries a {@code name} attribute (the layer's or optimizer's name), which Keras writes and
 * never reads.
 */
final class WeightsLayout {
  /** One dataset of the file and the model variable it holds. */
  record Entry(String group, int index, ModelGraph.VariableSlot slot, String label) {
    String path() {
      return group + "/" + index;
    }
  }

  static final String LAYERS = "layers";
  static final String OPTIMIZER_VARS = "optimizer/vars";

  private final List<Entry> layerEntries;
  private final List<Entry> optimizerEntries;
  /** {@code vars} group → its {@code name} attribute. */
  private final Map<String, String> groupNames;

  private WeightsLayout(List<Entry> layerEntries, List<Entry> optimizerEntries, Map<String, String> groupNames) {
    this.layerEntries = List.copyOf(layerEntries);
    this.optimizerEntries = List.copyOf(optimizerEntries);
    this.groupNames = Map.copyOf(groupNames);
  }

  /**
   * The layout of a built model; with the optimizer's variables when compiled.
   *
   * @throws IllegalStateException when a variable of the model's graph has no place in Keras' layout (writing would
   *     silently lose it)
   */
  static WeightsLayout of(Sequential model) {
    model.build();
    ModelGraph graph = model.graphForInternalUse();
    Map<String, ModelGraph.VariableSlot> byName = new LinkedHashMap<>();
    graph.variables().forEach(v -> byName.put(v.name(), v));
    List<Entry> layers = new ArrayList<>();
    Map<String, String> names = new LinkedHashMap<>();
    java.util.Set<String> placed = new java.util.HashSet<>();
    for (Layer layer : model.layers()) {
      List<Weight> ordered = new ArrayList<>(layer.weights().stream().filter(Weight::trainable).toList());
      ordered.addAll(layer.weights().stream().filter(w -> !w.trainable()).toList());
      String group = LAYERS + "/" + layer.name() + "/vars";
      for (int i = 0; i < ordered.size(); i++) {
        Weight w = ordered.get(i);
        layers.add(new Entry(group, i, byName.get(w.path()), w.path()));
        placed.add(w.path());
        names.put(group, layer.name());
      }
    }
    List<Entry> optimizer = new ArrayList<>();
    List<OptimizerVariables.Entry> opt = OptimizerVariables.kerasOrder(model, byName.keySet());
    placed.addAll(OptimizerVariables.notSaved(model, byName.keySet()));
    for (int k = 0; k < opt.size(); k++) {
      optimizer.add(new Entry(OPTIMIZER_VARS, k, byName.get(opt.get(k).name()), opt.get(k).name()));
      placed.add(opt.get(k).name());
      names.put(OPTIMIZER_VARS, model.optimizer().name());
    }
    List<String> unplaced = byName.keySet().stream().filter(n -> !placed.contains(n)).toList();
    if (!unplaced.isEmpty()) {
      throw new IllegalStateException("Variables " + unplaced + " of model '" + model.name()
          + "' have no place in the Keras .weights.h5 layout; refusing to write a file that would lose them");
    }
    return new WeightsLayout(layers, optimizer, names);
  }

  List<Entry> layerEntries() {
    return layerEntries;
  }

  List<Entry> optimizerEntries() {
    return optimizerEntries;
  }

  List<Entry> all() {
    List<Entry> all = new ArrayList<>(layerEntries);
    all.addAll(optimizerEntries);
    return all;
  }

  Map<String, String> groupNames() {
    return groupNames;
  }
}
