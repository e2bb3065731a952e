package dev.kerasj.saving;

import java.util.Map;

/**
 * Keras' {@code get_config()} for a user's own layer, loss or metric: the arguments that rebuild it, which kerasj
 * writes into {@code .keras} files and SavedModels and hands back to the factory given to
 * {@link CustomObjects#register}.
 *
 * <pre>{@code
 * public Map<String, Object> getConfig() {
 *   return Map.of("units", units, "factor", factor);
 * }
 * }</pre>
 *
 * <p>Values are JSON values: {@code Number}, {@code String}, {@code Boolean}, {@code null}, and {@code List}s and
 * {@code Map}s (string keys) of them. Leave out what kerasj writes itself: a layer's {@code name}, {@code trainable}
 * and {@code dtype} (Keras' base {@code Layer.get_config}), a loss's {@code name} and {@code reduction}
 * ({@code Loss.get_config}), a metric's {@code name} and {@code dtype} ({@code Metric.get_config}); a value given
 * here for one of these keys replaces kerasj's.
 */
public interface KerasSerializable {
  /** The arguments that rebuild this object, as JSON values. */
  Map<String, Object> getConfig();
}
