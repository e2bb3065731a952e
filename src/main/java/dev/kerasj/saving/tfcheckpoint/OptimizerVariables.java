package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.layers.Bidirectional;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Recurrent;
import dev.kerasj.layers.Weight;
import dev.kerasj.models.KerasModel;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.saving.KerasPaths;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The variables of a compiled model's optimizer in Keras 3's {@code optimizer.variables} order: iterations, learning
 * rate (only without a learning-rate schedule: Keras' optimizer built with a {@code LearningRateSchedule} has no
 * learning-rate variable, so kerasj's, unused then, is not saved), then with {@code use_ema} one moving average per
 * trainable weight ({@code adam/sequential_dense_kernel_average}), then with gradient accumulation one
 * accumulator per trainable weight ({@code adam/sequential_dense_kernel_gradient_accumulator}), then the slots in the order Keras creates them (Adam: m and v of the first weight, then of the second ...;
 * RMSprop: all velocities, then all momentums), then the optimizer's own scalars (Nadam's {@code u_product}). Both the TF checkpoint's {@code optimizer/_variables/k} and the
 * {@code .weights.h5} file's {@code optimizer/vars/k} are numbered this way.
 */
public final class OptimizerVariables {
  /**
   * One optimizer variable.
   *
   * @param name the variable's name in the model graph ({@code adam/dense_kernel_momentum})
   * @param kerasName Keras' variable path ({@code adam/sequential_dense_kernel_momentum})
   * @param slotAttribute the Keras attribute whose list holds a slot ({@code _momentums}) or that holds a scalar
   *     ({@code _u_product}), null for iterations and learning rate
   */
  public record Entry(String name, String kerasName, String slotAttribute) {}

  /** The {@link Entry#slotAttribute()} of a variable Keras tracks under no attribute, only in {@code _variables}. */
  public static final String ONLY_IN_VARIABLES = "";

  private OptimizerVariables() {}

  /**
   * The optimizer's variables of {@code model} in Keras' order; empty when the model is not compiled and built.
   *
   * @param graphVariables names of the model graph's variables (slots a setting leaves out, such as SGD momentums
   *     without momentum, are absent from the graph and skipped)
   * @throws IllegalArgumentException for an optimizer class with no known Keras layout
   */
  public static List<Entry> kerasOrder(KerasModel model, Set<String> graphVariables) {
    Optimizer optimizer = model.optimizer();
    if (optimizer == null || !graphVariables.contains(optimizer.name() + "/iterations")) {
      return List.of();
    }
    String scope = optimizer.name() + "/";
    String kerasScope = KerasPaths.snakeCase(optimizer.className()) + "/";
    List<Entry> out = new ArrayList<>();
    out.add(new Entry(scope + "iterations", kerasScope + "iteration", null));
    if (optimizer.learningRateSchedule() == null) {
      out.add(new Entry(scope + "learning_rate", kerasScope + "learning_rate", null));
    }
    List<KerasLayout.SlotList> kinds = KerasLayout.slotLists(optimizer);
    List<Weight> trainable = model.weights().stream().filter(Weight::trainable).toList();
    Map<Weight, String> paths = kerasPaths(model);
    // Keras' base build creates the EMA averages, then the gradient accumulators, before the optimizer's own slots;
    // they are tracked only in _variables (the base build does not track attributes).
    for (String kind : List.of("average", "gradient_accumulator")) {
      boolean on = kind.equals("average") ? optimizer.useEma() : optimizer.gradientAccumulationSteps() != null;
      for (Weight w : trainable) {
        String name = scope + w.layerName() + "_" + w.name() + "_" + kind;
        if (on && graphVariables.contains(name)) {
          out.add(new Entry(name, kerasScope + paths.get(w).replace('/', '_') + "_" + kind, ONLY_IN_VARIABLES));
        }
      }
    }
    for (int group = 0; group < kinds.size(); group++) {
      for (Weight w : trainable) {
        for (KerasLayout.SlotList list : kinds) {
          if (list.group() != group) {
            continue;
          }
          String name = scope + w.layerName() + "_" + w.name() + "_" + list.slot();
          if (graphVariables.contains(name)) {
            out.add(new Entry(name, kerasScope + paths.get(w).replace('/', '_') + "_" + list.slot(),
                list.attribute()));
          }
        }
      }
    }
    for (KerasLayout.ScalarVariable s : KerasLayout.scalars(optimizer)) {
      if (graphVariables.contains(scope + s.name())) {
        out.add(new Entry(scope + s.name(), kerasScope + s.kerasName(), s.attribute()));
      }
    }
    return out;
  }

  /**
   * Keras' {@code variable.path} of every weight of {@code model}: the layer name and the weight name, behind the
   * names of the Sequential models around the layer up to the first Functional one. Keras builds a Sequential's
   * layers inside its name scope ({@code sequential/dense/kernel}), but a Functional model's layers are built when
   * called on symbolic inputs, outside any model ({@code dense/kernel}, also inside a nested Functional encoder).
   */
  public static Map<Weight, String> kerasPaths(KerasModel model) {
    Map<Weight, String> out = new IdentityHashMap<>();
    addKerasPaths(model, model.isSequential() ? model.name() + "/" : "", out);
    return out;
  }

  private static void addKerasPaths(KerasModel model, String scope, Map<Weight, String> out) {
    for (Layer layer : model.layers()) {
      if (layer instanceof KerasModel nested) {
        addKerasPaths(nested, nested.isSequential() ? scope + nested.name() + "/" : "", out);
      } else if (layer instanceof Bidirectional bi) {
        for (Recurrent inner : List.of(bi.forwardLayer(), bi.backwardLayer())) {
          String owner = scope + layer.name() + "/" + inner.name() + "/" + inner.cellName();
          inner.weights().forEach(w -> out.putIfAbsent(w, owner + "/" + w.name()));
        }
      } else {
        String owner = scope + layer.name() + (layer instanceof Recurrent r ? "/" + r.cellName() : "");
        layer.weights().forEach(w -> out.putIfAbsent(w, owner + "/" + w.name()));
      }
    }
  }

  /**
   * The optimizer variables of {@code model}'s graph that Keras has no counterpart for and that files therefore leave
   * out: the learning-rate variable when the optimizer has a schedule (the schedule computes the rate from
   * {@code iterations}, so nothing is lost). Empty otherwise.
   *
   * @param graphVariables names of the model graph's variables
   */
  public static List<String> notSaved(KerasModel model, Set<String> graphVariables) {
    Optimizer optimizer = model.optimizer();
    String learningRate = optimizer == null ? null : optimizer.name() + "/learning_rate";
    if (learningRate == null || optimizer.learningRateSchedule() == null || !graphVariables.contains(learningRate)) {
      return List.of();
    }
    return List.of(learningRate);
  }
}
