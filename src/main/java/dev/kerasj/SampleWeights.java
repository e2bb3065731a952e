package dev.kerasj;

import dev.kerasj.internal.DataAdapter;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.TrainingGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Keras' {@code sample_weight} and {@code class_weight} from the user's arrays to one checked host array per output,
 * shaped as the training graph feeds them ({@link TrainingGraph#sampleWeightShape}); Keras' rules are in
 * {@code keras/src/trainers/data_adapters/array_data_adapter.py} and {@code data_adapter_utils.py}.
 */
final class SampleWeights {
  private SampleWeights() {}

  /**
   * Per output, the weights of {@code n} samples from {@code weights}: one array (a single output, or every output
   * of several, as Keras replicates it), a {@code List} in output order or a {@code Map} by output name. Null when
   * {@code weights} is null.
   */
  static List<HostArray> of(Model model, TrainingGraph training, Object weights, int n, String what) {
    if (weights == null) {
      return null;
    }
    List<String> names = model.outputNames();
    List<Object> parts;
    if (names.size() > 1 && weights instanceof List<?> list) {
      if (list.size() != names.size()) {
        throw new IllegalArgumentException("You should provide one `" + what + "` array per output " + names
            + ". Received: a list of " + list.size());
      }
      parts = new ArrayList<>(list);
    } else if (weights instanceof Map<?, ?> map) {
      if (!map.keySet().equals(new java.util.HashSet<>(names))) {
        throw new IllegalArgumentException("You should provide one `" + what + "` array per output " + names
            + ". Received: keys " + map.keySet());
      }
      parts = new ArrayList<>();
      names.forEach(name -> parts.add(map.get(name)));
    } else {
      parts = new ArrayList<>();
      names.forEach(name -> parts.add(weights)); // Keras replicates one array on every output
    }
    List<HostArray> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.size() == 1 ? what : what + "['" + names.get(i) + "']";
      if (parts.get(i) == null) {
        throw new IllegalArgumentException("Expected `" + name + "` to be an array. Received: null");
      }
      out.add(checked(HostArray.from(parts.get(i), name).asFloats(), training.sampleWeightShape(i), n, name,
          names.get(i)));
    }
    return out;
  }

  /** One array of weights, checked and brought to the shape {@code expected} (per sample) the graph takes. */
  private static HostArray checked(HostArray w, long[] expected, int n, String what, String output) {
    if (expected == null) {
      throw new IllegalArgumentException("The loss of output '" + output + "' gives no per-sample values, so it "
          + "cannot take `" + what + "`");
    }
    if (w.rank() == 0 || w.samples() != n) {
      throw new IllegalArgumentException("Expected `" + what + "` to hold one weight per sample, " + n
          + " samples. Received: " + what + ".shape=" + DataAdapter.shape(w.shape()));
    }
    float[] v = w.floats();
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i]) || v[i] < 0) {
        // Keras multiplies them in silently: a NaN makes the loss NaN, a negative weight trains that sample away.
        throw new IllegalArgumentException("Expected finite, non-negative values in `" + what + "`. Received: "
            + v[i] + " in sample " + i / Math.max(1, w.rowSize()));
      }
    }
    long[] sample = w.sampleShape();
    if (Arrays.equals(sample, expected)) {
      return w;
    }
    if (expected.length == 0 && sample.length == 1 && sample[0] == 1) {
      return w.reshape(new long[] {n});
    }
    if (expected.length > 0 && sample.length == expected.length && Arrays.stream(sample).allMatch(d -> d == 1)
        && Arrays.stream(expected).allMatch(d -> d > 0)) {
      return broadcast(w, expected);
    }
    if (sample.length == expected.length) {
      boolean match = true;
      for (int i = 0; i < sample.length; i++) {
        match &= expected[i] < 0 || expected[i] == sample[i];
      }
      if (match) {
        return w;
      }
    }
    long[] ones = new long[expected.length];
    Arrays.fill(ones, 1);
    String allowed = expected.length == 0 ? "(" + n + ",) or (" + n + ", 1)"
        : DataAdapter.shape(concat(n, expected)) + " or " + DataAdapter.shape(concat(n, ones));
    throw new IllegalArgumentException("Output '" + output + "' has loss values of shape "
        + DataAdapter.shape(concat(n, expected)).replace("-1", "None") + ": expected `" + what + "` of shape "
        + allowed.replace("-1", "None") + ". Received: " + what + ".shape=" + DataAdapter.shape(w.shape()));
  }

  /** {@code (n, 1, ...)} repeated to {@code (n, expected...)}: Keras' broadcast in {@code values * sample_weight}. */
  private static HostArray broadcast(HostArray w, long[] expected) {
    int n = w.samples();
    int row = Math.toIntExact(Arrays.stream(expected).reduce(1, (a, b) -> a * b));
    float[] src = w.floats();
    float[] out = new float[Math.multiplyExact(n, row)];
    for (int i = 0; i < n; i++) {
      Arrays.fill(out, i * row, (i + 1) * row, src[i]);
    }
    return HostArray.ofFloats(concat(n, expected), out);
  }

  /**
   * Keras' {@code class_weight_to_sample_weights}: per sample, the weight of its class (the class id, or the argmax
   * of a one-hot row, or a rounded single value). Only for a model of one output; a class the map does not name is
   * refused rather than weighted 1 as in Keras 3.
   */
  static List<HostArray> ofClasses(Model model, TrainingGraph training, Map<Integer, Double> classWeight,
      List<HostArray> ys) {
    if (classWeight == null) {
      return null;
    }
    requireClassWeightable(model, training);
    int[] classes = classesOf(ys.get(0));
    float[] w = new float[classes.length];
    TreeSet<Integer> missing = new TreeSet<>();
    for (int i = 0; i < classes.length; i++) {
      Double c = classWeight.get(classes[i]);
      if (c == null) {
        missing.add(classes[i]);
      } else {
        w[i] = (float) c.doubleValue();
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("`classWeight` must contain all classes in the data. The classes "
          + missing + " exist in the data but not in `classWeight` " + classWeight + " (Keras 3 would weight them "
          + "1.0: add them with 1.0 to mean that)");
    }
    return List.of(HostArray.ofFloats(new long[] {classes.length}, w));
  }

  /** Refuses {@code classWeight} for several outputs, or for an output whose loss gives not one value per sample. */
  static void requireClassWeightable(Model model, TrainingGraph training) {
    List<String> names = model.outputNames();
    if (names.size() != 1) {
      throw new IllegalArgumentException("`classWeight` is only supported for Models with a single output. "
          + "Received: a model with outputs " + names + "; pass `sampleWeight` with one array per output instead");
    }
    long[] expected = training.sampleWeightShape(0);
    if (expected == null || expected.length != 0) {
      throw new IllegalArgumentException("`classWeight` needs one loss value per sample. Output '" + names.get(0)
          + "' has loss values of per-sample shape "
          + (expected == null ? "unknown" : DataAdapter.shape(expected).replace("-1", "None"))
          + " (Keras multiplies its one weight per sample into them and fails, or with a batch as long as the "
          + "steps weighs steps by other samples' classes); pass `sampleWeight` instead");
    }
  }

  /** The class of each sample: ids as given, argmax of a one-hot row, or a rounded single value. */
  private static int[] classesOf(HostArray y) {
    long[] sample = y.sampleShape();
    if (!y.isFloat()) {
      if (sample.length != 0) {
        throw new IllegalArgumentException("`classWeight` needs one class id per sample. Received labels of shape "
            + DataAdapter.shape(y.shape()));
      }
      return y.ints();
    }
    if (sample.length != 1) {
      throw new IllegalArgumentException("`classWeight` needs class ids or one-hot labels of shape (samples, "
          + "classes). Received labels of shape " + DataAdapter.shape(y.shape()));
    }
    float[] v = y.floats();
    int row = (int) sample[0];
    int[] out = new int[y.samples()];
    for (int i = 0; i < out.length; i++) {
      if (row == 1) {
        out[i] = (int) Math.rint(v[i]); // numpy's round: half to even
      } else {
        int best = 0;
        for (int j = 1; j < row; j++) {
          if (v[i * row + j] > v[i * row + best]) {
            best = j; // numpy's argmax: the first of equal maxima
          }
        }
        out[i] = best;
      }
    }
    return out;
  }

  private static long[] concat(long first, long[] rest) {
    long[] out = new long[rest.length + 1];
    out[0] = first;
    System.arraycopy(rest, 0, out, 1, rest.length);
    return out;
  }
}
