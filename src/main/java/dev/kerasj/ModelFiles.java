package dev.kerasj;

import java.util.Map;

/**
 * The one place a {@link Model} reaches its file formats: the file name picks the format, as in Keras 3
 * ({@code .keras}, {@code .weights.h5}, else a TF checkpoint prefix or a SavedModel directory), and Keras configs
 * are read from JSON text, files and archives here.
 */
final class ModelFiles {
  private ModelFiles() {}

  static void saveWeights(Model model, java.nio.file.Path path) throws java.io.IOException {
    if (isKerasWeightsFile(path)) {
      dev.kerasj.saving.keras.KerasWeights.write(model, path);
    } else {
      dev.kerasj.saving.tfcheckpoint.TfCheckpoint.write(model, path);
    }
  }

  static void loadWeights(Model model, java.nio.file.Path path) throws java.io.IOException {
    if (isKerasWeightsFile(path)) {
      dev.kerasj.saving.keras.KerasWeights.restore(model, path);
    } else {
      dev.kerasj.saving.tfcheckpoint.TfCheckpoint.restore(model, path);
    }
  }

  static void save(Model model, java.nio.file.Path path) throws java.io.IOException {
    if (isKerasArchive(path)) {
      dev.kerasj.saving.keras.KerasArchive.write(model, path);
    } else {
      rejectLegacyH5(path);
      dev.kerasj.saving.savedmodel.SavedModelWriter.write(model, path);
    }
  }

  static Model load(java.nio.file.Path path) throws java.io.IOException {
    if (isKerasArchive(path)) {
      return dev.kerasj.saving.keras.KerasArchive.readModel(path);
    }
    rejectLegacyH5(path);
    return dev.kerasj.saving.savedmodel.SavedModelLoader.loadModel(path);
  }

  static boolean isKerasArchive(java.nio.file.Path path) {
    return path.getFileName() != null
        && path.getFileName().toString().endsWith(dev.kerasj.saving.keras.KerasArchive.SUFFIX);
  }

  static boolean isKerasWeightsFile(java.nio.file.Path path) {
    if (path.getFileName() == null) {
      return false;
    }
    String name = path.getFileName().toString();
    if (name.endsWith(".h5") && !name.endsWith(dev.kerasj.saving.keras.KerasWeights.SUFFIX)) {
      throw new IllegalArgumentException("Keras 2's legacy .h5 format is not supported; Keras 3 weights files end "
          + "in .weights.h5. Received: " + path);
    }
    return name.endsWith(dev.kerasj.saving.keras.KerasWeights.SUFFIX);
  }

  static void rejectLegacyH5(java.nio.file.Path path) {
    if (path.getFileName() != null && path.getFileName().toString().endsWith(".h5")) {
      throw new IllegalArgumentException("A full model is saved as a .keras archive or a SavedModel directory; "
          + "Keras 2's legacy .h5 format is not supported. Received: " + path);
    }
  }

  static com.fasterxml.jackson.databind.JsonNode parseConfigText(String json) {
    if (json == null) {
      throw new IllegalArgumentException("Expected a Keras model config as JSON. Received: null");
    }
    try {
      return dev.kerasj.saving.keras.KerasJson.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException e) {
      throw new dev.kerasj.saving.IncompatibleModelException(null, "The model config is not JSON: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  static com.fasterxml.jackson.databind.JsonNode readConfigFile(java.nio.file.Path file) throws java.io.IOException {
    if (isKerasArchive(file)) {
      return dev.kerasj.saving.keras.KerasFileContents.read(file).config();
    }
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null, "expected a Keras model config JSON file");
    }
    try {
      return dev.kerasj.saving.keras.KerasJson.parse(java.nio.file.Files.readAllBytes(file));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new dev.kerasj.saving.IncompatibleModelException(file, file + " is not JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  static com.fasterxml.jackson.databind.JsonNode configTree(Map<String, ?> config) {
    if (config == null) {
      throw new IllegalArgumentException("Expected a Keras model config. Received: null");
    }
    try {
      return dev.kerasj.saving.keras.KerasJson.mapper().valueToTree(config);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("A Keras model config holds only maps, lists, strings, numbers, booleans "
          + "and nulls: " + e.getMessage(), e);
    }
  }

}
