package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.models.KerasModel;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleCheckpointException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;

/**
 * Where each variable of a model's {@link TrackableTree} is in a checkpoint's object graph: both graphs are walked
 * side by side from their roots, following children by name, so a variable is found under whatever key the writer
 * gave it (keys move when the optimizer is tracked, and differ between {@code Checkpoint(model=m)} and
 * {@code Checkpoint(model=m, optimizer=o)}). Then names, shapes and dtypes are checked against the index.
 */
final class GraphMatch {
  /** Checkpoint key of every matched variable node (not the save counter). */
  final Map<TrackableTree.Node, String> keys = new LinkedHashMap<>();
  final List<String> matched = new ArrayList<>();
  final List<String> missing = new ArrayList<>();
  final List<String> unexpected = new ArrayList<>();
  final List<String> mismatched = new ArrayList<>();
  /** Key of the root's {@code save_counter}, or null when the file has none. */
  String saveCounterKey;

  private final Path indexFile;
  private final Path dataFile;

  private GraphMatch(Path indexFile, Path dataFile) {
    this.indexFile = indexFile;
    this.dataFile = dataFile;
  }

  /**
   * Matches {@code tree} against {@code file}.
   *
   * @throws CorruptCheckpointException when the object graph refers to nodes or keys the file does not have
   */
  static GraphMatch of(TrackableTree tree, TrackableObjectGraph file, BundleIndex index, Path indexFile,
      Path dataFile) {
    GraphMatch m = new GraphMatch(indexFile, dataFile);
    m.match(tree, file, index);
    return m;
  }

  private void match(TrackableTree tree, TrackableObjectGraph file, BundleIndex index) {
    Map<TrackableTree.Node, Integer> found = walk(tree, file);
    Set<Integer> used = new HashSet<>();
    List<TrackableTree.Entry> entries = new ArrayList<>(tree.serialize().entries());
    entries.sort(Comparator.comparing(e -> e.node().path.startsWith("model/") ? 0 : 1)); // layers first in messages
    for (TrackableTree.Entry e : entries) {
      TrackableTree.Node n = e.node();
      Integer id = found.get(n);
      String key = id == null ? null : variableKey(file, id);
      if (n.saveCounter) {
        if (key != null && index.contains(key)) {
          saveCounterKey = key;
          used.add(id);
        }
        continue;
      }
      if (key == null) {
        missing.add(n.label + " " + Arrays.toString(n.variable.shape()) + " at " + n.path);
        continue;
      }
      used.add(id);
      BundleIndex.Entry entry = index.get(key);
      if (entry == null) {
        throw new CorruptCheckpointException(indexFile, "Checkpoint " + indexFile + " is inconsistent: its object "
            + "graph names the key '" + key + "' (for " + n.label + ") but the index has no such tensor");
      }
      int dtype = BundleIndex.dtypeOf(n.variable.dtype());
      if (entry.dtype() != dtype || !Arrays.equals(entry.shape(), n.variable.shape())) {
        mismatched.add(n.label + " at " + n.path + ": model has " + BundleIndex.dtypeName(dtype)
            + Arrays.toString(n.variable.shape()) + ", checkpoint has " + entry.describe() + " (key " + key + ")");
        continue;
      }
      keys.put(n, key);
      matched.add(n.label);
    }
    Set<Integer> ignored = tree.hasOptimizer ? Set.of() : optimizerNodes(file);
    for (int id = 0; id < file.getNodesCount(); id++) {
      String key = variableKey(file, id);
      if (key != null && !used.contains(id) && !ignored.contains(id)) {
        BundleIndex.Entry entry = index.get(key);
        String fullName = file.getNodes(id).getAttributesList().stream()
            .filter(a -> a.getName().equals(TrackableTree.VARIABLE_VALUE)).findFirst().orElseThrow().getFullName();
        unexpected.add(key + (fullName.isEmpty() ? "" : " (" + fullName + ")")
            + (entry == null ? "" : " " + entry.describe()));
      }
    }
  }

  /** Pairs each tree node with the first file node reached by the same child names, breadth-first. */
  private Map<TrackableTree.Node, Integer> walk(TrackableTree tree, TrackableObjectGraph file) {
    Map<TrackableTree.Node, Integer> found = new IdentityHashMap<>();
    Map<TrackableTree.Node, Set<Integer>> visited = new IdentityHashMap<>();
    ArrayDeque<TrackableTree.Node> nodes = new ArrayDeque<>();
    ArrayDeque<Integer> ids = new ArrayDeque<>();
    nodes.add(tree.root);
    ids.add(0);
    while (!nodes.isEmpty()) {
      TrackableTree.Node node = nodes.poll();
      int id = ids.poll();
      if (!visited.computeIfAbsent(node, k -> new HashSet<>()).add(id)) {
        continue;
      }
      found.putIfAbsent(node, id);
      TrackableObject obj = node(file, id);
      for (Map.Entry<String, TrackableTree.Node> child : node.children.entrySet()) {
        for (TrackableObject.ObjectReference ref : obj.getChildrenList()) {
          if (ref.getLocalName().equals(child.getKey())) {
            nodes.add(child.getValue());
            ids.add(ref.getNodeId());
          }
        }
      }
    }
    return found;
  }

  /** @throws IncompatibleCheckpointException listing every group, when anything is missing, unexpected or wrong */
  void throwIfIncompatible(KerasModel model) {
    if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder("Checkpoint " + indexFile + " does not fit model '" + model.name()
        + "': " + matched.size() + " of " + (matched.size() + missing.size() + mismatched.size())
        + " model variables matched.");
    section(sb, "missing from the checkpoint", missing);
    section(sb, "unexpected in the checkpoint", unexpected);
    section(sb, "wrong shape or dtype (model vs checkpoint)", mismatched);
    List<String> shown = matched.size() > 20 ? matched.subList(0, 20) : matched;
    sb.append("\n  matched (").append(matched.size()).append("): ").append(shown);
    if (shown.size() < matched.size()) {
      sb.append(" and ").append(matched.size() - shown.size()).append(" more");
    }
    sb.append("\nNothing was restored. Fix: restore into a model with the same layers");
    sb.append(model.isCompiled() ? ", compiled with the same optimizer class" : "");
    sb.append(", as the one that wrote the checkpoint");
    if (model.isCompiled() && !missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()
        && missing.stream().allMatch(m -> m.contains(" at optimizer/"))) {
      sb.append(" (for a weights-only checkpoint: build() the model, restore, then compile)");
    }
    throw new IncompatibleCheckpointException(indexFile, sb.toString(), matched, missing, unexpected, mismatched);
  }

  private static void section(StringBuilder sb, String title, List<String> items) {
    if (!items.isEmpty()) {
      sb.append("\n  ").append(title).append(" (").append(items.size()).append("):");
      items.forEach(i -> sb.append("\n    ").append(i));
    }
  }

  private TrackableObject node(TrackableObjectGraph file, int id) {
    if (id < 0 || id >= file.getNodesCount()) {
      throw new CorruptCheckpointException(dataFile, "Checkpoint " + dataFile + ": its object graph refers to node "
          + id + " but has " + file.getNodesCount() + " nodes");
    }
    return file.getNodes(id);
  }

  private static String variableKey(TrackableObjectGraph file, int id) {
    for (TrackableObject.SerializedTensor a : file.getNodes(id).getAttributesList()) {
      if (a.getName().equals(TrackableTree.VARIABLE_VALUE)) {
        return a.getCheckpointKey();
      }
    }
    return null;
  }

  /** Nodes reachable through an {@code optimizer} child of the root or of {@code model} (ignored when uncompiled). */
  private static Set<Integer> optimizerNodes(TrackableObjectGraph file) {
    Set<Integer> out = new HashSet<>();
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (TrackableObject.ObjectReference ref : file.getNodes(0).getChildrenList()) {
      if (ref.getLocalName().equals("optimizer")) {
        queue.add(ref.getNodeId());
      }
      if (ref.getLocalName().equals("model") && ref.getNodeId() < file.getNodesCount()) {
        file.getNodes(ref.getNodeId()).getChildrenList().stream().filter(c -> c.getLocalName().equals("optimizer"))
            .forEach(c -> queue.add(c.getNodeId()));
      }
    }
    while (!queue.isEmpty()) {
      int id = queue.poll();
      if (id >= 0 && id < file.getNodesCount() && out.add(id)) {
        file.getNodes(id).getChildrenList().forEach(c -> queue.add(c.getNodeId()));
      }
    }
    return out;
  }
}
