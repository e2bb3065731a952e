package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.models.KerasModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Save;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * The {@code SaveV2} subgraph of one model, built once in the model's own graph and reused: the prefix, the
 * serialized object graph and the save counter are fed, the variables are read in the same run, so one
 * {@code Session.run} writes a consistent snapshot. Rebuilt only when the model gains variables (compile after build).
 *
 * <p>Also keeps the model's {@code save_counter}, Keras' count of saves: restored from a checkpoint, incremented by
 * every write.
 */
final class CheckpointSaver {
  private final int variableCount;
  private final byte[] objectGraph;
  /** Checkpoint keys after the object graph's, in SaveV2 order, and the variable of each (null: save counter). */
  private final List<String> keys = new ArrayList<>();
  private final List<ModelGraph.VariableSlot> slots = new ArrayList<>();
  private final Placeholder<TString> prefix;
  private final Placeholder<TString> objectGraphFeed;
  private final Placeholder<TInt64> saveCounterFeed;
  private final Save save;
  private long saveCounter;

  private CheckpointSaver(ModelGraph graph, TrackableTree.Serialized serialized, long saveCounter) {
    this.variableCount = graph.variables().size();
    this.objectGraph = serialized.graph().toByteArray();
    this.saveCounter = saveCounter;
    Ops tf = graph.tf().withSubScope("tf_checkpoint")
        .withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).build());
    prefix = tf.withName("prefix").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    objectGraphFeed = tf.withName("object_graph").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    saveCounterFeed = tf.withName("save_counter").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    List<String> names = new ArrayList<>();
    List<Operand<?>> tensors = new ArrayList<>();
    names.add(CheckpointFiles.OBJECT_GRAPH_KEY);
    tensors.add(objectGraphFeed);
    for (TrackableTree.Entry e : serialized.entries()) {
      names.add(e.key());
      keys.add(e.key());
      slots.add(e.node().saveCounter ? null : e.node().variable);
      tensors.add(e.node().saveCounter ? saveCounterFeed : e.node().variable.variable());
    }
    save = tf.withName("save").train.save(prefix,
        tf.constant(StandardCharsets.UTF_8, names.toArray(String[]::new)),
        tf.constant(StandardCharsets.UTF_8, names.stream().map(n -> "").toArray(String[]::new)), tensors);
  }

  /** The saver of {@code model}, built on first use and whenever the model's variables changed. */
  static synchronized CheckpointSaver of(KerasModel model) {
    ModelGraph graph = model.graphForInternalUse();
    CheckpointSaver cached = graph.attachment(CheckpointSaver.class);
    if (cached != null && cached.variableCount == graph.variables().size()) {
      return cached;
    }
    CheckpointSaver saver = new CheckpointSaver(graph, TrackableTree.of(model).serialize(),
        cached == null ? 0 : cached.saveCounter);
    graph.attach(CheckpointSaver.class, saver);
    return saver;
  }

  /** Remembers the counter of a restored checkpoint, so the next write continues from it. */
  static synchronized void restoredSaveCounter(KerasModel model, long value) {
    CheckpointSaver saver = of(model);
    saver.saveCounter = value;
  }

  /**
   * Reads every variable in one {@code Session.run} into host memory and counts the save: what
   * {@link CheckpointSnapshot#write} later writes, on any thread, as {@link #save} would have written it now.
   */
  CheckpointSnapshot snapshot(ModelGraph graph) {
    List<ModelGraph.VariableSlot> variables = slots.stream().filter(s -> s != null).toList();
    List<HostArray> values = graph.read(variables);
    List<CheckpointSnapshot.Entry> entries = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < keys.size(); i++) {
      ModelGraph.VariableSlot s = slots.get(i);
      entries.add(s == null ? new CheckpointSnapshot.Entry(keys.get(i), null, TInt64.class)
          : new CheckpointSnapshot.Entry(keys.get(i), values.get(next++), s.dtype()));
    }
    saveCounter++;
    return new CheckpointSnapshot(objectGraph, saveCounter, entries);
  }

  /**
   * Writes {@code prefix.index} and {@code prefix.data-00000-of-00001} with TensorFlow's {@code SaveV2}, counting
   * this save; TensorFlow itself writes each file under a temporary name and renames it.
   *
   * @return the save counter stored in the files
   */
  long save(ModelGraph graph, Path target) {
    long counter = saveCounter + 1;
    try (TString p = TString.scalarOf(target.toString());
        TString og = TString.tensorOfBytes(NdArrays.scalarOfObject(objectGraph));
        Tensor c = TInt64.scalarOf(counter)) {
      graph.session().runner().feed(prefix, p).feed(objectGraphFeed, og).feed(saveCounterFeed, c)
          .addTarget(save).run().close();
    }
    saveCounter = counter;
    return counter;
  }
}
