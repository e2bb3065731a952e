package dev.kerasj.saving.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import java.nio.file.Path;

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
    return FunctionalConfig.toJson(model, learningRate);
  }

  /**
   * A new, built model from a Keras 3 config ({@code model.to_json()} or {@code model.get_config()} output): a
   * {@link Sequential} for a Sequential config, a Functional {@link Model} otherwise; compiled when the config holds
   * a {@code compile_config}.
   *
   * @param source the file it came from, for error messages; may be null
   * @param seed null draws a random one
   * @param device a TensorFlow device, or null
   */
  public static Model newModel(JsonNode root, Path source, Long seed, String device) {
    if (FunctionalConfig.isFunctional(root)) {
      return FunctionalConfig.newModel(root, source, seed, device);
    }
    SequentialConfig.Spec spec = SequentialConfig.parse(root, source);
    return device == null ? spec.newModel(seed) : spec.newModel(seed == null
        ? java.util.concurrent.ThreadLocalRandom.current().nextLong() : seed, device);
  }
}
