package dev.kerasj.saving.tfcheckpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.internal.Tensors;
import dev.kerasj.models.KerasModel;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleCheckpointException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Restores an object-based checkpoint into a model: reads and checks the index in Java ({@link BundleIndex}) and the
 * object graph, resolves every model variable through it ({@link GraphMatch}), checks names, shapes and dtypes,
 * reads every value with {@code RestoreV2} in a separate graph (TensorFlow checks each tensor's crc32c), and only
 * then assigns all of them in one session run of the model's graph.
 */
final class CheckpointReader {
  private final KerasModel model;
  private final Path prefix;
  private final Path indexFile;
  private final Path dataFile;

  private CheckpointReader(KerasModel model, Path prefix) {
    this.model = model;
    this.prefix = prefix;
    this.indexFile = CheckpointFiles.index(prefix);
    this.dataFile = CheckpointFiles.data(prefix);
  }

  /** Restores the pair at {@code prefix} (already resolved to a file pair, see {@link CheckpointFiles#effective}). */
  static Path restore(KerasModel model, Path prefix) throws NoSuchFileException {
    return new CheckpointReader(model, prefix).run();
  }

  private Path run() throws NoSuchFileException {
    CheckpointFiles.requireIndex(prefix);
    if (!CheckpointFiles.hasData(prefix)) {
      throw new CorruptCheckpointException(dataFile, "Checkpoint " + prefix + " is incomplete: " + indexFile
          + " exists but its data file " + dataFile + " does not");
    }
    BundleIndex index = BundleIndex.read(prefix);
    if (!index.contains(CheckpointFiles.OBJECT_GRAPH_KEY)) {
      throw new IncompatibleCheckpointException(indexFile, "Checkpoint " + indexFile + " has no "
          + CheckpointFiles.OBJECT_GRAPH_KEY + ": it is a name-based (TF1 Saver) checkpoint, not the object-based "
          + "kind tf.train.Checkpoint and kerasj write. Re-save it from Python with tf.train.Checkpoint("
          + "model=m, optimizer=m.optimizer).write(path)");
    }
    TrackableTree tree = TrackableTree.of(model);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      GraphMatch match = GraphMatch.of(tree, readObjectGraph(g, s), index, indexFile, dataFile);
      match.throwIfIncompatible(model);
      List<TrackableTree.Node> nodes = new ArrayList<>(match.keys.keySet());
      List<String> keys = new ArrayList<>();
      List<Class<? extends TType>> types = new ArrayList<>();
      for (TrackableTree.Node n : nodes) {
        keys.add(match.keys.get(n));
        types.add(n.variable.dtype());
      }
      if (match.saveCounterKey != null) {
        keys.add(match.saveCounterKey);
        types.add(TInt64.class);
      }
      Map<ModelGraph.VariableSlot, HostArray> values = new LinkedHashMap<>();
      Long saveCounter = null;
      Restore restore = restoreOp(Ops.create(g), keys, types);
      Session.Runner runner = s.runner();
      for (Operand<?> t : restore.tensors()) {
        runner.fetch(t);
      }
      try (Result res = runner.run()) {
        for (int i = 0; i < nodes.size(); i++) {
          values.put(nodes.get(i).variable, toHost(res.get(i), nodes.get(i)));
        }
        if (match.saveCounterKey != null) {
          saveCounter = ((TInt64) res.get(nodes.size())).getObject();
        }
      } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException e) {
        throw readFailure(e);
      }
      model.graphForInternalUse().assign(values);
      if (saveCounter != null) {
        CheckpointSaver.restoredSaveCounter(model, saveCounter);
      }
    }
    return prefix;
  }

  private TrackableObjectGraph readObjectGraph(Graph g, Session s) {
    Restore restore = restoreOp(Ops.create(g), List.of(CheckpointFiles.OBJECT_GRAPH_KEY), List.of(TString.class));
    byte[] bytes;
    try (Result res = s.runner().fetch(restore.tensors().get(0)).run()) {
      bytes = ((TString) res.get(0)).asBytes().getObject();
    } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException e) {
      throw readFailure(e);
    }
    try {
      return TrackableObjectGraph.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptCheckpointException(dataFile, "Checkpoint " + dataFile + ": the stored "
          + CheckpointFiles.OBJECT_GRAPH_KEY + " is not a TrackableObjectGraph: " + e.getMessage(), e);
    }
  }

  private Restore restoreOp(Ops tf, List<String> keys, List<Class<? extends TType>> types) {
    return tf.train.restore(tf.constant(prefix.toString()),
        tf.constant(StandardCharsets.UTF_8, keys.toArray(String[]::new)),
        tf.constant(StandardCharsets.UTF_8, keys.stream().map(k -> "").toArray(String[]::new)), types);
  }

  /** A read error: the index was read already, so unless TensorFlow names the index, the data file is at fault. */
  private CorruptCheckpointException readFailure(RuntimeException e) {
    String msg = String.valueOf(e.getMessage());
    Path file = msg.contains(indexFile.getFileName().toString()) ? indexFile : dataFile;
    int nl = msg.indexOf('\n');
    return new CorruptCheckpointException(file, "Checkpoint " + prefix + " is corrupt: reading " + file + " failed "
        + "(truncated or damaged; TensorFlow's checksum or size check caught it): "
        + (nl < 0 ? msg : msg.substring(0, nl)), e);
  }

  private HostArray toHost(Tensor t, TrackableTree.Node n) {
    try {
      return Tensors.toHost(t);
    } catch (ArithmeticException e) {
      throw new IncompatibleCheckpointException(indexFile, "Checkpoint " + indexFile + ": the value of "
          + n.label + " does not fit kerasj's int range: " + e.getMessage());
    }
  }
}
