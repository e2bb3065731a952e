package dev.kerasj.saving;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How Keras 3 addresses an object inside its own files, one rule shared by every format that follows Keras.
 *
 * <p>Keras 3's {@code .keras} archives and {@code .weights.h5} files never address a layer by its name (names are
 * generated and differ between two instances of one model). {@code keras/src/saving/saving_lib.py}
 * {@code _save_container_state} names each object of a container (a model's {@code layers}, a nested model's,
 * ...) by the snake case of its <em>class</em>, numbered in order within that container by
 * {@code _get_unique_name}: {@code dense}, {@code dense_1}, {@code conv2d}, {@code batch_normalization}. A layer named
 * {@code head} that is the model's second {@code Dense} lives under {@code layers/dense_1/vars/}.
 *
 * <pre>{@code
 * KerasPaths.containerNames(List.of("Dense", "BatchNormalization", "Dense"))
 *     // [dense, batch_normalization, dense_1]
 * }</pre>
 */
public final class KerasPaths {
  private static final Pattern NON_WORD = Pattern.compile("\\W+");
  private static final Pattern BEFORE_CAPITALISED_WORD = Pattern.compile("(.)([A-Z][a-z]+)");
  private static final Pattern LOWER_THEN_UPPER = Pattern.compile("([a-z])([A-Z])");

  private KerasPaths() {}

  /**
   * Keras' {@code naming.to_snake_case}: {@code Conv2D} → {@code conv2d}, {@code GlobalAveragePooling2D} →
   * {@code global_average_pooling2d}, {@code RMSprop} → {@code rm_sprop}, {@code AdamW} → {@code adam_w}.
   */
  public static String snakeCase(String className) {
    String s = NON_WORD.matcher(className).replaceAll("");
    s = BEFORE_CAPITALISED_WORD.matcher(s).replaceAll("$1_$2");
    s = LOWER_THEN_UPPER.matcher(s).replaceAll("$1_$2");
    return s.toLowerCase(Locale.ROOT);
  }

  /**
   * The names Keras gives the objects of one container, given their classes in the container's order: the snake
   * case of each class, the second object of a class suffixed {@code _1}, the third {@code _2} ...
   */
  public static List<String> containerNames(List<String> classNames) {
    Map<String, Integer> used = new HashMap<>();
    List<String> out = new ArrayList<>(classNames.size());
    for (String className : classNames) {
      String base = snakeCase(className);
      Integer n = used.get(base);
      if (n == null) {
        used.put(base, 0);
        out.add(base);
      } else {
        used.put(base, n + 1);
        out.add(base + "_" + (n + 1));
      }
    }
    return out;
  }

  /** Says how {@link #containerNames} named things, for error messages. */
  public static final String RULE = "Keras 3 addresses a layer by the snake case of its class, numbered per class in "
      + "layer order (layers/dense, layers/dense_1, layers/conv2d ...), never by its name (keras/src/saving/"
      + "saving_lib.py _save_container_state)";
}
