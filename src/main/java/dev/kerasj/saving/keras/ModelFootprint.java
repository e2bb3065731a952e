package dev.kerasj.saving.keras;

import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.MemoryBudget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a model described by a config will hold, found from the config alone (shapes inferred layer by layer, each
 * layer's weights listed without creating them), so that a config too large for this JVM, or whose sizes overflow,
 * is refused before any graph, variable or initial value exists.
 *
 * @param layers every layer after the input, in order
 * @param params weights of all layers, in elements
 * @param trainableParams the weights the optimizer updates (it keeps {@code slotsPerVariable} slots for each)
 * @param optimizer the optimizer's Keras class, or null when the config is not compiled
 */
record ModelFootprint(List<LayerSize> layers, long params, long trainableParams, int slotsPerVariable,
    String optimizer) {

  /** One layer's weights, in elements. */
  record LayerSize(String name, String className, long params) {}

  ModelFootprint {
    layers = List.copyOf(layers);
  }

  /**
   * Infers the shapes and weights of {@code layers} on {@code input}.
   *
   * @throws IncompatibleModelException naming the layer: a shape it cannot take, a size that overflows, a weight
   *     larger than a Java array, a sample larger than a Java array
   */
  static ModelFootprint of(Input input, List<Layer> layers, Optimizer optimizer, Path source) {
    long[] shape = input.declaredInputShape();
    checkSample("the input", shape, source);
    List<LayerSize> sizes = new ArrayList<>();
    long params = 0;
    long trainable = 0;
    for (Layer layer : layers) {
      String where = "layer '" + (layer.name() == null ? layer.defaultNamePrefix() : layer.name()) + "' ("
          + layer.className() + ")";
      long own = 0;
      try {
        long[] out = layer.computeOutputShape(shape);
        for (Layer.WeightShape w : layer.weightShapes(shape)) {
          long n = elements(w.shape());
          if (n > MemoryBudget.MAX_ARRAY_LENGTH) {
            throw fail(source, where + ": weight '" + w.name() + "' of shape " + Arrays.toString(w.shape()) + " has "
                + count(n) + " values; a weight holds at most " + count(MemoryBudget.MAX_ARRAY_LENGTH)
                + " (the largest Java array)");
          }
          own = Math.addExact(own, n);
          if (w.trainable()) {
            trainable = Math.addExact(trainable, n);
          }
        }
        shape = out;
      } catch (ArithmeticException e) {
        throw fail(source, where + ": its weight or output sizes overflow a 64-bit count (input shape "
            + Layer.formatShape(shape) + ")");
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // Shape errors already name the layer ("Layer 'conv' (Conv2D) expects ...").
        throw fail(source, e.getMessage().startsWith("Layer '") ? e.getMessage() : where + ": " + e.getMessage());
      }
      checkSample(where + "'s output", shape, source);
      params = addOrFail(params, own, where, source);
      sizes.add(new LayerSize(layer.name(), layer.className(), own));
    }
    int slots = optimizer == null ? 0 : optimizer.slotsPerVariable();
    return new ModelFootprint(sizes, params, trainable, slots, optimizer == null ? null : optimizer.className());
  }

  /**
   * The weights of a Functional model that is connected but not built: each layer's weights once (a shared layer's
   * too), nested models' layers included, from the shapes its calls recorded; nothing is allocated.
   *
   * @throws IncompatibleModelException naming the layer, for a weight larger than a Java array or a size that
   *     overflows
   */
  static ModelFootprint of(dev.kerasj.models.KerasModel model, Optimizer optimizer, Path source) {
    List<LayerSize> sizes = new ArrayList<>();
    long[] totals = new long[2]; // params, trainable params
    addLayers(model, sizes, totals, source);
    int slots = optimizer == null ? 0 : optimizer.slotsPerVariable();
    return new ModelFootprint(sizes, totals[0], totals[1], slots, optimizer == null ? null : optimizer.className());
  }

  private static void addLayers(dev.kerasj.models.KerasModel model, List<LayerSize> sizes, long[] totals, Path source) {
    for (Layer layer : model.layers()) {
      if (layer instanceof Input) {
        continue;
      }
      if (layer instanceof dev.kerasj.models.KerasModel nested) {
        addLayers(nested, sizes, totals, source);
        continue;
      }
      String where = "layer '" + layer.name() + "' (" + layer.className() + ")";
      long own = 0;
      try {
        for (Layer.WeightShape w : layer.weightShapes(layer.inputShapes())) {
          long n = elements(w.shape());
          if (n > MemoryBudget.MAX_ARRAY_LENGTH) {
            throw fail(source, where + ": weight '" + w.name() + "' of shape " + Arrays.toString(w.shape()) + " has "
                + count(n) + " values; a weight holds at most " + count(MemoryBudget.MAX_ARRAY_LENGTH)
                + " (the largest Java array)");
          }
          own = Math.addExact(own, n);
          if (w.trainable() && layer.trainable()) {
            totals[1] = Math.addExact(totals[1], n);
          }
        }
      } catch (ArithmeticException e) {
        throw fail(source, where + ": its weight sizes overflow a 64-bit count");
      }
      totals[0] = addOrFail(totals[0], own, where, source);
      sizes.add(new LayerSize(layer.name(), layer.className(), own));
    }
  }

  /** Bytes of every variable the model holds: weights and optimizer slots, float32. Saturates at Long.MAX_VALUE. */
  long variableBytes() {
    return saturatingMultiply(saturatingAdd(params, saturatingMultiply(trainableParams, slotsPerVariable)), 4);
  }

  /** Peak heap kerasj needs to load the model: {@link #variableBytes()} x {@link MemoryBudget#LOAD_FACTOR}. */
  long heapBytes() {
    return saturatingMultiply(variableBytes(), MemoryBudget.LOAD_FACTOR);
  }

  /** The layer with the most weights, or null for a model without any. */
  LayerSize largest() {
    LayerSize best = null;
    for (LayerSize l : layers) {
      if (l.params() > 0 && (best == null || l.params() > best.params())) {
        best = l;
      }
    }
    return best;
  }

  /**
   * Refuses a model whose {@link #heapBytes()} exceed {@code budget}, naming its largest layer.
   *
   * @param budgetText where the budget comes from ({@link MemoryBudget#describe()})
   */
  void checkBudget(long budget, String budgetText, Path source) {
    if (heapBytes() <= budget) {
      return;
    }
    LayerSize big = largest();
    String layer = big == null ? "" : "layer '" + big.name() + "' (" + big.className() + ") has "
        + count(big.params()) + " parameters (" + MemoryBudget.format(bytes(big.params())) + " of float32); ";
    throw fail(source, "the model is too large for this JVM's memory budget: " + layer + "the model has "
        + count(params) + " parameters" + slotsText() + ", "
        + MemoryBudget.format(variableBytes()) + ", and loading it needs " + MemoryBudget.format(heapBytes())
        + " of heap (x" + MemoryBudget.LOAD_FACTOR + ": initial values and values read are held on the heap while "
        + "they are assigned). Budget: " + budgetText);
  }

  private String slotsText() {
    if (optimizer == null || slotsPerVariable == 0) {
      return "";
    }
    return " + " + count(saturatingMultiply(trainableParams, slotsPerVariable)) + " " + optimizer
        + " slot values (" + slotsPerVariable + " per trainable weight)";
  }

  static long bytes(long elements) {
    return saturatingMultiply(elements, 4);
  }

  /** {@code 1,234,567}. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** A sample must fit in one Java array to be fed or fetched at all. */
  private static void checkSample(String what, long[] shape, Path source) {
    long n;
    try {
      n = elements(shape);
    } catch (ArithmeticException e) {
      n = Long.MAX_VALUE;
    }
    if (n > MemoryBudget.MAX_ARRAY_LENGTH) {
      throw fail(source, what + " " + Layer.formatShape(shape) + " has " + (n == Long.MAX_VALUE ? "more than 2^63"
          : count(n)) + " values per sample; kerasj feeds and fetches at most " + count(MemoryBudget.MAX_ARRAY_LENGTH)
          + " per batch (the largest Java array)");
    }
  }

  private static long addOrFail(long total, long n, String where, Path source) {
    try {
      return Math.addExact(total, n);
    } catch (ArithmeticException e) {
      throw fail(source, "the parameter count overflows a 64-bit count at " + where);
    }
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private static long saturatingMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
  }

  private static IncompatibleModelException fail(Path source, String message) {
    return new IncompatibleModelException(source, "Cannot rebuild the model from "
        + (source == null ? "its config" : source) + ": " + message);
  }
}
