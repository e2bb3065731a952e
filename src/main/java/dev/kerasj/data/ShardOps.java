package dev.kerasj.data;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One worker's part of every global batch under {@code MultiWorkerMirroredStrategy}: every worker runs the same
 * pipeline (the same files, the same shuffle seeds, taken from the chief), pulls the same global batch and keeps
 * its contiguous slice of the rows, the cut the array path makes ({@code FitLoop.shard}: sizes differ by at most
 * one, the first {@code rows % workers} workers take one more). tf.distribute's DATA auto-shard with a rebatched
 * global batch gives worker {@code i} the {@code i}-th sub-batch too, but hands the workers different numbers of
 * batches when the last one is short; cutting every global batch keeps one step per global batch on every worker.
 * The slice is taken right after {@code IteratorGetNext}, before records are parsed, so each worker parses only
 * its rows.
 */
final class ShardOps {
  private ShardOps() {}

  /** The sliced components, then the global batch's row count (int32) and this worker's share of it (float32). */
  static List<Operand<?>> slice(Ops tf, List<Operand<?>> components, BatchIterator.Shard shard) {
    Operand<TInt32> rows = tf.squeeze(tf.slice(tf.shape(components.get(0)), tf.constant(new int[] {0}),
        tf.constant(new int[] {1})));
    int n = shard.workers();
    int i = shard.index();
    // An empty global batch is the end-of-pass marker; any other needs a row for every worker.
    AssertThat enough = tf.assertThat(tf.math.logicalOr(tf.math.equal(rows, tf.constant(0)),
        tf.math.greaterEqual(rows, tf.constant(n))), List.of(tf.constant("MultiWorkerMirroredStrategy splits each "
        + "global batch across " + n + " workers, and every worker needs at least one example of every batch. "
        + "Received a batch of (examples):"), rows));
    Ops checked = tf.withControlDependencies(List.of(enough));
    Operand<TInt32> base = tf.math.div(rows, tf.constant(n));
    Operand<TInt32> extra = tf.math.mod(rows, tf.constant(n));
    Operand<TInt32> start = tf.math.add(tf.math.mul(tf.constant(i), base), tf.math.minimum(extra, tf.constant(i)));
    Operand<TInt32> size = tf.math.add(base, tf.dtypes.cast(tf.math.less(tf.constant(i), extra), TInt32.class));
    List<Operand<?>> out = new ArrayList<>();
    for (Operand<?> c : components) {
      int rank = c.shape().numDimensions();
      int[] zeros = new int[rank - 1];
      int[] all = new int[rank - 1];
      java.util.Arrays.fill(all, -1);
      Operand<TInt32> begin = tf.concat(List.of(tf.reshape(start, tf.constant(new int[] {1})), tf.constant(zeros)),
          tf.constant(0));
      Operand<TInt32> length = tf.concat(List.of(tf.reshape(size, tf.constant(new int[] {1})), tf.constant(all)),
          tf.constant(0));
      out.add(checked.slice((Operand) c, begin, length));
    }
    out.add(checked.identity(rows));
    out.add(tf.math.divNoNan(tf.dtypes.cast(size, TFloat32.class), tf.dtypes.cast(rows, TFloat32.class)));
    return out;
  }

  /** Rows {@code [from, to)} of a global batch of {@code rows} that worker {@code index} of {@code workers} keeps. */
  static int[] rows(int rows, BatchIterator.Shard shard) {
    int base = rows / shard.workers();
    int extra = rows % shard.workers();
    int start = shard.index() * base + Math.min(shard.index(), extra);
    return new int[] {start, start + base + (shard.index() < extra ? 1 : 0)};
  }
}
