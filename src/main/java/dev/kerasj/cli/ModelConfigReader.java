package dev.kerasj.cli;

import dev.kerasj.Sequential;
import dev.kerasj.saving.keras.SequentialConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one place the command line turns a Keras 3 model config ({@code config.json}, {@code model.to_json()}) into a
 * built {@link Sequential}: {@code train --config} and {@code convert --config} go through it. A {@code .keras}
 * archive serves as well: its {@code config.json} is used (its weights are not).
 */
@FunctionalInterface
public interface ModelConfigReader {
  /**
   * A new, built model with the config's layers, compiled when the config has a {@code compile_config}.
   *
   * @param config a Keras 3 Sequential config JSON file, or a {@code .keras} archive
   * @param seed seeds weight initialisation, dropout and shuffling
   */
  Sequential read(Path config, long seed) throws IOException;

  /**
   * kerasj's reader of Keras 3 Sequential configs, {@link Sequential#fromJson(Path, long)} (through
   * {@link SequentialConfig}, the one {@code Sequential.load} uses for a SavedModel's {@code assets/config.json});
   * it takes {@code model.to_json()} and {@code model.get_config()} output and refuses, naming the layer and
   * argument, what kerasj cannot rebuild exactly.
   */
  ModelConfigReader DEFAULT = Sequential::fromJson;
}
