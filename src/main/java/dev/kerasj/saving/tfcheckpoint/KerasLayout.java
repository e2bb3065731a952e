package dev.kerasj.saving.tfcheckpoint;

import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Weight;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.Optimizer;
import java.util.List;
import java.util.Map;

/**
 * The names Keras 3.15 gives its objects inside a TF object-based checkpoint, where they differ from kerasj's own.
 * Measured by writing {@code tf.train.Checkpoint(model=m, optimizer=m.optimizer)} for each layer and optimizer and
 * reading back its {@code _CHECKPOINTABLE_OBJECT_GRAPH} (see DESIGN.md section 4). These are per layer class and per
 * optimizer class, never per architecture: the keys themselves are derived from the model.
 */
final class KerasLayout {
  /** Empty trackable children of Keras' inner {@code Functional}, in Keras' order, before {@code _operations}. */
  static final List<String> FUNCTIONAL_EMPTY_CHILDREN = List.of(
      "_tracked", "_inbound_nodes", "_outbound_nodes", "_losses", "_losses_override", "call_signature_parameters",
      "_call_has_context_arg");

  /** Keras stores these weights under a private attribute (it wraps them for LoRA and quantization). */
  private static final Map<String, Map<String, String>> PRIVATE_ATTRIBUTES = Map.of(
      "Dense", Map.of("kernel", "_kernel"),
      "Conv1D", Map.of("kernel", "_kernel"),
      "Conv2D", Map.of("kernel", "_kernel"),
      "Embedding", Map.of("embeddings", "_embeddings"));

  /**
   * Layers whose weights Keras tracks inside sublayers: the layer node's children in Keras' order (empty ones
   * included, or Python's {@code assert_consumed()} finds unmatched objects), and which child holds the weights whose
   * kerasj name starts with each prefix ({@code query/kernel} is {@code _query_dense/_kernel}).
   */
  private static final Map<String, List<String>> SUBLAYER_CHILDREN = Map.of("MultiHeadAttention",
      List.of("_query_dense", "_key_dense", "_value_dense", "_softmax", "_dropout_layer", "_output_dense"));
  private static final Map<String, String> SUBLAYER_OF_PREFIX = Map.of("query", "_query_dense", "key", "_key_dense",
      "value", "_value_dense", "attention_output", "_output_dense");

  /**
   * One optimizer slot list: the attribute holding it, the slot name kerasj's optimizer gives its variables, and its
   * creation group. Lists of one group are created by one {@code add_optimizer_variables(vars, [names])} call, which
   * interleaves them per model variable (Adam: m0, v0, m1, v1 ...); groups follow each other (RMSprop: all
   * velocities, then all momentums). That order is the order of {@code optimizer/_variables/k}.
   */
  record SlotList(String attribute, String slot, int group) {}

  /**
   * Slot lists of each Keras optimizer, in the order Keras assigns (and so tracks) them. A list exists even when the
   * optimizer's settings leave it empty (SGD without momentum still tracks an empty {@code momentums}).
   */
  private static final Map<String, List<SlotList>> SLOT_LISTS = Map.of(
      "Adam", List.of(new SlotList("_momentums", "momentum", 0), new SlotList("_velocities", "velocity", 0)),
      "AdamW", List.of(new SlotList("_momentums", "momentum", 0), new SlotList("_velocities", "velocity", 0)),
      "SGD", List.of(new SlotList("momentums", "momentum", 0)),
      "RMSprop", List.of(new SlotList("_velocities", "velocity", 0), new SlotList("_momentums", "momentum", 1),
          new SlotList("_average_gradients", "average_gradient", 2)),
      "Adagrad", List.of(new SlotList("_accumulators", "accumulator", 0)),
      "Adamax", List.of(new SlotList("_m", "momentum", 0), new SlotList("_u", "norm", 0)),
      "Adadelta", List.of(new SlotList("_accumulated_grads", "accumulated_grad", 0),
          new SlotList("_accumulated_delta_vars", "accumulated_delta_var", 0)),
      "Ftrl", List.of(new SlotList("_accumulators", "accumulator", 0), new SlotList("_linears", "linear", 0)),
      "Lion", List.of(new SlotList("_momentums", "momentum", 0)),
      "Nadam", List.of(new SlotList("_momentums", "momentum", 0), new SlotList("_velocities", "velocity", 0)));

  /**
   * A scalar variable of the optimizer itself, tracked under its own {@code attribute} and also listed last in
   * {@code optimizer.variables} (Nadam's {@code _u_product}, whose Keras path is {@code nadam/variable}).
   *
   * @param name kerasj's variable name under the optimizer scope
   * @param kerasName Keras' variable name under the optimizer scope
   */
  record ScalarVariable(String attribute, String name, String kerasName) {}

  private static final Map<String, List<ScalarVariable>> SCALARS = Map.of(
      "Nadam", List.of(new ScalarVariable("_u_product", "u_product", "variable")));

  /** The scalar variables of {@code optimizer}, in Keras' creation order; empty for most optimizers. */
  static List<ScalarVariable> scalars(Optimizer optimizer) {
    return SCALARS.getOrDefault(optimizer.className(), List.of());
  }

  /** Adam's and AdamW's {@code amsgrad} list: only set (so only tracked) when amsgrad is on, after m and v. */
  private static final SlotList VELOCITY_HATS = new SlotList("_velocity_hats", "velocity_hat", 1);

  private KerasLayout() {}

  /** The attribute under which Keras tracks {@code weight} of {@code layer}: {@code _kernel}, {@code bias} ... */
  static String attribute(Layer layer, Weight weight) {
    int slash = weight.name().indexOf('/');
    if (slash > 0 && SUBLAYER_CHILDREN.containsKey(layer.className())) { // an EinsumDense: _kernel, bias
      String attr = weight.name().substring(slash + 1);
      return SUBLAYER_OF_PREFIX.get(weight.name().substring(0, slash)) + "/"
          + (attr.equals("kernel") ? "_kernel" : attr);
    }
    return PRIVATE_ATTRIBUTES.getOrDefault(layer.className(), Map.of()).getOrDefault(weight.name(), weight.name());
  }

  /** The children Keras tracks under {@code layer}'s node before its weights: its sublayers, or none. */
  static List<String> sublayerChildren(Layer layer) {
    return SUBLAYER_CHILDREN.getOrDefault(layer.className(), List.of());
  }

  /** Slot lists of {@code optimizer}, or an {@link IllegalArgumentException} naming the optimizer class. */
  static List<SlotList> slotLists(Optimizer optimizer) {
    List<SlotList> lists = SLOT_LISTS.get(optimizer.className());
    if (lists == null) {
      throw new IllegalArgumentException("No Keras checkpoint layout is known for optimizer class '"
          + optimizer.className() + "'. Known: " + SLOT_LISTS.keySet());
    }
    if (optimizer instanceof Adam adam && adam.amsgrad()) {
      List<SlotList> withHats = new java.util.ArrayList<>(lists);
      withHats.add(VELOCITY_HATS);
      return List.copyOf(withHats);
    }
    return lists;
  }
}
