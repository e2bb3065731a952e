package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;

/** The Keras 3 config of any {@link Model}: the one place that tells Sequential and Functional configs apart. */
public final class ModelConfigs {
  private ModelConfigs() {}

  /**
   * Writes the config of a built model, as Keras 3.15's {@code model.to_json()} does.
   *
   * @param learningRate the optimizer's current learning rate; ignored when not compiled
   */
  public static ObjectNode toJson(Model model, double learningRate) {
    if (model instanceof Sequential s) {
      return SequentialConfig.toJson(s, learningRate);
    }
    return SequentialConfig.toJson(requireSequential(model, "a Keras config"), learningRate);
  }

  /**
   * The model as a {@link Sequential}, for the formats that write only those yet.
   *
   * @throws UnsupportedOperationException naming the format, for a Functional model
   */
  public static Sequential requireSequential(Model model, String format) {
    if (model == null) {
      return null; // the caller reports the missing model
    }
    if (model instanceof Sequential s) {
      return s;
    }
    throw new UnsupportedOperationException("kerasj writes " + format + " for Sequential models only so far; model '"
        + model.name() + "' is " + model.className());
  }
}
