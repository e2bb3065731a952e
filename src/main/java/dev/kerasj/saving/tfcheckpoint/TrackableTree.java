package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.internal.ModelGraph;
import dev.kerasj.layers.Bidirectional;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Recurrent;
import dev.kerasj.layers.Weight;
import dev.kerasj.models.KerasModel;
import dev.kerasj.optimizers.Optimizer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;

/**
 * The object graph Keras 3 tracks for {@code tf.train.Checkpoint(model=m, optimizer=m.optimizer)}, rebuilt for a
 * kerasj model: the same nodes, child names and sharing, so that node ids and checkpoint keys come out as Keras'.
 *
 * <pre>
 * (root) ─ model ─ _functional ─ _tracked … _call_has_context_arg (empty)     (a Sequential)
 *        │       │             └ _operations ─ 0 (InputLayer), 1 ─ _kernel, bias …
 *        │       │   or, for a Functional model, the same children directly under model:
 *        │       ├ _tracked … _call_has_context_arg, _operations ─ 0, 1 (its Input layers), 2 ─ _kernel …
 *        │       │   (a nested model's _operations/i node holds its own structure, the same way)
 *        │       ├ optimizer ──────────────┐ (the same node; only when compiled)
 *        │       ├ loss (empty; only for several outputs, compiled)
 *        │       └ _compiled_trainable_state (empty)
 *        ├ optimizer ─ _variables ─ 0 (iterations), 1 (learning rate), 2… (slots, Keras' order)
 *        │           ├ _trainable_variables ─ 0… (the layer weight nodes)
 *        │           ├ _trainable_variables_indices (empty), _iterations, _learning_rate
 *        │           │   (with a learning-rate schedule, as in Keras: no learning-rate node, slots from 1)
 *        │           └ one list per slot kind (_momentums, _velocities …)
 *        └ save_counter
 * </pre>
 *
 * Ids are given breadth-first from the root and each variable is keyed by its first breadth-first path plus
 * {@code /.ATTRIBUTES/VARIABLE_VALUE}, as TensorFlow's {@code ObjectGraphView} does. That is why, once the optimizer is
 * tracked, the trainable weights are keyed {@code optimizer/_trainable_variables/j/...}: readers must resolve paths
 * through the object graph, never guess keys.
 */
final class TrackableTree {
  static final String VARIABLE_VALUE = "VARIABLE_VALUE";
  static final String SAVE_COUNTER = "save_counter";

  /** A node; {@code variable} is set on variable nodes (null with {@code saveCounter} for the root's counter). */
  static final class Node {
    final Map<String, Node> children = new LinkedHashMap<>();
    final ModelGraph.VariableSlot variable;
    final String fullName;
    final boolean saveCounter;
    /** A readable name for messages ({@code dense/kernel}, {@code adam/dense_kernel_momentum}). */
    final String label;
    /** The node's object path for messages: through the layers for weights ({@link #assignPaths}). */
    String path;

    Node() {
      this(null, null, false, null);
    }

    Node(ModelGraph.VariableSlot variable, String fullName, boolean saveCounter, String label) {
      this.variable = variable;
      this.fullName = fullName;
      this.saveCounter = saveCounter;
      this.label = label;
    }

    boolean isVariable() {
      return variable != null || saveCounter;
    }

    Node add(String name, Node child) {
      children.put(name, child);
      return child;
    }

    Node add(String name) {
      return add(name, new Node());
    }
  }

  /** A variable with the key it is saved under. */
  record Entry(String key, Node node) {}

  /** The serialized graph and its variables in node-id order. */
  record Serialized(TrackableObjectGraph graph, List<Entry> entries) {}

  final Node root = new Node();
  /** Whether the tree includes the optimizer (the model was compiled). */
  final boolean hasOptimizer;

  private TrackableTree(boolean hasOptimizer) {
    this.hasOptimizer = hasOptimizer;
  }

  /**
   * The tree of a built model; with its optimizer when compiled.
   *
   * @throws IllegalStateException when a variable of the model's graph has no place in Keras' layout (kerasj would
   *     otherwise silently drop state)
   */
  static TrackableTree of(KerasModel model) {
    ModelGraph graph = model.graphForInternalUse();
    Map<String, ModelGraph.VariableSlot> byName = new LinkedHashMap<>();
    graph.variables().forEach(v -> byName.put(v.name(), v));
    Optimizer optimizer = model.optimizer();
    boolean compiled = optimizer != null && byName.containsKey(optimizer.name() + "/iterations");
    TrackableTree tree = new TrackableTree(compiled);
    Set<String> placed = new HashSet<>();

    Node modelNode = tree.root.add("model");
    Map<Weight, Node> weightNodes = new IdentityHashMap<>();
    addModel(modelNode, model, OptimizerVariables.kerasPaths(model), byName, weightNodes, placed);
    if (compiled) {
      Node opt = optimizerNode(model, optimizer, byName, weightNodes, placed);
      modelNode.add("optimizer", opt);
      if (model.outputNames().size() > 1) {
        // Keras tracks compile()'s loss when it is a container (a dict per output, the form kerasj's compile_config
        // writes for several outputs) as an empty node; a loss given as one string or Loss is not tracked.
        modelNode.add("loss");
      }
      modelNode.add("_compiled_trainable_state");
      tree.root.add("optimizer", opt);
    }
    tree.root.add(SAVE_COUNTER, new Node(null, SAVE_COUNTER, true, SAVE_COUNTER));
    tree.assignPaths(tree.root, "");
    List<String> unplaced = byName.keySet().stream().filter(n -> !placed.contains(n)).toList();
    if (!unplaced.isEmpty()) {
      throw new IllegalStateException("Variables " + unplaced + " of model '" + model.name()
          + "' have no place in the Keras checkpoint layout; refusing to write a checkpoint that would lose them");
    }
    return tree;
  }

  /**
   * Adds a model's layer containers under {@code node}: a Functional model tracks them itself, with its Input layers
   * among {@code _operations} in {@code model.layers} order; a Sequential holds them in an inner
   * {@code _functional} whose {@code _operations/0} is the InputLayer Keras puts first. A nested model (a layer that
   * is a model) gets the same structure under its {@code _operations/i} node, without optimizer nodes.
   */
  private static void addModel(Node node, KerasModel model, Map<Weight, String> kerasPaths,
      Map<String, ModelGraph.VariableSlot> byName,
      Map<Weight, Node> weightNodes, Set<String> placed) {
    boolean sequential = model.isSequential();
    Node functional = sequential ? node.add("_functional") : node;
    KerasLayout.FUNCTIONAL_EMPTY_CHILDREN.forEach(functional::add);
    Node operations = functional.add("_operations");
    int first = 0;
    if (sequential) {
      operations.add("0");
      first = 1;
    }
    List<Layer> layers = model.layers();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      Node layerNode = operations.add(Integer.toString(i + first));
      if (layer instanceof KerasModel nested) {
        addModel(layerNode, nested, kerasPaths, byName, weightNodes, placed);
        continue;
      }
      if (layer instanceof Bidirectional bi) {
        addWeights(layerNode.add("forward_layer"), bi.forwardLayer(), kerasPaths, byName, weightNodes, placed);
        addWeights(layerNode.add("backward_layer"), bi.backwardLayer(), kerasPaths, byName, weightNodes, placed);
      } else {
        addWeights(layerNode, layer, kerasPaths, byName, weightNodes, placed);
      }
    }
  }

  /**
   * A layer's weight nodes: Keras tracks a recurrent layer's weights in its {@code cell}, and a weight whose attribute
   * is a path ({@code _query_dense/_kernel}) in a sublayer of the layer.
   */
  private static void addWeights(Node layerNode, Layer layer, Map<Weight, String> kerasPaths,
      Map<String, ModelGraph.VariableSlot> byName, Map<Weight, Node> weightNodes, Set<String> placed) {
    if (layer instanceof Recurrent) {
      layerNode = layerNode.add("cell");
    }
    KerasLayout.sublayerChildren(layer).forEach(layerNode::add);
    for (Weight w : layer.weights()) {
      String[] attribute = KerasLayout.attribute(layer, w).split("/");
      Node owner = layerNode;
      for (int p = 0; p < attribute.length - 1; p++) {
        owner = owner.children.computeIfAbsent(attribute[p], k -> new Node());
      }
      String attr = attribute[attribute.length - 1];
      Node weightNode = weightNodes.get(w);
      if (weightNode != null) { // a layer Keras lists twice is not possible; guard against double-adding anyway
        owner.add(attr, weightNode);
        continue;
      }
      ModelGraph.VariableSlot slot = byName.get(w.path());
      weightNode = new Node(slot, kerasPaths.get(w), false, w.path());
      owner.add(attr, weightNode);
      weightNodes.put(w, weightNode);
      placed.add(w.path());
    }
  }

  private static Node optimizerNode(KerasModel model, Optimizer optimizer,
      Map<String, ModelGraph.VariableSlot> byName, Map<Weight, Node> weightNodes, Set<String> placed) {
    List<OptimizerVariables.Entry> ordered = OptimizerVariables.kerasOrder(model, byName.keySet());
    placed.addAll(OptimizerVariables.notSaved(model, byName.keySet()));
    Node opt = new Node();
    Node iterations = null;
    Node learningRate = null;
    List<Weight> trainable = model.weights().stream().filter(Weight::trainable).toList();
    List<KerasLayout.SlotList> kinds = KerasLayout.slotLists(optimizer);
    Map<String, List<Node>> lists = new LinkedHashMap<>();
    kinds.forEach(k -> lists.put(k.attribute(), new ArrayList<>()));
    Map<String, Node> scalars = new LinkedHashMap<>();
    Node variables = opt.add("_variables");
    for (int k = 0; k < ordered.size(); k++) {
      OptimizerVariables.Entry e = ordered.get(k);
      Node node = new Node(byName.get(e.name()), e.kerasName(), false, e.name());
      variables.add(Integer.toString(k), node);
      placed.add(e.name());
      if (OptimizerVariables.ONLY_IN_VARIABLES.equals(e.slotAttribute())) {
        continue; // EMA averages and gradient accumulators: Keras tracks them in _variables only
      } else if (e.slotAttribute() != null && lists.containsKey(e.slotAttribute())) {
        lists.get(e.slotAttribute()).add(node);
      } else if (e.slotAttribute() != null) {
        scalars.put(e.slotAttribute(), node);
      } else if (iterations == null) {
        iterations = node;
      } else {
        learningRate = node;
      }
    }
    Node trainableNode = opt.add("_trainable_variables");
    for (int j = 0; j < trainable.size(); j++) {
      trainableNode.add(Integer.toString(j), weightNodes.get(trainable.get(j)));
    }
    opt.add("_trainable_variables_indices");
    opt.add("_iterations", iterations);
    if (learningRate != null) {
      opt.add("_learning_rate", learningRate);
    }
    for (KerasLayout.SlotList kind : kinds) {
      Node listNode = opt.add(kind.attribute());
      List<Node> nodes = lists.get(kind.attribute());
      for (int j = 0; j < nodes.size(); j++) {
        listNode.add(Integer.toString(j), nodes.get(j));
      }
    }
    scalars.forEach(opt::add); // Keras sets them after the slot lists (Nadam: _u_product)
    return opt;
  }

  /**
   * Names each node by its first depth-first path, not descending into the root's own children from elsewhere:
   * layer weights read {@code model/_functional/_operations/1/_kernel}, slots {@code optimizer/_variables/2}.
   */
  private void assignPaths(Node node, String path) {
    if (node.path != null) {
      return;
    }
    node.path = path;
    for (Map.Entry<String, Node> c : node.children.entrySet()) {
      if (node == root || !root.children.containsValue(c.getValue())) {
        assignPaths(c.getValue(), path.isEmpty() ? c.getKey() : path + "/" + c.getKey());
      }
    }
  }

  /** Numbers the nodes breadth-first and serializes the graph as Keras' {@code _CHECKPOINTABLE_OBJECT_GRAPH}. */
  Serialized serialize() {
    Map<Node, Integer> ids = new IdentityHashMap<>();
    Map<Node, String> paths = new IdentityHashMap<>();
    List<Node> order = new ArrayList<>();
    ArrayDeque<Node> queue = new ArrayDeque<>();
    ids.put(root, 0);
    paths.put(root, "");
    order.add(root);
    queue.add(root);
    while (!queue.isEmpty()) {
      Node n = queue.poll();
      for (Map.Entry<String, Node> c : n.children.entrySet()) {
        if (!ids.containsKey(c.getValue())) {
          ids.put(c.getValue(), order.size());
          String parent = paths.get(n);
          paths.put(c.getValue(), parent.isEmpty() ? escape(c.getKey()) : parent + "/" + escape(c.getKey()));
          order.add(c.getValue());
          queue.add(c.getValue());
        }
      }
    }
    Map<Node, Boolean> hasValues = new IdentityHashMap<>();
    TrackableObjectGraph.Builder g = TrackableObjectGraph.newBuilder();
    List<Entry> entries = new ArrayList<>();
    for (Node n : order) {
      TrackableObject.Builder o = TrackableObject.newBuilder();
      for (Map.Entry<String, Node> c : n.children.entrySet()) {
        o.addChildren(TrackableObject.ObjectReference.newBuilder()
            .setNodeId(ids.get(c.getValue())).setLocalName(c.getKey()));
      }
      if (n.isVariable()) {
        String key = paths.get(n) + "/.ATTRIBUTES/" + VARIABLE_VALUE;
        o.addAttributes(TrackableObject.SerializedTensor.newBuilder()
            .setName(VARIABLE_VALUE).setFullName(n.fullName).setCheckpointKey(key));
        entries.add(new Entry(key, n));
      }
      o.setHasCheckpointValues(com.google.protobuf.BoolValue.of(hasValues(n, hasValues)));
      g.addNodes(o);
    }
    return new Serialized(g.build(), entries);
  }

  private static boolean hasValues(Node n, Map<Node, Boolean> memo) {
    Boolean known = memo.get(n);
    if (known != null) {
      return known;
    }
    boolean v = n.isVariable();
    for (Node c : n.children.values()) {
      v |= hasValues(c, memo);
    }
    memo.put(n, v);
    return v;
  }

  /** TensorFlow's {@code _escape_local_name}: {@code .} becomes {@code ..} and {@code /} becomes {@code .S}. */
  static String escape(String localName) {
    return localName.replace(".", "..").replace("/", ".S");
  }
}
