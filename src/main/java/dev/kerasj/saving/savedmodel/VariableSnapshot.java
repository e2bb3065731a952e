package dev.kerasj.saving.savedmodel;

import dev.kerasj.internal.ModelGraph;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TString;

/**
 * Writes every variable of a model graph to a tensor bundle ({@code prefix.index} + {@code prefix.data-00000-of-00001})
 * with one {@code SaveV2} op inside the model's own session: values go from the variables to the file without a
 * copy on the Java heap. Keys are the variables' kerasj paths ({@code dense/kernel}, {@code adam/iterations} ...).
 *
 * <p>The op is added to the model graph once per set of variables (a graph gains optimizer variables at
 * {@code compile}, so the set is checked on every save) and reused by later saves.
 */
final class VariableSnapshot {
  private record SaveOp(List<String> keys, Placeholder<TString> prefix, Op save) {}

  private VariableSnapshot() {}

  /** Writes all variables of {@code graph} under {@code prefix}; returns the keys written, in order. */
  static List<String> write(ModelGraph graph, Path prefix) {
    SaveOp op = saveOp(graph);
    try (TString p = TString.scalarOf(prefix.toString())) {
      graph.session().runner().feed(op.prefix(), p).addTarget(op.save()).run().close();
    }
    return op.keys();
  }

  private static synchronized SaveOp saveOp(ModelGraph graph) {
    List<ModelGraph.VariableSlot> slots = graph.variables();
    List<String> keys = slots.stream().map(ModelGraph.VariableSlot::name).toList();
    SaveOp cached = graph.attachment(SaveOp.class);
    if (cached != null && cached.keys().equals(keys)) {
      return cached;
    }
    // SaveV2 has CPU kernels only: pin it there whatever device the model uses.
    Ops tf = graph.tf().withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0)
        .build()).withSubScope("kerasj_savedmodel_snapshot");
    Placeholder<TString> prefix = tf.withName("prefix").placeholder(TString.class,
        Placeholder.shape(Shape.scalar()));
    List<Operand<?>> values = new ArrayList<>();
    slots.forEach(s -> values.add(s.variable()));
    Op save = tf.withName("save").train.save(prefix,
        tf.constant(StandardCharsets.UTF_8, keys.toArray(String[]::new)),
        tf.constant(StandardCharsets.UTF_8, keys.stream().map(k -> "").toArray(String[]::new)), values);
    SaveOp op = new SaveOp(keys, prefix, save);
    graph.attach(SaveOp.class, op);
    return op;
  }
}
