package dev.kerasj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.saving.FileFormat;
import dev.kerasj.saving.keras.KerasFileContents;
import dev.kerasj.saving.savedmodel.SavedModelContents;
import dev.kerasj.saving.tfcheckpoint.CheckpointContents;
import dev.kerasj.saving.tfcheckpoint.CheckpointState;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kerasj inspect PATH [--json]}: what a SavedModel or TF checkpoint holds. For a SavedModel: tags, signatures
 * (input/output keys, dtypes, shapes, tensor names, method) as {@code saved_model_cli show --all} prints them, and
 * its variables; for a TF checkpoint: every key with dtype and shape (as {@code tf.train.list_variables}), the
 * object-graph tree; for a directory of checkpoints: the {@code checkpoint} state file, the checkpoints present and
 * the latest one's contents; for a Keras 3 {@code .keras} archive: its metadata, the layers of its config (class and
 * main arguments) with their weight datasets (HDF5 path, dtype, shape), the optimizer state and the compile config;
 * for a {@code .weights.h5} file: its layer groups with their datasets and the optimizer variables. Only indexes, the
 * object graph and HDF5 headers are read, never the weights; no TensorFlow graph is built.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show what a SavedModel, TF checkpoint, .keras archive or .weights.h5 file holds.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "A SavedModel directory, a TF checkpoint prefix (or its .index), "
      + "a directory of TF checkpoints, a .keras archive or a .weights.h5 file.")
  Path path;

  @Option(names = "--json", description = "Print JSON (for scripts) instead of text.")
  boolean json;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FileFormat.Detected d = FileFormat.detect(path);
    ObjectNode out = switch (d.format()) {
      case SAVED_MODEL -> savedModel(SavedModelContents.read(d.path()));
      case TF_CHECKPOINT -> checkpoint(CheckpointContents.read(d.path()));
      case TF_CHECKPOINT_DIR -> checkpointDir(d.path());
      case KERAS, WEIGHTS_H5 -> kerasFile(KerasFileContents.read(d.path()));
    };
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      w.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
    } else {
      w.print(Text.render(out));
    }
    w.flush();
    return Kerasj.EXIT_OK;
  }

  static ObjectNode savedModel(SavedModelContents c) {
    ObjectNode n = Text.MAPPER.createObjectNode();
    n.put("format", "saved_model");
    n.put("path", c.dir().toString());
    n.put("written_by_kerasj", c.writtenByKerasj());
    ArrayNode metas = n.putArray("meta_graphs");
    for (SavedModelContents.MetaGraph m : c.metaGraphs()) {
      ObjectNode mn = metas.addObject();
      ArrayNode tags = mn.putArray("tags");
      m.tags().forEach(tags::add);
      ArrayNode sigs = mn.putArray("signatures");
      for (SavedModelContents.Signature s : m.signatures()) {
        ObjectNode sn = sigs.addObject();
        sn.put("key", s.key());
        sn.put("method_name", s.methodName());
        specs(sn.putArray("inputs"), s.inputs());
        specs(sn.putArray("outputs"), s.outputs());
      }
    }
    if (c.variables() == null) {
      n.putNull("variables");
    } else {
      n.set("variables", checkpoint(c.variables()));
    }
    return n;
  }

  private static void specs(ArrayNode out, List<SavedModelContents.TensorSpec> specs) {
    for (SavedModelContents.TensorSpec t : specs) {
      ObjectNode tn = out.addObject();
      tn.put("key", t.key());
      tn.put("dtype", t.dtype());
      if (t.shape() == null) {
        tn.putNull("shape");
      } else {
        ArrayNode shape = tn.putArray("shape");
        Arrays.stream(t.shape()).forEach(shape::add);
      }
      tn.put("name", t.name());
    }
  }

  static ObjectNode checkpoint(CheckpointContents c) {
    ObjectNode n = Text.MAPPER.createObjectNode();
    n.put("format", "tf_checkpoint");
    n.put("prefix", c.prefix().toString());
    ArrayNode tensors = n.putArray("tensors");
    for (CheckpointContents.Tensor t : c.tensors()) {
      ObjectNode tn = tensors.addObject();
      tn.put("key", t.key());
      tn.put("dtype", t.dtype());
      ArrayNode shape = tn.putArray("shape");
      Arrays.stream(t.shape()).forEach(shape::add);
    }
    if (c.objectGraph() == null) {
      n.putNull("object_graph");
    } else {
      n.set("object_graph", objectGraph(c.objectGraph()));
    }
    return n;
  }

  private static ArrayNode objectGraph(TrackableObjectGraph g) {
    ArrayNode nodes = Text.MAPPER.createArrayNode();
    for (int i = 0; i < g.getNodesCount(); i++) {
      TrackableObject o = g.getNodes(i);
      ObjectNode on = nodes.addObject();
      on.put("id", i);
      ArrayNode children = on.putArray("children");
      o.getChildrenList().forEach(c -> children.addObject().put("name", c.getLocalName()).put("node", c.getNodeId()));
      ArrayNode attrs = on.putArray("attributes");
      o.getAttributesList().forEach(a -> attrs.addObject().put("name", a.getName())
          .put("checkpoint_key", a.getCheckpointKey()));
      ArrayNode slots = on.putArray("slot_variables");
      o.getSlotVariablesList().forEach(s -> slots.addObject().put("slot_name", s.getSlotName())
          .put("original_variable_node", s.getOriginalVariableNodeId())
          .put("slot_variable_node", s.getSlotVariableNodeId()));
    }
    return nodes;
  }

  static ObjectNode kerasFile(KerasFileContents c) {
    ObjectNode n = Text.MAPPER.createObjectNode();
    n.put("format", c.archive() ? "keras" : "weights_h5");
    n.put("path", c.file().toString());
    if (c.archive()) {
      n.put("keras_version", c.kerasVersion());
      n.put("date_saved", c.dateSaved());
    }
    ArrayNode layers = n.putArray("layers");
    for (KerasFileContents.Layer l : c.layers()) {
      ObjectNode ln = layers.addObject();
      ln.put("name", l.name());
      ln.put("class_name", l.className());
      ln.put("group", l.group());
      ObjectNode args = ln.putObject("args");
      l.args().forEach(args::set);
      datasets(ln.putArray("weights"), c.layerDatasets(l));
    }
    List<KerasFileContents.DatasetInfo> opt = c.optimizerDatasets();
    if (opt.isEmpty() && c.optimizerName() == null) {
      n.putNull("optimizer");
    } else {
      ObjectNode on = n.putObject("optimizer");
      on.put("name", c.optimizerName());
      on.put("class_name", c.optimizerClass());
      datasets(on.putArray("variables"), opt);
    }
    List<KerasFileContents.DatasetInfo> other = new java.util.ArrayList<>(c.otherDatasets());
    java.util.Set<String> named = new HashSet<>();
    c.layers().forEach(l -> c.layerDatasets(l).forEach(d -> named.add(d.path())));
    c.datasets().stream().filter(d -> d.path().startsWith("layers/") && !named.contains(d.path()))
        .forEach(other::add);
    datasets(n.putArray("other_datasets"), other);
    if (c.archive()) {
      n.set("compile_config", c.compileConfig() == null ? Text.MAPPER.nullNode() : c.compileConfig());
    }
    return n;
  }

  private static void datasets(ArrayNode out, List<KerasFileContents.DatasetInfo> datasets) {
    for (KerasFileContents.DatasetInfo d : datasets) {
      ObjectNode dn = out.addObject();
      dn.put("path", d.path());
      dn.put("dtype", d.dtype());
      ArrayNode shape = dn.putArray("shape");
      Arrays.stream(d.shape()).forEach(shape::add);
    }
  }

  static ObjectNode checkpointDir(Path dir) throws Exception {
    ObjectNode n = Text.MAPPER.createObjectNode();
    n.put("format", "tf_checkpoint_dir");
    n.put("path", dir.toString());
    Optional<CheckpointState> state = CheckpointState.read(dir);
    if (state.isEmpty()) {
      n.putNull("state");
    } else {
      CheckpointState s = state.get();
      ObjectNode sn = n.putObject("state");
      sn.put("model_checkpoint_path", s.modelCheckpointPath());
      ArrayNode all = sn.putArray("all_model_checkpoint_paths");
      s.allModelCheckpointPaths().forEach(all::add);
      ArrayNode ts = sn.putArray("all_model_checkpoint_timestamps");
      s.allModelCheckpointTimestamps().forEach(ts::add);
      if (s.lastPreservedTimestamp() == null) {
        sn.putNull("last_preserved_timestamp");
      } else {
        sn.put("last_preserved_timestamp", s.lastPreservedTimestamp());
      }
    }
    ArrayNode list = n.putArray("checkpoints");
    TfCheckpoint.list(dir).forEach(p -> list.add(p.toString()));
    Optional<Path> latest = TfCheckpoint.latest(dir);
    if (latest.isEmpty()) {
      n.putNull("latest");
    } else {
      n.set("latest", checkpoint(CheckpointContents.read(latest.get())));
    }
    return n;
  }

  /** Renders the JSON trees above as text; SavedModel signatures in {@code saved_model_cli show --all}'s words. */
  static final class Text {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Text() {}

    static String render(ObjectNode n) {
      StringBuilder sb = new StringBuilder();
      switch (n.get("format").asText()) {
        case "saved_model" -> savedModel(n, sb);
        case "tf_checkpoint" -> checkpoint(n, sb);
        case "keras", "weights_h5" -> kerasFile(n, sb);
        default -> checkpointDir(n, sb);
      }
      return sb.toString();
    }

    private static void savedModel(ObjectNode n, StringBuilder sb) {
      sb.append("SavedModel ").append(n.get("path").asText()).append(n.get("written_by_kerasj").asBoolean()
          ? " (written by kerasj: reloads for training)\n" : " (not written by kerasj: serving only)\n");
      for (var m : n.get("meta_graphs")) {
        StringBuilder tags = new StringBuilder();
        m.get("tags").forEach(t -> tags.append(tags.isEmpty() ? "" : ", ").append(t.asText()));
        sb.append("\nMetaGraphDef with tag-set: '").append(tags).append("' contains the following SignatureDefs:\n");
        for (var s : m.get("signatures")) {
          sb.append("\nsignature_def['").append(s.get("key").asText()).append("']:\n");
          sb.append("  The given SavedModel SignatureDef contains the following input(s):\n");
          tensorInfos(s.get("inputs"), "inputs", sb);
          sb.append("  The given SavedModel SignatureDef contains the following output(s):\n");
          tensorInfos(s.get("outputs"), "outputs", sb);
          sb.append("  Method name is: ").append(s.get("method_name").asText()).append('\n');
        }
      }
      if (n.get("variables").isNull()) {
        sb.append("\nNo variables.\n");
      } else {
        sb.append("\nVariables (variables/variables):\n");
        checkpoint((ObjectNode) n.get("variables"), sb);
      }
    }

    private static void tensorInfos(Iterable<com.fasterxml.jackson.databind.JsonNode> infos, String what,
        StringBuilder sb) {
      for (var t : infos) {
        sb.append("    ").append(what).append("['").append(t.get("key").asText()).append("'] tensor_info:\n");
        sb.append("        dtype: ").append(t.get("dtype").asText()).append('\n');
        StringBuilder shape = new StringBuilder();
        if (t.get("shape").isNull()) {
          shape.append("unknown_rank");
        } else {
          shape.append('(');
          t.get("shape").forEach(d -> shape.append(shape.length() > 1 ? ", " : "").append(d.asLong()));
          shape.append(')');
        }
        sb.append("        shape: ").append(shape).append('\n');
        sb.append("        name: ").append(t.get("name").asText()).append('\n');
      }
    }

    private static void checkpoint(ObjectNode n, StringBuilder sb) {
      var tensors = n.get("tensors");
      sb.append("TF checkpoint ").append(n.get("prefix").asText()).append(": ").append(tensors.size())
          .append(" tensors\n");
      int width = 0;
      for (var t : tensors) {
        width = Math.max(width, t.get("key").asText().length());
      }
      for (var t : tensors) {
        StringBuilder shape = new StringBuilder("[");
        t.get("shape").forEach(d -> shape.append(shape.length() > 1 ? ", " : "").append(d.asLong()));
        sb.append(String.format("  %-" + width + "s  %-8s %s%n", t.get("key").asText(), t.get("dtype").asText(),
            shape.append(']')));
      }
      var graph = n.get("object_graph");
      if (graph.isNull()) {
        sb.append("No object graph (a name-based TF1 checkpoint).\n");
        return;
      }
      sb.append("Object graph (").append(graph.size()).append(" nodes):\n");
      tree(graph, 0, "(root)", 1, new HashSet<>(), sb);
    }

    private static void tree(com.fasterxml.jackson.databind.JsonNode graph, int id, String name, int depth,
        Set<Integer> shown, StringBuilder sb) {
      String indent = "  ".repeat(depth);
      var node = graph.get(id);
      sb.append(indent).append(name).append(" [").append(id).append(']');
      if (!shown.add(id)) {
        sb.append(" (shown above)\n");
        return;
      }
      sb.append('\n');
      for (var a : node.get("attributes")) {
        sb.append(indent).append("  .").append(a.get("name").asText()).append(" = ")
            .append(a.get("checkpoint_key").asText()).append('\n');
      }
      for (var s : node.get("slot_variables")) {
        sb.append(indent).append("  slot '").append(s.get("slot_name").asText()).append("' of [")
            .append(s.get("original_variable_node").asInt()).append("] -> [")
            .append(s.get("slot_variable_node").asInt()).append("]\n");
      }
      for (var c : node.get("children")) {
        tree(graph, c.get("node").asInt(), c.get("name").asText(), depth + 1, shown, sb);
      }
    }

    private static void kerasFile(ObjectNode n, StringBuilder sb) {
      boolean archive = n.get("format").asText().equals("keras");
      sb.append(archive ? "Keras 3 .keras archive " : "Keras 3 .weights.h5 file ").append(n.get("path").asText())
          .append('\n');
      if (archive) {
        sb.append("  keras_version: ").append(n.get("keras_version").asText()).append(", date_saved: ")
            .append(n.get("date_saved").asText()).append('\n');
      }
      int width = 0;
      for (var l : n.get("layers")) {
        for (var d : l.get("weights")) {
          width = Math.max(width, d.get("path").asText().length());
        }
      }
      for (var d : n.get("optimizer") == null || n.get("optimizer").isNull() ? List.<com.fasterxml.jackson.databind
          .JsonNode>of() : n.get("optimizer").get("variables")) {
        width = Math.max(width, d.get("path").asText().length());
      }
      sb.append("Layers (").append(n.get("layers").size()).append("):\n");
      for (var l : n.get("layers")) {
        sb.append("  ").append(l.get("name").asText());
        if (!l.get("class_name").isNull()) {
          sb.append(" (").append(l.get("class_name").asText()).append(')');
        }
        StringBuilder args = new StringBuilder();
        l.get("args").fields().forEachRemaining(e -> args.append(args.isEmpty() ? "" : ", ").append(e.getKey())
            .append('=').append(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        sb.append(args.isEmpty() ? "" : ": " + args).append('\n');
        datasetLines(l.get("weights"), width, "    ", sb);
      }
      var opt = n.get("optimizer");
      if (opt.isNull()) {
        sb.append("No optimizer state.\n");
      } else {
        sb.append("Optimizer ").append(opt.get("name").isNull() ? "(unnamed)" : "'" + opt.get("name").asText() + "'")
            .append(opt.get("class_name") == null || opt.get("class_name").isNull() ? ""
                : " (" + opt.get("class_name").asText() + ")")
            .append(": ").append(opt.get("variables").size()).append(" variables\n");
        datasetLines(opt.get("variables"), width, "    ", sb);
      }
      if (n.get("other_datasets").size() > 0) {
        sb.append("Other datasets (not in a layer of the config, nor the optimizer):\n");
        datasetLines(n.get("other_datasets"), width, "    ", sb);
      }
      if (archive) {
        var cc = n.get("compile_config");
        sb.append(cc.isNull() ? "Not compiled (no compile_config).\n" : "compile_config: " + cc + "\n");
      }
    }

    private static void datasetLines(com.fasterxml.jackson.databind.JsonNode datasets, int width, String indent,
        StringBuilder sb) {
      for (var d : datasets) {
        StringBuilder shape = new StringBuilder("[");
        d.get("shape").forEach(x -> shape.append(shape.length() > 1 ? ", " : "").append(x.asLong()));
        sb.append(String.format("%s%-" + Math.max(1, width) + "s  %-8s %s%n", indent, d.get("path").asText(),
            d.get("dtype").asText(), shape.append(']')));
      }
    }

    private static void checkpointDir(ObjectNode n, StringBuilder sb) {
      sb.append("Directory of TF checkpoints ").append(n.get("path").asText()).append('\n');
      var state = n.get("state");
      if (state.isNull()) {
        sb.append("No 'checkpoint' state file.\n");
      } else {
        sb.append("State file 'checkpoint':\n");
        sb.append("  model_checkpoint_path: ").append(state.get("model_checkpoint_path").asText()).append('\n');
        state.get("all_model_checkpoint_paths").forEach(p ->
            sb.append("  all_model_checkpoint_paths: ").append(p.asText()).append('\n'));
      }
      sb.append("Checkpoints present (").append(n.get("checkpoints").size()).append("):\n");
      n.get("checkpoints").forEach(p -> sb.append("  ").append(p.asText()).append('\n'));
      if (n.get("latest").isNull()) {
        sb.append("No complete checkpoint.\n");
      } else {
        sb.append("Latest: ");
        checkpoint((ObjectNode) n.get("latest"), sb);
      }
    }
  }
}
