package dev.kerasj;

import dev.kerasj.internal.DataAdapter;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.losses.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's data from the user's form to one checked host array per input and per output: a single array for a
 * model of one input, a {@code List} in input order or a {@code Map} by name otherwise (labels likewise by output).
 */
final class ModelData {
  private ModelData() {}

  /** Each input of {@code model} from {@code x}, checked against the input's shape and dtype. */
  static List<HostArray> inputs(Model model, Object x, String what) {
    model.ensureBuilt();
    List<Input> inputs = model.topology().inputLayers();
    List<Object> parts = split(x, what, model.inputNames(), "input");
    List<HostArray> out = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Input in = inputs.get(i);
      String name = inputs.size() == 1 ? what : what + "['" + in.name() + "']";
      out.add(DataAdapter.inputs(parts.get(i), name, in.declaredInputShape(), in.dtype(), vocabulary(model, in)));
    }
    return out;
  }

  /** The smallest inputDim of the Embeddings an int input feeds directly (ids are checked against it), else 0. */
  private static int vocabulary(Model model, Input in) {
    int v = 0;
    for (KerasTensor node : model.topology().nodes()) {
      if (node.layer() instanceof Embedding e && node.inputs().stream().anyMatch(t -> t.layer() == in)) {
        v = v == 0 ? e.inputDim() : Math.min(v, e.inputDim());
      }
    }
    return v;
  }

  /** Each output's labels from {@code y}, checked against the output's shape and loss. */
  static List<HostArray> labels(Model model, Object y, String what) {
    List<String> names = model.outputNames();
    List<Object> parts = split(y, what, names, "output");
    List<Loss> losses = model.losses();
    List<long[]> shapes = model.outputs().stream().map(KerasTensor::shape).toList();
    List<HostArray> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.size() == 1 ? what : what + "['" + names.get(i) + "']";
      out.add(DataAdapter.labels(parts.get(i), name, losses.get(i).sparseLabels(), shapes.get(i)));
    }
    return out;
  }

  /**
   * One value per name: {@code data} itself for one name, else the elements of a {@code List} in order or the
   * values of a {@code Map} by name (a map of one name also works for a single input or output).
   */
  private static List<Object> split(Object data, String what, List<String> names, String kind) {
    if (data instanceof Map<?, ?> map) {
      List<Object> out = new ArrayList<>();
      for (String n : names) {
        if (!map.containsKey(n)) {
          throw new IllegalArgumentException("Expected `" + what + "` to have a value for every model " + kind
              + " " + names + ". Received: keys " + map.keySet());
        }
        out.add(map.get(n));
      }
      if (map.size() != names.size()) {
        throw new IllegalArgumentException("Expected `" + what + "` to have keys " + names + ". Received: keys "
            + map.keySet());
      }
      return out;
    }
    if (names.size() == 1) {
      return java.util.Collections.singletonList(data);
    }
    if (data instanceof List<?> list) {
      if (list.size() != names.size()) {
        throw new IllegalArgumentException("Expected `" + what + "` to be a list of " + names.size() + " arrays, "
            + "one per model " + kind + " " + names + ". Received: a list of " + list.size());
      }
      return new ArrayList<>(list);
    }
    throw new IllegalArgumentException("The model has " + names.size() + " " + kind + "s " + names + ": expected `"
        + what + "` to be a List in that order or a Map keyed by those names. Received: "
        + (data == null ? "null" : data.getClass().getSimpleName()));
  }

  /** Rows {@code from..to} of every array. */
  static List<HostArray> rows(List<HostArray> arrays, int from, int to) {
    return arrays.stream().map(a -> a.rows(from, to)).toList();
  }

  /** Every input and label array holds as many samples as the first input. */
  static void sameSamples(List<HostArray> xs, List<HostArray> ys, String xName, String yName) {
    for (int i = 1; i < xs.size(); i++) {
      DataAdapter.sameSamples(xs.get(0), xs.get(i), xName + "[0]", xName + "[" + i + "]");
    }
    for (HostArray y : ys) {
      DataAdapter.sameSamples(xs.get(0), y, xName, yName);
    }
  }

}
