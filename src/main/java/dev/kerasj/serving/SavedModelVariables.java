package dev.kerasj.serving;

import dev.kerasj.saving.IncompatibleModelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedVariable;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Restores the variables that TensorFlow's SavedModel loader leaves empty in a {@code tf.saved_model.save} of a Keras 3
 * model (tensorflow/tensorflow#80191, keras-team/keras#19274).
 *
 * <p>Measured on such a SavedModel: its graph holds two {@code VarHandleOp}s per weight. The saver's restore function
 * (the one TF Java's loader runs) fills {@code Variable}, {@code Variable_1} ...; the signature functions read
 * {@code sequential/dense/kernel} ..., which nothing restores, hence "Could not find variable" on every call. The
 * SavedModel's object graph names those variables ({@code SavedVariable.name} equals the handle's op and shared name),
 * and its node ids are the node ids of the object graph stored in {@code variables/variables}, whose
 * {@code VARIABLE_VALUE} attribute gives the checkpoint key. So each empty handle is assigned its value with
 * {@code RestoreV2} + {@code AssignVariableOp}, once, at open.
 */
final class SavedModelVariables {
  private static final String OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH";
  private static final String VARIABLE_VALUE = "VARIABLE_VALUE";

  private SavedModelVariables() {}

  /**
   * Restores every variable handle that a signature reads and that the loader left uninitialized.
   *
   * @return how many variables were restored (0 when the loader restored them all, as for {@code model.export()})
   * @throws IncompatibleModelException when an empty variable cannot be found in the object graph or checkpoint
   */
  static int restoreMissing(SavedModelBundle bundle, MetaGraphDef mg, Path root) {
    Graph g = bundle.graph();
    Session s = bundle.session();
    Ops tf = Ops.create(g).withSubScope("kerasj_restore_missing");
    List<String> handles = signatureHandles(mg);
    List<String> empty = uninitialized(tf, s, g, handles);
    if (empty.isEmpty()) {
      return 0;
    }
    Path prefix = root.resolve("variables").resolve("variables");
    if (!Files.isRegularFile(Path.of(prefix + ".index"))) {
      throw unusable(root, empty, "there is no variables/variables.index to restore them from");
    }
    Map<String, Integer> nodeByName = new HashMap<>();
    List<SavedObject> nodes = mg.getObjectGraphDef().getNodesList();
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).hasVariable()) {
        // Two objects with one name (model.export() has them) are ambiguous: -1 refuses to guess between them.
        nodeByName.merge(nodes.get(i).getVariable().getName(), i, (a, b) -> -1);
      }
    }
    TrackableObjectGraph ckptGraph = readObjectGraph(tf.withSubScope("object_graph"), s, prefix, root, empty);
    Map<String, String> keyByHandle = new LinkedHashMap<>();
    Map<String, Class<? extends TType>> typeByHandle = new HashMap<>();
    List<String> unresolved = new ArrayList<>();
    for (String handle : empty) {
      Integer id = nodeByName.get(handle);
      id = id == null || id < 0 ? null : id;
      String key = id == null || id >= ckptGraph.getNodesCount() ? null : variableKey(ckptGraph.getNodes(id));
      Class<? extends TType> type = id == null ? null : restoreType(nodes.get(id).getVariable());
      if (key == null || type == null) {
        unresolved.add(handle);
      } else {
        keyByHandle.put(handle, key);
        typeByHandle.put(handle, type);
      }
    }
    if (!unresolved.isEmpty()) {
      throw unusable(root, unresolved, "the SavedModel's object graph does not lead to a checkpoint value for them");
    }
    List<String> names = new ArrayList<>(keyByHandle.keySet());
    Restore restore = tf.train.restore(tf.constant(prefix.toString()),
        tf.constant(StandardCharsets.UTF_8, names.stream().map(keyByHandle::get).toArray(String[]::new)),
        tf.constant(StandardCharsets.UTF_8, names.stream().map(n -> "").toArray(String[]::new)),
        names.stream().map(typeByHandle::get).toList());
    Session.Runner runner = s.runner();
    for (int i = 0; i < names.size(); i++) {
      runner.addTarget(tf.assignVariableOp(handle(g, names.get(i)), restore.tensors().get(i)));
    }
    runner.run().close();
    List<String> still = uninitialized(tf, s, g, handles);
    if (!still.isEmpty()) {
      throw unusable(root, still, "they stayed empty after restoring them from variables/");
    }
    return names.size();
  }

  /** The VarHandleOps that the signatures' outputs depend on, found by walking the top-level graph's inputs. */
  private static List<String> signatureHandles(MetaGraphDef mg) {
    Map<String, NodeDef> byName = new HashMap<>();
    mg.getGraphDef().getNodeList().forEach(n -> byName.put(n.getName(), n));
    ArrayDeque<String> queue = new ArrayDeque<>();
    mg.getSignatureDefMap().values().forEach(sig -> sig.getOutputsMap().values().forEach(t -> queue.add(t.getName())));
    Set<String> seen = new HashSet<>();
    Set<String> out = new TreeSet<>();
    while (!queue.isEmpty()) {
      String name = queue.poll();
      name = name.startsWith("^") ? name.substring(1) : name;
      int colon = name.indexOf(':');
      name = colon < 0 ? name : name.substring(0, colon);
      NodeDef n = byName.get(name);
      if (n == null || !seen.add(name)) {
        continue;
      }
      if (n.getOp().equals("VarHandleOp")) {
        out.add(name);
      }
      queue.addAll(n.getInputList());
    }
    return new ArrayList<>(out);
  }

  private static List<String> uninitialized(Ops tf, Session s, Graph g, List<String> handles) {
    if (handles.isEmpty()) {
      return List.of();
    }
    Session.Runner runner = s.runner();
    for (String h : handles) {
      runner.fetch(tf.varIsInitializedOp(handle(g, h)));
    }
    List<String> out = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < handles.size(); i++) {
        if (!((TBool) r.get(i)).getBoolean()) {
          out.add(handles.get(i));
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Operand<? extends TType> handle(Graph g, String name) {
    return (Operand<? extends TType>) g.operation(name).output(0);
  }

  private static TrackableObjectGraph readObjectGraph(Ops tf, Session s, Path prefix, Path root, List<String> empty) {
    Restore r = tf.train.restore(tf.constant(prefix.toString()),
        tf.constant(StandardCharsets.UTF_8, new String[] {OBJECT_GRAPH_KEY}),
        tf.constant(StandardCharsets.UTF_8, new String[] {""}), List.of(TString.class));
    try (Result out = s.runner().fetch(r.tensors().get(0)).run()) {
      byte[] bytes = ((TString) out.get(0)).asBytes().getObject();
      return TrackableObjectGraph.parseFrom(bytes);
    } catch (RuntimeException | com.google.protobuf.InvalidProtocolBufferException e) {
      if (e instanceof RuntimeException re && !ServedModel.fromTensorFlow(re)) {
        throw re;
      }
      throw unusable(root, empty, "variables/variables has no readable object graph (" + e.getMessage() + ")");
    }
  }

  private static String variableKey(TrackableObject node) {
    for (TrackableObject.SerializedTensor a : node.getAttributesList()) {
      if (a.getName().equals(VARIABLE_VALUE)) {
        return a.getCheckpointKey();
      }
    }
    return null;
  }

  private static Class<? extends TType> restoreType(SavedVariable v) {
    DataType t = v.getDtype();
    return switch (t) {
      case DT_FLOAT -> TFloat32.class;
      case DT_DOUBLE -> TFloat64.class;
      case DT_INT32 -> TInt32.class;
      case DT_INT64 -> TInt64.class;
      case DT_BOOL -> TBool.class;
      case DT_STRING -> TString.class;
      default -> null;
    };
  }

  private static IncompatibleModelException unusable(Path root, List<String> variables, String why) {
    return new IncompatibleModelException(root, "SavedModel " + root + " loads, but its signatures read variables "
        + "that TensorFlow's loader leaves empty " + variables + ", and kerasj cannot restore them: " + why
        + ". This is what tf.saved_model.save(keras_model, dir) writes for Keras 3 models "
        + "(tensorflow/tensorflow#80191). Fix: export the model in Python with model.export(dir), which writes a "
        + "SavedModel any TensorFlow runtime can call.");
  }
}
