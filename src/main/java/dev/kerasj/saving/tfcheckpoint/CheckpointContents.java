package dev.kerasj.saving.tfcheckpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kerasj.saving.CorruptCheckpointException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * What a tensor bundle holds, for tools ({@code kerasj inspect}/{@code verify}): every key with its dtype and shape
 * (what Python's {@code tf.train.list_variables} lists), and for object-based checkpoints the
 * {@code TrackableObjectGraph}. Works on any TF checkpoint, written by kerasj or by Python; no model is needed.
 *
 * <pre>{@code
 * CheckpointContents c = CheckpointContents.read(Path.of("ckpts/ckpt-3"));
 * c.tensors().forEach(t -> System.out.println(t.key() + " " + t.dtype() + " " + Arrays.toString(t.shape())));
 * CheckpointContents.verify(c.prefix(), t -> {});   // reads every tensor; TensorFlow checks each crc32c
 * }</pre>
 *
 * @param prefix the checkpoint prefix ({@code dir/ckpt-3}, without {@code .index})
 * @param tensors every key in the index's (sorted) order
 * @param objectGraph the object graph, or null for a name-based (TF1) checkpoint
 */
public record CheckpointContents(Path prefix, List<Tensor> tensors, TrackableObjectGraph objectGraph) {
  /** The key under which object-based checkpoints store their {@code TrackableObjectGraph}. */
  public static final String OBJECT_GRAPH_KEY = CheckpointFiles.OBJECT_GRAPH_KEY;

  /**
   * One entry of the index.
   *
   * @param key the checkpoint key
   * @param dtype TensorFlow's dtype name ({@code float32}, {@code int64}, {@code string} ...)
   * @param shape the dimensions ({@code []} for a scalar)
   */
  public record Tensor(String key, String dtype, long[] shape) {}

  public CheckpointContents {
    tensors = List.copyOf(tensors);
  }

  /** The {@code .index} file of a prefix. */
  public static Path indexFile(Path prefix) {
    return CheckpointFiles.index(prefix);
  }

  /** The (first) data file of a prefix. */
  public static Path dataFile(Path prefix) {
    return CheckpointFiles.data(prefix);
  }

  /**
   * Reads and checks the index of the checkpoint at {@code prefix} in Java, without TensorFlow: its block checksums,
   * its structure, and every entry against what TensorFlow's native reader would abort the process on (a negative
   * dimension, a rank over 254, an entry that does not parse, an unknown dtype, an offset or size outside the data
   * file). Call it before handing a bundle from elsewhere to {@code RestoreV2} or {@code SavedModelBundle.load};
   * every reader in kerasj does.
   *
   * @return every key in the index's (sorted) order
   * @throws NoSuchFileException no {@code prefix.index}
   * @throws CorruptCheckpointException naming the file, the key and the field at fault
   */
  public static List<Tensor> readIndex(Path prefix) throws NoSuchFileException {
    CheckpointFiles.requireIndex(prefix);
    BundleIndex bundle = BundleIndex.read(prefix);
    List<Tensor> tensors = new ArrayList<>();
    for (String key : bundle.keys()) {
      BundleIndex.Entry e = bundle.get(key);
      tensors.add(new Tensor(key, BundleIndex.dtypeName(e.dtype()), e.shape()));
    }
    return tensors;
  }

  /**
   * Reads the index and the object graph of the checkpoint at {@code prefix}.
   *
   * @throws NoSuchFileException no {@code prefix.index}
   * @throws CorruptCheckpointException naming the file, when the index or the stored object graph cannot be read
   */
  public static CheckpointContents read(Path prefix) throws NoSuchFileException {
    List<Tensor> tensors = readIndex(prefix);
    TrackableObjectGraph graph = null;
    if (tensors.stream().anyMatch(t -> t.key().equals(OBJECT_GRAPH_KEY))) {
      requireData(prefix);
      byte[] bytes = ((byte[]) readOne(prefix, OBJECT_GRAPH_KEY, TString.class, t -> { }));
      try {
        graph = TrackableObjectGraph.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        Path data = CheckpointFiles.data(prefix);
        throw new CorruptCheckpointException(data, "Checkpoint " + data + ": the stored " + OBJECT_GRAPH_KEY
            + " is not a TrackableObjectGraph: " + e.getMessage(), e);
      }
    }
    return new CheckpointContents(prefix, tensors, graph);
  }

  /**
   * Reads every tensor of the checkpoint, one at a time, with TensorFlow's {@code RestoreV2}, which checks each
   * tensor's size and the masked crc32c stored for it in the index (the index's own blocks are checked when it is
   * opened). Memory stays bounded by the largest tensor.
   *
   * @param progress called after each tensor is read and checked
   * @return the number of bytes of tensor data read
   * @throws CorruptCheckpointException naming the file and the first tensor that fails
   */
  public static long verify(Path prefix, Consumer<Tensor> progress) throws NoSuchFileException {
    CheckpointFiles.requireIndex(prefix);
    BundleIndex bundle = BundleIndex.read(prefix);
    requireData(prefix);
    Path index = CheckpointFiles.index(prefix);
    long bytes = 0;
    // One RestoreV2 per dtype with the key fed in: a run per tensor, no graph or session per tensor.
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TString> names = tf.withName("key").placeholder(TString.class,
          Placeholder.shape(Shape.of(1)));
      Map<Class<? extends TType>, Operand<?>> restoreByType = new HashMap<>();
      for (String key : bundle.keys()) {
        BundleIndex.Entry e = bundle.get(key);
        Class<? extends TType> type = typeOf(e.dtype());
        if (type == null) {
          throw new CorruptCheckpointException(index, "Checkpoint " + index + ": tensor '" + key + "' has dtype "
              + BundleIndex.dtypeName(e.dtype()) + ", which kerasj cannot read to verify (it reads float16/32/64, "
              + "bfloat16, int32/64, uint8/16, bool and string)");
        }
        Operand<?> restore = restoreByType.computeIfAbsent(type, t -> tf.train.restore(
            tf.constant(prefix.toString()), names, tf.constant(StandardCharsets.UTF_8, new String[] {""}),
            List.of(t)).tensors().get(0));
        try (TString feed = TString.vectorOf(key);
            Result res = s.runner().feed(names, feed).fetch(restore).run()) {
          bytes += res.get(0).numBytes();
        } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException ex) {
          throw readFailure(prefix, key, ex);
        }
        progress.accept(new Tensor(key, BundleIndex.dtypeName(e.dtype()), e.shape()));
      }
    }
    return bytes;
  }

  private static void requireData(Path prefix) {
    if (!CheckpointFiles.hasData(prefix)) {
      Path data = CheckpointFiles.data(prefix);
      throw new CorruptCheckpointException(data, "Checkpoint " + prefix + " is incomplete: "
          + CheckpointFiles.index(prefix) + " exists but its data file " + data + " does not");
    }
  }

  /** Reads one tensor; returns the bytes of a string scalar, else null after {@code seen} has looked at it. */
  private static Object readOne(Path prefix, String key, Class<? extends TType> type,
      Consumer<org.tensorflow.Tensor> seen) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Restore restore = tf.train.restore(tf.constant(prefix.toString()),
          tf.constant(StandardCharsets.UTF_8, new String[] {key}),
          tf.constant(StandardCharsets.UTF_8, new String[] {""}), List.of(type));
      try (Result res = s.runner().fetch(restore.tensors().get(0)).run()) {
        org.tensorflow.Tensor t = res.get(0);
        seen.accept(t);
        if (t instanceof TString str && t.shape().numDimensions() == 0) {
          return str.asBytes().getObject();
        }
        return null;
      } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException e) {
        throw readFailure(prefix, key, e);
      }
    }
  }

  private static CorruptCheckpointException readFailure(Path prefix, String key, RuntimeException e) {
    Path index = CheckpointFiles.index(prefix);
    String msg = String.valueOf(e.getMessage());
    Path file = msg.contains(index.getFileName().toString()) ? index : CheckpointFiles.data(prefix);
    int nl = msg.indexOf('\n');
    return new CorruptCheckpointException(file, "Checkpoint " + prefix + " is corrupt: tensor '" + key + "' in "
        + file + " fails TensorFlow's checksum or size check: " + (nl < 0 ? msg : msg.substring(0, nl)), e);
  }

  private static Class<? extends TType> typeOf(int dtype) {
    return switch (dtype) {
      case 1 -> TFloat32.class;
      case 2 -> TFloat64.class;
      case 3 -> TInt32.class;
      case 4 -> TUint8.class;
      case 7 -> TString.class;
      case 9 -> TInt64.class;
      case 10 -> TBool.class;
      case 14 -> TBfloat16.class;
      case 17 -> TUint16.class;
      case 19 -> TFloat16.class;
      default -> null;
    };
  }
}
