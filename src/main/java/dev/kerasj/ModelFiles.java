package dev.kerasj;

import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.ModelFactory;
import dev.kerasj.saving.FileFormat;
import java.util.List;
import java.util.Map;

/**
 * The one place a {@link Model} reaches its file formats: {@link FileFormat} picks the format from the file name, as in
 * Keras 3 ({@code .keras}, {@code .weights.h5}, else a TF checkpoint prefix or a SavedModel directory), and Keras configs
 * are read from JSON text, files and archives here. The formats sit below this package: they see a model through
 * {@link KerasModel} and make the models they read with {@link #FACTORY}.
 */
final class ModelFiles {
  private ModelFiles() {}

  /** How the formats make and compile the Sequential and Functional models they read. */
  static final ModelFactory FACTORY = new ModelFactory() {
    @Override
    public KerasModel sequential(String name, List<Layer> layers) {
      return new Sequential(name, layers.toArray(Layer[]::new));
    }

    @Override
    public KerasModel functional(String name, List<KerasTensor> inputs, List<KerasTensor> outputs) {
      return new Model(name, inputs, outputs);
    }

    @Override
    public void compile(KerasModel model, Object optimizer, Object loss, Object lossWeights, Object metrics) {
      ((Model) model).compile(CompileOptions.builder(optimizer, loss).lossWeights(lossWeights).metrics(metrics)
          .build());
    }

    @Override
    public void compile(KerasModel model, Object optimizer, Object loss, Object lossWeights, Object metrics,
        Object weightedMetrics) {
      ((Model) model).compile(CompileOptions.builder(optimizer, loss).lossWeights(lossWeights).metrics(metrics)
          .weightedMetrics(weightedMetrics).build());
    }
  };

  /** A model the formats made with {@link #FACTORY}: always a {@link Model}. */
  static Model model(KerasModel made) {
    return (Model) made;
  }

  /** A new model from a Keras config tree (see {@link Model#fromJson(String)}). */
  static Model fromConfig(com.fasterxml.jackson.databind.JsonNode config, java.nio.file.Path source, Long seed) {
    return model(dev.kerasj.saving.keras.ModelConfigs.newModel(config, source, seed, null, FACTORY));
  }

  /** A new Sequential from a Keras Sequential config tree (see {@link Sequential#fromJson(String)}). */
  static Sequential sequentialFromConfig(com.fasterxml.jackson.databind.JsonNode config, java.nio.file.Path source,
      Long seed) {
    return (Sequential) dev.kerasj.saving.keras.SequentialConfig.parse(config, source).newModel(seed, null, FACTORY);
  }

  static void saveWeights(Model model, java.nio.file.Path path) throws java.io.IOException {
    switch (FileFormat.forWeights(path)) {
      case WEIGHTS_H5 -> dev.kerasj.saving.keras.KerasWeights.write(model, path);
      default -> dev.kerasj.saving.tfcheckpoint.TfCheckpoint.write(model, path);
    }
  }

  static void loadWeights(Model model, java.nio.file.Path path) throws java.io.IOException {
    switch (FileFormat.forWeights(path)) {
      case WEIGHTS_H5 -> dev.kerasj.saving.keras.KerasWeights.restore(model, path);
      default -> dev.kerasj.saving.tfcheckpoint.TfCheckpoint.restore(model, path);
    }
  }

  static void save(Model model, java.nio.file.Path path) throws java.io.IOException {
    switch (FileFormat.forModel(path)) {
      case KERAS -> dev.kerasj.saving.keras.KerasArchive.write(model, path);
      default -> dev.kerasj.saving.savedmodel.SavedModelWriter.write(model, path);
    }
  }

  static Model load(java.nio.file.Path path, String device) throws java.io.IOException {
    FileFormat format = FileFormat.forModel(path);
    if (device != null) {
      dev.kerasj.internal.ModelGraph.checkDevice(device);
    }
    return model(switch (format) {
      case KERAS -> dev.kerasj.saving.keras.KerasArchive.readModel(path,
          dev.kerasj.saving.keras.KerasArchive.Limits.DEFAULT, device, FACTORY);
      default -> dev.kerasj.saving.savedmodel.SavedModelLoader.loadModel(path, device, FACTORY);
    });
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
    if (file.getFileName() != null && file.getFileName().toString().endsWith(FileFormat.KERAS_SUFFIX)) {
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
