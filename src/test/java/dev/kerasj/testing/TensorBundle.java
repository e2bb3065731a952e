package dev.kerasj.testing;

import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import java.nio.charset.StandardCharsets;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Reads named tensors from a TF tensor bundle ({@code prefix.index} + {@code prefix.data-*}) with TensorFlow's own
 * {@code RestoreV2} op: the fixture format written by {@code python-interop/make_fixtures.py}; {@link #write} writes
 * one for Python tests to read.
 */
public final class TensorBundle {
  private final Path prefix;

  public TensorBundle(Path prefix) {
    if (!Files.exists(Path.of(prefix + ".index"))) {
      throw new IllegalArgumentException("No tensor bundle at " + prefix + " (missing " + prefix + ".index)");
    }
    this.prefix = prefix;
  }

  /** Reads numeric tensors; {@code dtypes} maps each tensor name to TFloat32/TInt32/TInt64.class. */
  public Map<String, HostArray> read(Map<String, Class<? extends TType>> dtypes) {
    List<String> names = new ArrayList<>(dtypes.keySet());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Restore restore = tf.train.restore(tf.constant(prefix.toString()),
          tf.constant(StandardCharsets.UTF_8, names.toArray(String[]::new)),
          tf.constant(StandardCharsets.UTF_8, names.stream().map(n -> "").toArray(String[]::new)),
          names.stream().map(dtypes::get).toList());
      Session.Runner runner = s.runner();
      for (Operand<?> t : restore.tensors()) {
        runner.fetch(t);
      }
      Map<String, HostArray> out = new LinkedHashMap<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < names.size(); i++) {
          out.put(names.get(i), Tensors.toHost(r.get(i)));
        }
      }
      return out;
    }
  }

  /** Reads one numeric tensor. */
  public HostArray read(String name, Class<? extends TType> dtype) {
    return read(Map.of(name, dtype)).get(name);
  }

  /** Reads a string tensor (scalar or vector) as a list. */
  public List<String> readStrings(String name) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Restore restore = tf.train.restore(tf.constant(prefix.toString()), tf.constant(StandardCharsets.UTF_8, new String[] {name}),
          tf.constant(StandardCharsets.UTF_8, new String[] {""}), List.of(TString.class));
      try (Result r = s.runner().fetch(restore.tensors().get(0)).run()) {
        TString t = (TString) r.get(0);
        List<String> out = new ArrayList<>();
        if (t.rank() == 0) {
          out.add(t.getObject());
        } else {
          NdArray<String> nd = t;
          nd.scalars().forEach(v -> out.add(v.getObject()));
        }
        return out;
      }
    }
  }

  /**
   * Writes a plain tensor bundle ({@code prefix.index} + {@code .data-00000-of-00001}) with TensorFlow's SaveV2:
   * the format Python reads with {@code tf.train.load_checkpoint(prefix).get_tensor(name)}. Int values are int32.
   */
  public static void write(Path prefix, Map<String, HostArray> tensors) {
    List<String> names = new ArrayList<>(tensors.keySet());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      List<Operand<?>> values = new ArrayList<>();
      for (String n : names) {
        HostArray v = tensors.get(n);
        org.tensorflow.ndarray.Shape shape = org.tensorflow.ndarray.Shape.of(v.shape());
        values.add(v.isFloat()
            ? tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(v.floats(), true, false))
            : tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(v.ints(), true, false)));
      }
      s.runner().addTarget(tf.train.save(tf.constant(prefix.toString()),
          tf.constant(StandardCharsets.UTF_8, names.toArray(String[]::new)),
          tf.constant(StandardCharsets.UTF_8, names.stream().map(n -> "").toArray(String[]::new)), values)).run()
          .close();
    }
  }
}
