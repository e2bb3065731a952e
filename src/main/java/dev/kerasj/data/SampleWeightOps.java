package dev.kerasj.data;

import dev.kerasj.internal.HostArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The sample weights of a {@link Dataset}'s batches: Keras' {@code (x, y, sample_weight)} elements, checked, and its
 * {@code class_weight} mapped to per-sample weights in-graph ({@code make_class_weight_map_fn} of Keras'
 * {@code tf_dataset_adapter}: a gather over a table of the weights by class).
 */
final class SampleWeightOps {
  private SampleWeightOps() {}

  /**
   * The weight feature of each output with a loss ({@code targets} of them; one feature given serves every output,
   * as Keras replicates one array), or an empty list when none is given or nothing is trained ({@code targets} 0:
   * predict). {@code slots} holds one slot per output, null where its loss gives no per-sample values.
   */
  static List<String> check(Dataset dataset, int targets, List<BatchIterator.Slot> slots,
      Map<Integer, Double> classWeight) {
    List<String> names = dataset.sampleWeights();
    if (classWeight != null && !names.isEmpty()) {
      throw new IllegalArgumentException("You cannot `class_weight` and `sample_weight` at the same time. Received: "
          + "classWeight " + classWeight + " and a Dataset with sampleWeights " + names);
    }
    if (classWeight != null) {
      if (targets != 1 || slots.size() != 1 || slots.get(0) == null || slots.get(0).shape().length != 1) {
        throw new IllegalArgumentException("`classWeight` is only supported for Models with a single output whose "
            + "loss gives one value per sample. Received: " + targets + " output(s) with a loss");
      }
      return List.of();
    }
    if (names.isEmpty() || targets == 0) {
      return List.of();
    }
    if (names.size() != 1 && names.size() != targets) {
      throw new IllegalArgumentException("Expected one sample-weight feature (for every output) or one per output "
          + "with a loss (" + targets + "). Received: sampleWeights " + names);
    }
    List<String> out = perOutput(names, targets);
    for (int i = 0; i < out.size(); i++) {
      if (slots.size() <= i || slots.get(i) == null) {
        throw new IllegalArgumentException("Sample-weight feature '" + out.get(i) + "' cannot weigh output " + i
            + ": its loss gives no per-sample values (Loss.unreduced), so it takes no sample weights");
      }
    }
    return out;
  }

  /** {@code names} for {@code count} outputs: one name repeated, or the names as given. */
  static List<String> perOutput(List<String> names, int count) {
    return names.size() == 1 ? Collections.nCopies(count, names.get(0)) : names;
  }

  /** A weight feature of per-example shape {@code [1]} where the slot takes a scalar: reshaped to {@code [batch]}. */
  static Operand<?> squeezeOne(Ops tf, Operand<?> w, BatchIterator.Slot slot) {
    Shape s = w.shape();
    long[] want = slot.shape();
    if (!s.isUnknown() && s.numDimensions() == want.length + 1 && s.size(s.numDimensions() - 1) == 1
        && Arrays.stream(want, 1, want.length).allMatch(d -> d >= 0)) {
      long[] flat = want.clone();
      flat[0] = -1;
      return tf.reshape(w, tf.constant(flat));
    }
    return w;
  }

  /**
   * {@code w}, once an in-graph check finds every weight finite and non-negative (else the pull fails). Names go into
   * TensorFlow's assertion message unquoted: TensorFlow escapes quotes there.
   */
  static Operand<TFloat32> checked(Ops tf, Operand<?> w, String feature) {
    @SuppressWarnings("unchecked")
    Operand<TFloat32> weights = (Operand<TFloat32>) w;
    Operand<TInt32> all = tf.range(tf.constant(0), tf.rank(weights), tf.constant(1));
    Operand<TBool> ok = tf.reduceAll(tf.math.logicalAnd(tf.math.isFinite(weights),
        tf.math.greaterEqual(weights, tf.constant(0f))), all);
    AssertThat check = tf.assertThat(ok, List.of(tf.constant("Expected finite, non-negative sample weights in "
        + "feature " + feature + ". Received (first values):"), weights), AssertThat.summarize(8L));
    return tf.withControlDependencies(List.of(check)).identity(weights);
  }

  /** A generator's weight array checked as {@link #checked} checks a feature, its {@code [n, 1]} shape flattened. */
  static HostArray checkedHost(HostArray a, long[] want, String what) {
    if (a.rank() == want.length + 1 && a.shape()[a.rank() - 1] == 1) {
      a = a.reshape(Arrays.copyOf(a.shape(), want.length));
    }
    a = a.asFloats();
    int bad = a.firstNonFinite();
    float[] v = a.floats();
    for (int i = 0; bad < 0 && i < v.length; i++) {
      if (v[i] < 0) {
        bad = i;
      }
    }
    if (bad >= 0) {
      throw new IllegalArgumentException("Expected finite, non-negative sample weights in the generator's " + what
          + ". Received: " + v[bad] + " at index " + bad);
    }
    return a;
  }

  /**
   * Keras' class weights of a batch of labels: the class of each example (the id; the argmax of a one-hot row; a
   * single value rounded) looked up in a table of {@code classWeight}. A class the map does not name fails the
   * step, naming {@code what} (Keras 3 weighs it 1.0 silently; the array path refuses it too).
   */
  static Operand<TFloat32> classWeights(Ops tf, Operand<?> labels, Map<Integer, Double> classWeight, String what) {
    int size = Collections.max(classWeight.keySet()) + 1;
    float[] table = new float[size];
    boolean[] present = new boolean[size];
    for (Map.Entry<Integer, Double> e : classWeight.entrySet()) {
      double v = e.getValue() == null ? Double.NaN : e.getValue();
      if (e.getKey() < 0 || !(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("Expected class ids >= 0 and finite, non-negative weights in "
            + "`classWeight`. Received: " + e.getKey() + "=" + e.getValue());
      }
      table[e.getKey()] = (float) v;
      present[e.getKey()] = true;
    }
    Operand<TInt32> ids = classes(tf, labels);
    Operand<TBool> inRange = tf.math.logicalAnd(tf.math.greaterEqual(ids, tf.constant(0)),
        tf.math.less(ids, tf.constant(size)));
    Operand<TInt32> safe = tf.select(inRange, ids, tf.zerosLike(ids));
    Operand<TBool> known = tf.math.logicalAnd(inRange, tf.gather(tf.constant(present), safe, tf.constant(0)));
    List<Integer> keys = new ArrayList<>(new java.util.TreeSet<>(classWeight.keySet()));
    AssertThat check = tf.assertThat(tf.reduceAll(known, tf.constant(0)), List.of(tf.constant("`classWeight` must "
        + "contain all classes in the data: the classes of " + what + " include one that `classWeight` " + keys
        + " does not name (Keras 3 would weight it 1.0: add it with 1.0 to mean that). Received classes (first "
        + "values):"), ids), AssertThat.summarize(8L));
    return tf.withControlDependencies(List.of(check)).gather(tf.constant(table), safe, tf.constant(0));
  }

  /** The class of each example, as Keras' {@code class_weights_map_fn} takes it. */
  @SuppressWarnings("unchecked")
  private static Operand<TInt32> classes(Ops tf, Operand<?> labels) {
    Shape s = labels.shape();
    if (labels.type() == TInt32.class && s.numDimensions() == 1) {
      return (Operand<TInt32>) labels;
    }
    Operand<TFloat32> y = labels.type() == TFloat32.class ? (Operand<TFloat32>) labels
        : tf.dtypes.cast(labels, TFloat32.class);
    if (s.numDimensions() >= 2 && s.size(s.numDimensions() - 1) != 1) {
      return tf.math.argMax(y, tf.constant(-1), TInt32.class);
    }
    if (s.numDimensions() >= 2) {
      y = tf.squeeze(y, org.tensorflow.op.core.Squeeze.axis(-1L));
    }
    return tf.dtypes.cast(tf.math.round(y), TInt32.class);
  }
}
