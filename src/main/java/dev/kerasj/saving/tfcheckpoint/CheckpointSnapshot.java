package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.Tensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Save;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A model's weights and optimizer state copied to host memory at one moment, written later as a TF object-based
 * checkpoint: the same keys, object graph and save counter {@link TfCheckpoint#write} would have written at that
 * moment, through the same durable protocol.
 *
 * <pre>{@code
 * CheckpointSnapshot snapshot = TfCheckpoint.snapshot(model);   // on the training thread: one Session.run
 * executor.submit(() -> snapshot.write(Path.of("ckpts/ckpt-3"))); // anywhere; training may go on meanwhile
 * }</pre>
 *
 * <p><b>Threading.</b> Immutable once taken and independent of the model (which may train on, or be closed):
 * {@link #write} may run on any thread. The writes of several snapshots into the same directory must not overlap,
 * because each updates the directory's {@code checkpoint} state file.
 */
public final class CheckpointSnapshot {
  /** One saved tensor: its checkpoint key and value (null for the save counter, which is fed separately). */
  record Entry(String key, HostArray value, Class<? extends TType> dtype) {}

  private final byte[] objectGraph;
  private final long saveCounter;
  private final List<Entry> entries;

  CheckpointSnapshot(byte[] objectGraph, long saveCounter, List<Entry> entries) {
    this.objectGraph = objectGraph;
    this.saveCounter = saveCounter;
    this.entries = List.copyOf(entries);
  }

  /** The {@code save_counter} stored with this snapshot. */
  public long saveCounter() {
    return saveCounter;
  }

  /**
   * Writes the snapshot to {@code prefix.index} and {@code prefix.data-00000-of-00001} and records it as the latest
   * checkpoint of the directory, with the guarantees of {@link TfCheckpoint#write}.
   *
   * @return the absolute prefix written
   * @throws IOException when anything cannot be written; the previous checkpoint at {@code prefix} stays complete
   */
  public Path write(Path prefix) throws IOException {
    return CheckpointWriter.write(prefix, this::saveTo);
  }

  /** SaveV2 in a small graph of its own, fed from the host values. */
  private void saveTo(Path staged) {
    List<Tensor> fed = new ArrayList<>();
    try (Graph g = new Graph(); Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      Session.Runner runner = session.runner();
      List<String> names = new ArrayList<>();
      List<Operand<?>> tensors = new ArrayList<>();
      names.add(CheckpointFiles.OBJECT_GRAPH_KEY);
      tensors.add(feed(tf, runner, fed, TString.class, Shape.scalar(),
          TString.tensorOfBytes(NdArrays.scalarOfObject(objectGraph))));
      for (Entry e : entries) {
        names.add(e.key());
        Tensor value = e.value() == null ? TInt64.scalarOf(saveCounter) : Tensors.of(e.value(), e.dtype());
        tensors.add(feed(tf, runner, fed, e.dtype(), value.shape(), value));
      }
      Operand<TString> prefix = feed(tf, runner, fed, TString.class, Shape.scalar(),
          TString.scalarOf(staged.toString()));
      Save save = tf.train.save(prefix, tf.constant(StandardCharsets.UTF_8, names.toArray(String[]::new)),
          tf.constant(StandardCharsets.UTF_8, names.stream().map(n -> "").toArray(String[]::new)), tensors);
      runner.addTarget(save).run().close();
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  private static <T extends TType> Placeholder<T> feed(Ops tf, Session.Runner runner, List<Tensor> owned,
      Class<T> dtype, Shape shape, Tensor value) {
    owned.add(value);
    Placeholder<T> p = tf.placeholder(dtype, Placeholder.shape(shape));
    runner.feed(p, value);
    return p;
  }
}
