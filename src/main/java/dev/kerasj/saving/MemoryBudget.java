package dev.kerasj.saving;

import java.util.Locale;

/**
 * How much a model or file that comes from elsewhere may make kerasj allocate, checked from what it declares before
 * anything is allocated: a {@code .keras} archive, a Keras config ({@code Sequential.fromJson}, a SavedModel's
 * {@code assets/config.json}), a {@code .weights.h5} file.
 *
 * <ul>
 *   <li><b>Heap budget</b>: {@code -Dkerasj.memoryBudget=<bytes>[k|m|g|t]} (binary units, as {@code -Xmx}); by
 *       default {@link #DEFAULT_HEAP_FRACTION half} of {@link Runtime#maxMemory()}. A model from a config is refused
 *       when its variables (weights and optimizer slots, 4 bytes each) times {@link #LOAD_FACTOR} exceed it; a
 *       {@code .keras} archive's weights member and an HDF5 dataset larger than the budget allows are refused before
 *       they are read.</li>
 *   <li><b>Layers</b>: {@code -Dkerasj.maxLayers=<n>}, by default {@link #DEFAULT_MAX_LAYERS}: a config with more
 *       layers is refused before any layer is built, since every layer adds graph ops whose build time grows with
 *       the model.</li>
 * </ul>
 *
 * <p>Both properties are read at each check, so a service may change them at run time.
 */
public final class MemoryBudget {
  /** System property overriding the heap budget, in bytes with an optional {@code k}, {@code m}, {@code g}, {@code t}. */
  public static final String PROPERTY = "kerasj.memoryBudget";
  /** System property overriding {@link #DEFAULT_MAX_LAYERS}. */
  public static final String MAX_LAYERS_PROPERTY = "kerasj.maxLayers";
  /** Share of {@link Runtime#maxMemory()} that is the budget when {@link #PROPERTY} is not set. */
  public static final double DEFAULT_HEAP_FRACTION = 0.5;
  /**
   * Layers a config may have when {@link #MAX_LAYERS_PROPERTY} is not set. Measured on a 2-core machine: 1000
   * Dense(64) layers take ~20 s to build and compile; Keras has no such limit.
   */
  public static final int DEFAULT_MAX_LAYERS = 1024;
  /**
   * Peak heap bytes kerasj holds per byte of a model's variables (float32 weights and optimizer slots) while it loads
   * one: every initial value is generated on the heap before the variables are assigned, and a {@code .keras}
   * archive's weights member stays in memory while the values read from it are assigned. Measured as the smallest
   * {@code -Xmx} that loads a 25M-parameter Dense(5000) model: with SGD (95 MiB of variables) 120 MiB from its
   * config, 210 MiB from its {@code .keras}; with Adam (286 MiB: weights and two slots) 340 MiB and 600 MiB; a tiny
   * model needs 24 MiB. So 1.0-1.1 for a config alone and 2.0 for a {@code .keras} archive; the budget uses 2 for
   * every load.
   */
  public static final int LOAD_FACTOR = 2;
  /** The most elements one weight may have: the length of the largest Java array. */
  public static final int MAX_ARRAY_LENGTH = dev.kerasj.internal.HostArray.MAX_LENGTH;

  private MemoryBudget() {}

  /** The heap budget in bytes: {@link #PROPERTY}, or {@link #DEFAULT_HEAP_FRACTION} of the maximum heap. */
  public static long bytes() {
    String value = System.getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      return (long) (Runtime.getRuntime().maxMemory() * DEFAULT_HEAP_FRACTION);
    }
    return parseBytes(value);
  }

  /** The most layers a config may have: {@link #MAX_LAYERS_PROPERTY}, or {@link #DEFAULT_MAX_LAYERS}. */
  public static int maxLayers() {
    String value = System.getProperty(MAX_LAYERS_PROPERTY);
    if (value == null || value.isBlank()) {
      return DEFAULT_MAX_LAYERS;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("Expected -D" + MAX_LAYERS_PROPERTY + " to be a positive integer. Received: "
        + value);
  }

  /** Where the budget comes from, for error messages: the property, or the share of the maximum heap. */
  public static String describe() {
    String value = System.getProperty(PROPERTY);
    if (value != null && !value.isBlank()) {
      return format(bytes()) + " (-D" + PROPERTY + "=" + value.trim() + ")";
    }
    return format(bytes()) + " (half of the maximum heap, -Xmx " + format(Runtime.getRuntime().maxMemory())
        + "; raise -Xmx or set -D" + PROPERTY + "=<bytes> for a file you trust)";
  }

  /** {@code 123456}, {@code 512m}, {@code 4g} ... (binary units, case-insensitive) as bytes. */
  static long parseBytes(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    int shift = 0;
    if (!v.isEmpty()) {
      switch (v.charAt(v.length() - 1)) {
        case 'k' -> shift = 10;
        case 'm' -> shift = 20;
        case 'g' -> shift = 30;
        case 't' -> shift = 40;
        default -> shift = 0;
      }
    }
    String digits = shift == 0 ? v : v.substring(0, v.length() - 1);
    try {
      long n = Long.parseLong(digits);
      if (n > 0 && n <= Long.MAX_VALUE >> shift) {
        return n << shift;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("Expected -D" + PROPERTY + " to be a positive number of bytes such as "
        + "536870912, 512m or 4g. Received: " + value);
  }

  /** Bytes for people: {@code 812 B}, {@code 64.0 KiB}, {@code 1.5 GiB}. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
