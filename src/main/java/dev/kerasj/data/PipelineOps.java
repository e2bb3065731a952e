package dev.kerasj.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.op.data.IteratorGetNextAsOptional;
import org.tensorflow.op.data.OptionalGetValue;
import org.tensorflow.op.io.ParseExample;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The TF ops a pipeline's batches go through after the tf.data iterator: the end-of-pass guard, the parsing of
 * {@code tf.train.Example} records ({@code ParseExampleV2}, variable-length features made dense) and
 * {@link Dataset#stack}. Static helpers of {@link BatchIterator}.
 */
final class PipelineOps {
  private PipelineOps() {}

  /**
   * The next batch, or an empty batch (0 examples) at the end of the pass, instead of {@code IteratorGetNext}'s
   * {@code OutOfRange} error: {@code IteratorGetNextAsOptional} + {@code OptionalHasValue}, then a
   * {@code Switch}/{@code Merge} pair picks the value or the empty batch. The end of the data is then a value, not a
   * failed {@code Session.run}, whatever else a caller fetches in the same run.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static List<Operand<?>> nextOrEmpty(Ops tf, Operand<? extends TType> iterator,
      List<Class<? extends TType>> types, List<Shape> shapes) {
    IteratorGetNextAsOptional optional = tf.data.iteratorGetNextAsOptional(iterator, types, shapes);
    Operand<TBool> has = tf.data.optionalHasValue(optional.optional());
    SwitchCond<?> present = tf.switchCond((Operand) optional.optional(), has);
    OptionalGetValue value = tf.data.optionalGetValue(present.outputTrue(), types, shapes);
    List<Operand<?>> out = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      long[] dims = shapes.get(i).asArray();
      dims[0] = 0;
      long[] anyBatch = shapes.get(i).asArray();
      anyBatch[0] = -1;
      Class<? extends TType> t = types.get(i);
      // A batch of 0 examples of this component's per-example shape.
      Operand<?> empty = t == TString.class ? tf.fill(tf.constant(dims), tf.constant(""))
          : tf.zeros(tf.constant(dims), numeric(t));
      SwitchCond<?> absent = tf.switchCond((Operand) empty, has);
      Operand merged = tf.merge(List.of((Operand) value.components().get(i), (Operand) absent.outputFalse())).output();
      out.add(tf.ensureShape(merged, Shape.of(anyBatch)));
    }
    return out;
  }

  /** The batch's features by name: the array components, or the records parsed by {@code ParseExampleV2}. */
  static Map<String, Operand<?>> features(Ops tf, Dataset.Source src, List<Operand<?>> components) {
    Map<String, Operand<?>> out = new LinkedHashMap<>();
    if (src.csvHeader() != null) {
      for (int i = 0; i < src.features().size(); i++) {
        out.put(src.features().get(i).name(), components.get(i));
      }
      return out;
    }
    if (src.arrays() != null) {
      int i = 0;
      for (String name : src.arrays().keySet()) {
        out.put(name, components.get(i++));
      }
      return out;
    }
    @SuppressWarnings("unchecked")
    Operand<TString> serialized = (Operand<TString>) components.get(0);
    List<Feature> dense = src.features().stream().filter(f -> !f.varLen()).toList();
    List<Feature> sparse = src.features().stream().filter(Feature::varLen).toList();
    List<Operand<?>> defaults = new ArrayList<>();
    List<Shape> denseShapes = new ArrayList<>();
    for (Feature f : dense) {
      defaults.add(empty(tf, f.type()));
      denseShapes.add(Shape.of(f.shape()));
    }
    ParseExample parsed = tf.io.parseExample(serialized, strings(tf),
        strings(tf, sparse.stream().map(Feature::name).toArray(String[]::new)),
        strings(tf, dense.stream().map(Feature::name).toArray(String[]::new)), strings(tf), defaults,
        (long) sparse.size(), sparseTypes(sparse), List.of(), List.of(), denseShapes);
    Map<String, Operand<?>> byName = new LinkedHashMap<>();
    for (int i = 0; i < dense.size(); i++) {
      byName.put(dense.get(i).name(), parsed.denseValues().get(i));
    }
    for (int i = 0; i < sparse.size(); i++) {
      Feature f = sparse.get(i);
      long length = f.shape()[0];
      Operand<TInt64> size = tf.math.maximum(parsed.sparseShapes().get(i), tf.constant(new long[] {0, length}));
      Operand<?> densified = sparseToDense(tf, parsed.sparseIndices().get(i), size, parsed.sparseValues().get(i),
          f.type());
      byName.put(f.name(), tf.reshape(tf.slice(densified, tf.constant(new long[] {0, 0}),
          tf.constant(new long[] {-1, length})), tf.constant(new long[] {-1, length})));
    }
    for (Feature f : src.features()) {
      out.put(f.name(), byName.get(f.name()));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static Operand<?> sparseToDense(Ops tf, Operand<TInt64> indices, Operand<TInt64> size, Operand<?> values,
      Feature.Type type) {
    switch (type) {
      case FLOAT:
        return tf.sparse.sparseToDense(indices, size, (Operand<TFloat32>) values, tf.constant(0f));
      case INT64:
        return tf.sparse.sparseToDense(indices, size, (Operand<TInt64>) values, tf.constant(0L));
      default:
        return tf.sparse.sparseToDense(indices, size, (Operand<TString>) values, tf.constant(""));
    }
  }

  static Operand<?> empty(Ops tf, Feature.Type type) {
    switch (type) {
      case FLOAT:
        return tf.constant(new float[0]);
      case INT64:
        return tf.constant(new long[0]);
      default:
        return strings(tf);
    }
  }

  @SuppressWarnings("unchecked")
  static Class<? extends TNumber> numeric(Class<? extends TType> t) {
    return (Class<? extends TNumber>) t;
  }

  /** A string vector constant (TF Java has no {@code constant(String[])}). */
  static Operand<TString> strings(Ops tf, String... values) {
    return tf.constant(values.length == 0 ? NdArrays.ofObjects(String.class, Shape.of(0))
        : NdArrays.vectorOfObjects(values));
  }

  static List<Class<? extends TType>> sparseTypes(List<Feature> sparse) {
    List<Class<? extends TType>> out = new ArrayList<>();
    sparse.forEach(f -> out.add(dtype(f.type())));
    return out;
  }

  static Class<? extends TType> dtype(Feature.Type type) {
    return type == Feature.Type.FLOAT ? TFloat32.class : type == Feature.Type.INT64 ? TInt64.class : TString.class;
  }

  /** {@code tf.stack(features, axis=1)}, all cast to float32 unless they share one numeric type. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Operand<?> stack(Ops tf, List<Operand<?>> features) {
    boolean same = features.stream().allMatch(f -> f.type() == features.get(0).type());
    List<Operand> parts = new ArrayList<>();
    for (Operand<?> f : features) {
      parts.add(same ? f : Transforms.toFloat(tf, f));
    }
    return tf.stack((Iterable) parts, org.tensorflow.op.core.Stack.axis(1L));
  }
}
