package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.ModelFactory;
import java.nio.file.Path;

/** The Keras 3 config of any {@link KerasModel}: the one place that tells Sequential and Functional configs apart. */
public final class ModelConfigs {
  private ModelConfigs() {}

  /**
   * Writes the config of a built model, as Keras 3.15's {@code model.to_json()} does.
   *
   * @param learningRate the optimizer's current learning rate; ignored when not compiled
   */
  public static ObjectNode toJson(KerasModel model, double learningRate) {
    if (model.className().equals(SequentialConfig.CLASS_NAME)) {
      return SequentialConfig.toJson(model, learningRate);
    }
    return FunctionalConfig.toJson(model, learningRate);
  }

  /**
   * A new, built model from a Keras 3 config ({@code model.to_json()} or {@code model.get_config()} output): a
   * Sequential for a Sequential config, a Functional model otherwise, both made by {@code factory}; compiled when the
   * config holds a {@code compile_config}.
   *
   * @param source the file it came from, for error messages; may be null
   * @param seed null draws a random one
   * @param device a TensorFlow device, or null
   * @param factory makes the models ({@code Model.fromJson} and {@code Model.load} pass theirs)
   */
  public static KerasModel newModel(JsonNode root, Path source, Long seed, String device, ModelFactory factory) {
    if (FunctionalConfig.isFunctional(root)) {
      return FunctionalConfig.newModel(root, source, seed, device, factory);
    }
    return SequentialConfig.parse(root, source).newModel(seed, device, factory);
  }
}
