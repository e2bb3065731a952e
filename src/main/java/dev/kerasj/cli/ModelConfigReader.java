package dev.kerasj.cli;

import dev.kerasj.Model;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one place the command line turns a Keras 3 model config ({@code config.json}, {@code model.to_json()}) into a
 * built {@link Model} (Sequential or Functional): {@code train --config} and {@code convert --config} go through it. A {@code .keras}
 * archive serves as well: its {@code config.json} is used (its weights are not).
 */
@FunctionalInterface
public interface ModelConfigReader {
  /**
   * A new, built model with the config's layers, compiled when the config has a {@code compile_config}.
   *
   * @param config a Keras 3 model config JSON file, or a {@code .keras} archive
   * @param seed seeds weight initialisation, dropout and shuffling
   */
  Model read(Path config, long seed) throws IOException;

  /**
   * kerasj's reader of Keras 3 configs, {@link Model#fromJson(Path, long)} (the parser {@code Model.load} uses);
   * it takes {@code model.to_json()} and {@code model.get_config()} output, Sequential or Functional, and refuses,
   * naming the layer and argument, what kerasj cannot rebuild exactly.
   */
  ModelConfigReader DEFAULT = Model::fromJson;
}
