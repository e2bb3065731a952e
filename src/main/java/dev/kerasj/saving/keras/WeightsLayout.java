package dev.kerasj.saving.keras;

import dev.kerasj.internal.ModelGraph;
import dev.kerasj.layers.Bidirectional;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Recurrent;
import dev.kerasj.layers.Weight;
import dev.kerasj.models.KerasModel;
import dev.kerasj.saving.KerasPaths;
import dev.kerasj.saving.tfcheckpoint.OptimizerVariables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each variable of a kerasj model lives in a Keras 3 {@code .weights.h5} file (also the
 * {@code model.weights.h5} of a {@code .keras} archive), as Keras 3.15 writes it (measured with h5py, see
 * {@code python-interop/make_keras_files_fixtures.py}):
 *
 * <pre>
 * layers/&lt;class path&gt;/vars/&lt;i&gt;   float32, i over the layer's trainable then non-trainable weights in
 *                                creation order (Dense: kernel, bias; BatchNormalization: gamma, beta, moving_mean,
 *                                moving_variance)
 * optimizer/vars/&lt;k&gt;           k over Keras' optimizer.variables: 0 iterations (int64 scalar), 1 learning rate
 *                                (float32 scalar; absent with a learning-rate schedule), then the slots
 *                                ({@link OptimizerVariables})
 * </pre>
 *
 * A Functional model's container is its {@code model.layers}, InputLayers included (they get empty
 * {@code layers/input_layer/vars} groups, which kerasj does not write: Keras reads a missing group as an empty one); a
 * nested model's layers live under its own group: {@code layers/sequential/layers/dense/vars/0},
 * {@code layers/functional/layers/batch_normalization/vars/2}.
 *
 * <p>The class path of a layer is <em>not</em> its name: Keras numbers layers per class in layer order
 * ({@link KerasPaths}), so a model's layers {@code encoder}, {@code head} (both Dense) live under
 * {@code layers/dense} and {@code layers/dense_1}. Each {@code vars} group carries a {@code name} attribute (the
 * layer's or optimizer's name), which Keras writes and never reads.
 *
 * <p>kerasj before 2026-12 wrote {@code layers/<layer name>/vars/<i>} instead ({@link Addressing#LAYER_NAMES}); its
 * files carry no {@link #LAYOUT_ATTRIBUTE}, which is how {@link KerasWeights} tells them apart and still reads them.
 */
final class WeightsLayout {
  /** How a file addresses a layer's {@code vars} group. */
  enum Addressing {
    /** Keras 3's rule: {@code layers/<snake case of the class, numbered per class>/vars} ({@link KerasPaths}). */
    KERAS_CLASS_PATHS,
    /** kerasj's files before 2026-12: {@code layers/<layer name>/vars}; Keras itself misreads them. */
    LAYER_NAMES
  }

  /**
   * Root attribute kerasj writes into its weights files: {@code keras_class_paths} says the layers are addressed by
   * {@link Addressing#KERAS_CLASS_PATHS}. Keras ignores it.
   */
  static final String LAYOUT_ATTRIBUTE = "kerasj_layer_addressing";
  static final String LAYOUT_VALUE = "keras_class_paths";

  /** One layer of the model and its {@code vars} group in the file ({@code layers/dense_1/vars}). */
  record LayerGroup(Layer layer, String group) {
    /** For messages: {@code head (Dense) -> layers/dense_1}. */
    String describe() {
      return layer.name() + " (" + layer.className() + ") -> " + group.substring(0, group.length() - "/vars".length());
    }
  }

  /** One dataset of the file and the model variable it holds. */
  record Entry(String group, int index, ModelGraph.VariableSlot slot, String label) {
    String path() {
      return group + "/" + index;
    }
  }

  /**
   * Layers whose weights Keras keeps in sublayers, each saved in its own group under the layer's: the prefix of the
   * kerasj weight name ({@code query} of {@code query/kernel}) to the group, measured with h5py on Keras 3.15's files
   * ({@code layers/multi_head_attention/query_dense/vars/0}; Keras also writes empty {@code _softmax} and
   * {@code _dropout_layer} groups, which it reads back as empty when absent).
   */
  private static final Map<String, Map<String, String>> SUBLAYER_GROUPS = Map.of("MultiHeadAttention", Map.of(
      "query", "query_dense", "key", "key_dense", "value", "value_dense", "attention_output", "output_dense"));

  static final String LAYERS = "layers";
  static final String OPTIMIZER_VARS = "optimizer/vars";

  private final Addressing addressing;
  private final List<LayerGroup> layerGroups;
  private final List<Entry> layerEntries;
  private final List<Entry> optimizerEntries;
  /** {@code vars} group → its {@code name} attribute. */
  private final Map<String, String> groupNames;

  private WeightsLayout(Addressing addressing, List<LayerGroup> layerGroups, List<Entry> layerEntries,
      List<Entry> optimizerEntries, Map<String, String> groupNames) {
    this.addressing = addressing;
    this.layerGroups = List.copyOf(layerGroups);
    this.layerEntries = List.copyOf(layerEntries);
    this.optimizerEntries = List.copyOf(optimizerEntries);
    this.groupNames = Map.copyOf(groupNames);
  }

  /** Keras' layout of a built model ({@link Addressing#KERAS_CLASS_PATHS}); see {@link #of(KerasModel, Addressing)}. */
  static WeightsLayout of(KerasModel model) {
    return of(model, Addressing.KERAS_CLASS_PATHS);
  }

  /**
   * The layout of a built model; with the optimizer's variables when compiled.
   *
   * @throws IllegalStateException when a variable of the model's graph has no place in Keras' layout (writing would
   *     silently lose it)
   */
  static WeightsLayout of(KerasModel model, Addressing addressing) {
    model.build();
    ModelGraph graph = model.graphForInternalUse();
    Map<String, ModelGraph.VariableSlot> byName = new LinkedHashMap<>();
    graph.variables().forEach(v -> byName.put(v.name(), v));
    List<Entry> layers = new ArrayList<>();
    Map<String, String> names = new LinkedHashMap<>();
    Set<String> placed = new HashSet<>();
    List<LayerGroup> groups = new ArrayList<>();
    addContainer(model, LAYERS, addressing, byName, layers, names, placed, groups);
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
    return new WeightsLayout(addressing, groups, layers, optimizer, names);
  }

  /**
   * Keras' {@code _save_container_state} walk over one container's layers ({@code model.layers}: a Functional
   * model's InputLayers included, a Sequential's not): each layer under {@code <prefix>/<class path>}, its weights in
   * {@code vars}, a nested model's layers under {@code <prefix>/<class path>/layers}. A layer's variables are its
   * declared-trainable then its other weights, whether or not the layer is frozen (Keras' {@code save_own_variables}
   * lists {@code _trainable_variables + _non_trainable_variables}).
   */
  private static void addContainer(KerasModel container, String prefix, Addressing addressing,
      Map<String, ModelGraph.VariableSlot> byName, List<Entry> entries, Map<String, String> names, Set<String> placed,
      List<LayerGroup> groups) {
    List<Layer> layers = container.layers();
    List<String> classPaths = KerasPaths.containerNames(layers.stream().map(Layer::className).toList());
    for (int l = 0; l < layers.size(); l++) {
      Layer layer = layers.get(l);
      String path = prefix + "/" + (addressing == Addressing.KERAS_CLASS_PATHS ? classPaths.get(l) : layer.name());
      if (layer instanceof KerasModel nested) {
        addContainer(nested, path + "/" + LAYERS, addressing, byName, entries, names, placed, groups);
        continue;
      }
      if (layer instanceof Bidirectional bi) {
        // Keras: layers/bidirectional/{forward,backward}_layer/cell/vars/i
        addLayer(bi.forwardLayer(), path + "/forward_layer", byName, entries, names, placed, groups);
        addLayer(bi.backwardLayer(), path + "/backward_layer", byName, entries, names, placed, groups);
      } else {
        addLayer(layer, path, byName, entries, names, placed, groups);
      }
    }
  }

  /**
   * One layer's {@code vars} group: Keras' recurrent layers keep theirs in a cell ({@code layers/lstm/cell/vars/0}); a
   * weight named {@code sublayer/name} (MultiHeadAttention's {@code query/kernel}) goes to that sublayer's group.
   */
  private static void addLayer(Layer layer, String path, Map<String, ModelGraph.VariableSlot> byName,
      List<Entry> entries, Map<String, String> names, Set<String> placed, List<LayerGroup> groups) {
    String group = path + (layer instanceof Recurrent ? "/cell/vars" : "/vars");
    List<Weight> ordered = new ArrayList<>(layer.weights().stream().filter(Weight::declaredTrainable).toList());
    ordered.addAll(layer.weights().stream().filter(w -> !w.declaredTrainable()).toList());
    groups.add(new LayerGroup(layer, group));
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Weight w : ordered) {
      String g = group;
      int slash = w.name().indexOf('/');
      if (slash > 0) { // a weight of a sublayer Keras keeps inside the layer: MultiHeadAttention's query/kernel
        g = path + "/" + SUBLAYER_GROUPS.getOrDefault(layer.className(), Map.of())
            .getOrDefault(w.name().substring(0, slash), w.name().substring(0, slash)) + "/vars";
      }
      int i = counts.merge(g, 1, Integer::sum) - 1;
      entries.add(new Entry(g, i, byName.get(w.path()), w.path()));
      placed.add(w.path());
      names.put(g, slash > 0 ? w.name().substring(0, slash)
          : layer instanceof Recurrent r ? r.cellName() : layer.name());
    }
  }

  Addressing addressing() {
    return addressing;
  }

  /** Every layer of the model (weightless ones too) with its group, in layer order. */
  List<LayerGroup> layerGroups() {
    return layerGroups;
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
