package dev.kerasj.internal;

import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph of layer calls between a model's input and output tensors, ordered the way Keras 3 orders it
 * ({@code keras/src/ops/function.py}, {@code map_graph}): {@link #layers()} by decreasing depth, ties broken by the
 * order a depth-first walk from the outputs first meets them. That order is Keras' {@code model.layers}, so file
 * paths numbered per class ({@code dense}, {@code dense_1}) come out the same on both sides.
 *
 * <p>A node is one call of a layer; it is identified by the tensor it produced, output 0 of the call for a layer
 * of several outputs ({@link KerasTensor#node()}).
 */
public final class Topology {
  private final List<KerasTensor> inputs;
  private final List<KerasTensor> outputs;
  private final List<Layer> layers;
  private final List<KerasTensor> nodes;

  /**
   * @throws IllegalArgumentException when an input is not an {@link Input} tensor, an output cannot be computed from
   *     the inputs ("graph disconnected"), or two layers share a name
   */
  public Topology(List<KerasTensor> inputs, List<KerasTensor> outputs) {
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalArgumentException("A model needs at least one input and one output. Received: "
          + inputs.size() + " inputs, " + outputs.size() + " outputs");
    }
    Set<KerasTensor> inputSet = Collections.newSetFromMap(new IdentityHashMap<>());
    for (KerasTensor t : inputs) {
      if (t == null || !t.isInput()) {
        throw new IllegalArgumentException("Model inputs must come from Input.tensor(...). Received: " + t);
      }
      if (!inputSet.add(t)) {
        throw new IllegalArgumentException("The same input appears twice among the model inputs: " + t);
      }
    }
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    // Depth-first walk from each output: post-order gives the nodes inputs-first.
    List<KerasTensor> ordered = new ArrayList<>();
    Map<Layer, Integer> firstSeen = new IdentityHashMap<>();
    Set<KerasTensor> finished = Collections.newSetFromMap(new IdentityHashMap<>());
    for (KerasTensor out : outputs) {
      if (out == null) {
        throw new IllegalArgumentException("A model output is null");
      }
      walk(out.node(), finished, ordered, firstSeen);
    }
    for (KerasTensor t : ordered) {
      if (t.isInput() && !inputSet.contains(t)) {
        throw new IllegalArgumentException("Graph disconnected: the outputs need input '" + t.layer().name()
            + "' " + t + ", which is not among the model inputs");
      }
    }
    // Depths as map_graph computes them: a node's depth is one more than the deepest node it feeds.
    Map<KerasTensor, Integer> nodeDepth = new IdentityHashMap<>();
    Map<Layer, Integer> layerDepth = new IdentityHashMap<>();
    Set<KerasTensor> inGraph = Collections.newSetFromMap(new IdentityHashMap<>());
    inGraph.addAll(ordered);
    for (int i = ordered.size() - 1; i >= 0; i--) {
      KerasTensor node = ordered.get(i);
      int depth = nodeDepth.computeIfAbsent(node, n -> 0);
      depth = Math.max(depth, layerDepth.getOrDefault(node.layer(), 0));
      layerDepth.put(node.layer(), depth);
      nodeDepth.put(node, depth);
      for (KerasTensor input : node.inputs()) {
        KerasTensor parent = input.node();
        if (inGraph.contains(parent)) {
          nodeDepth.put(parent, Math.max(depth + 1, nodeDepth.getOrDefault(parent, 0)));
        }
      }
    }
    for (KerasTensor in : inputs) {
      if (!layerDepth.containsKey(in.layer())) { // an input no output uses: kept, as Keras keeps it
        layerDepth.put(in.layer(), 0);
        firstSeen.put(in.layer(), -1);
        ordered.add(0, in);
      }
    }
    List<Layer> byDepth = new ArrayList<>(layerDepth.keySet());
    byDepth.sort((a, b) -> {
      int c = Integer.compare(layerDepth.get(b), layerDepth.get(a));
      return c != 0 ? c : Integer.compare(firstSeen.get(a), firstSeen.get(b));
    });
    this.layers = List.copyOf(byDepth);
    this.nodes = List.copyOf(ordered);
  }

  private static void walk(KerasTensor t, Set<KerasTensor> finished, List<KerasTensor> ordered,
      Map<Layer, Integer> firstSeen) {
    // Iterative, so a deep model does not overflow the Java stack: frames of (tensor, next input to visit).
    List<KerasTensor> stack = new ArrayList<>();
    List<Integer> next = new ArrayList<>();
    Set<KerasTensor> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());
    if (finished.contains(t)) {
      return;
    }
    stack.add(t);
    next.add(0);
    firstSeen.putIfAbsent(t.layer(), firstSeen.size());
    inProgress.add(t);
    while (!stack.isEmpty()) {
      int top = stack.size() - 1;
      KerasTensor node = stack.get(top);
      int i = next.get(top);
      if (i < node.inputs().size()) {
        next.set(top, i + 1);
        KerasTensor child = node.inputs().get(i).node();
        if (finished.contains(child)) {
          continue;
        }
        if (inProgress.contains(child)) {
          throw new IllegalArgumentException("Tensor " + child + " is part of a cycle");
        }
        firstSeen.putIfAbsent(child.layer(), firstSeen.size());
        inProgress.add(child);
        stack.add(child);
        next.add(0);
      } else {
        stack.remove(top);
        next.remove(top);
        inProgress.remove(node);
        finished.add(node);
        ordered.add(node);
      }
    }
  }

  /** The model inputs, in the order given. */
  public List<KerasTensor> inputs() {
    return inputs;
  }

  /** The model outputs, in the order given. */
  public List<KerasTensor> outputs() {
    return outputs;
  }

  /** The input layers, in input order. */
  public List<Input> inputLayers() {
    return inputs.stream().map(t -> (Input) t.layer()).toList();
  }

  /** Every layer once, Input layers included, in Keras' {@code model.layers} order for a Functional model. */
  public List<Layer> layers() {
    return layers;
  }

  /** Every layer call (identified by its output tensor, output 0 of several), inputs first, in an order that computes each after its inputs. */
  public List<KerasTensor> nodes() {
    return nodes;
  }

  /** Throws when two different layers have one name (file formats address layers by name). */
  public void checkUniqueNames() {
    Map<String, Layer> byName = new LinkedHashMap<>();
    Set<String> dup = new HashSet<>();
    for (Layer l : layers) {
      if (byName.put(l.name(), l) != null) {
        dup.add(l.name());
      }
    }
    if (!dup.isEmpty()) {
      throw new IllegalArgumentException("All layer names in a model should be unique. Received: names used more "
          + "than once: " + dup);
    }
  }
}
