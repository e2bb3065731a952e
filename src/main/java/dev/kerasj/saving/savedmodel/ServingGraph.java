package dev.kerasj.saving.savedmodel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.train.Restore;
import org.tensorflow.op.train.Save;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Builds the {@code saved_model.pb} of a model: one MetaGraph tagged {@code serve} holding the inference subgraph
 * (the input placeholder, the forward pass without Dropout and with BatchNormalization's moving statistics), every
 * variable (layer weights and optimizer state, so the graph and {@code variables/} agree), a TF1-style saver
 * ({@code save/filename}, {@code save/control_dependency}, {@code save/restore_all}) through which TensorFlow's
 * loaders restore the variables, and a {@code serving_default} signature with method name
 * {@code tensorflow/serving/predict}.
 *
 * <p>Training ops (labels, gradients, optimizer updates) and kerasj's own assign placeholders are pruned away, and
 * device placements are cleared, so the file serves on any machine. This is a TF1-format SavedModel (no object graph),
 * which Python's {@code tf.saved_model.load}, {@code keras.layers.TFSMLayer}, TF Serving and TF Java all load.
 */
final class ServingGraph {
  /** The signature TF Serving and Keras' {@code TFSMLayer} call by default. */
  static final String SIGNATURE_KEY = "serving_default";
  /** Method name of a predict signature (TF Java's exporter leaves it empty; serving tools need it). */
  static final String PREDICT_METHOD = "tensorflow/serving/predict";
  /** Keras 3's {@code model.export()} names the single output {@code output_0}. */
  static final String OUTPUT_KEY = "output_0";

  /** Keras 3's {@code model.export()} key of output {@code i} of a list of outputs. */
  static String outputKey(int i) {
    return "output_" + i;
  }
  static final String SERVE_TAG = "serve";

  /** One variable: its op in the model graph and its key in {@code variables/}. */
  record Variable(String opName, String key, Class<? extends TType> dtype) {}

  private ServingGraph() {}

  /**
   * A signature of one input and one output ({@code output_0}).
   *
   * @param model the model's full graph
   * @param input the input placeholder's output, such as {@code x:0}
   * @param output the inference output
   * @param inputKey the signature's input name
   */
  static SavedModel build(GraphDef model, Output<?> input, Output<?> output, String inputKey,
      List<Variable> variables) {
    Map<String, Output<?>> inputs = new LinkedHashMap<>();
    inputs.put(inputKey, input);
    return build(model, inputs, List.of(output), variables);
  }

  /**
   * A signature of named inputs and of outputs keyed {@code output_0}, {@code output_1} ... in order, as Keras 3's
   * {@code model.export()} keys a model whose outputs are a list (inputs keyed by input layer name).
   *
   * @param inputs signature input name → placeholder output
   */
  static SavedModel build(GraphDef model, Map<String, Output<?>> inputs, List<Output<?>> outputs,
      List<Variable> variables) {
    Set<String> roots = new HashSet<>();
    outputs.forEach(o -> roots.add(o.op().name()));
    inputs.values().forEach(i -> roots.add(i.op().name()));
    variables.forEach(v -> roots.add(v.opName()));
    GraphDef pruned = prune(model, roots);
    try (Graph g = new Graph()) {
      g.importGraphDef(pruned);
      SaverDef saver = addSaver(g, variables);
      GraphDef.Builder def = g.toGraphDef().toBuilder();
      for (NodeDef.Builder node : def.getNodeBuilderList()) {
        node.clearDevice();
      }
      SignatureDef.Builder signature = SignatureDef.newBuilder().setMethodName(PREDICT_METHOD);
      inputs.forEach((key, in) -> signature.putInputs(key, tensorInfo(in)));
      for (int i = 0; i < outputs.size(); i++) {
        signature.putOutputs(outputKey(i), tensorInfo(outputs.get(i)));
      }
      MetaGraphDef meta = MetaGraphDef.newBuilder()
          .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags(SERVE_TAG)
              .setTensorflowVersion(TensorFlow.version()))
          .setGraphDef(def)
          .setSaverDef(saver)
          .putSignatureDef(SIGNATURE_KEY, signature.build())
          .build();
      return SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build();
    }
  }

  /** The nodes {@code roots} depend on (data and control inputs), in the original order. */
  static GraphDef prune(GraphDef graph, Set<String> roots) {
    Map<String, NodeDef> byName = new HashMap<>();
    graph.getNodeList().forEach(n -> byName.put(n.getName(), n));
    Set<String> keep = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      String name = todo.pop();
      NodeDef node = byName.get(name);
      if (node == null) {
        throw new IllegalStateException("Node '" + name + "' is not in the model graph");
      }
      if (!keep.add(name)) {
        continue;
      }
      for (String in : node.getInputList()) {
        String producer = in.startsWith("^") ? in.substring(1) : in;
        int colon = producer.indexOf(':');
        todo.push(colon < 0 ? producer : producer.substring(0, colon));
      }
    }
    GraphDef.Builder out = graph.toBuilder().clearNode();
    graph.getNodeList().stream().filter(n -> keep.contains(n.getName())).forEach(out::addNode);
    return out.build();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static SaverDef addSaver(Graph g, List<Variable> variables) {
    Ops tf = Ops.create(g).withSubScope("save");
    String[] keys = variables.stream().map(Variable::key).toArray(String[]::new);
    String[] slices = variables.stream().map(v -> "").toArray(String[]::new);
    PlaceholderWithDefault<TString> filename = tf.withName("filename")
        .placeholderWithDefault(tf.withName("filename_default").constant("model"), Shape.scalar());
    List<Operand<?>> values = new ArrayList<>();
    List<Class<? extends TType>> dtypes = new ArrayList<>();
    for (Variable v : variables) {
      values.add(variableOutput(g, v));
      dtypes.add(v.dtype());
    }
    Save save = tf.withName("SaveV2").train.save(filename, tf.withName("tensor_names").constant(StandardCharsets.UTF_8,
        keys), tf.withName("shape_and_slices").constant(StandardCharsets.UTF_8, slices), values);
    Operand<TString> saved = tf.withControlDependencies(List.of(save)).withName("control_dependency")
        .identity(filename);
    Restore restore = tf.withName("RestoreV2").train.restore(filename,
        tf.withName("restore_tensor_names").constant(StandardCharsets.UTF_8, keys),
        tf.withName("restore_shape_and_slices").constant(StandardCharsets.UTF_8, slices), dtypes);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      assigns.add(tf.withName("Assign_" + i).assign((Operand) values.get(i), (Operand) restore.tensors().get(i)));
    }
    Op restoreAll = tf.withControlDependencies(assigns).withName("restore_all").noOp();
    return SaverDef.newBuilder()
        .setFilenameTensorName(filename.asOutput().op().name() + ":0")
        .setSaveTensorName(saved.asOutput().op().name() + ":0")
        .setRestoreOpName(restoreAll.op().name())
        .setMaxToKeep(5)
        .setKeepCheckpointEveryNHours(10000f)
        .setVersion(SaverDef.CheckpointFormatVersion.V2)
        .build();
  }

  private static Output<?> variableOutput(Graph g, Variable v) {
    GraphOperation op = g.operation(v.opName());
    if (op == null) {
      throw new IllegalStateException("Variable op '" + v.opName() + "' missing from the serving graph");
    }
    return op.output(0);
  }

  private static TensorInfo tensorInfo(Output<?> t) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : t.shape().asArray()) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorInfo.newBuilder()
        .setName(t.op().name() + ":" + t.index())
        .setDtype(t.dataType())
        .setTensorShape(shape)
        .build();
  }
}
