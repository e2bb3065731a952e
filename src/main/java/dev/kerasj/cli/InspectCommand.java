package dev.kerasj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * the latest one's contents. Only indexes and the object graph are read, never the weights.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show what a SavedModel or TF checkpoint holds (signatures, tensors, object graph, state file).")
final class InspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "A SavedModel directory, a TF checkpoint prefix (or its .index), "
      + "or a directory of TF checkpoints.")
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
      case KERAS, WEIGHTS_H5 -> throw new CliException("unsupported format " + d.format());
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
