package dev.kerasj.saving.savedmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.models.KerasModel;
import dev.kerasj.models.ModelFactory;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.RegularFiles;
import dev.kerasj.saving.Sha256Manifest;
import dev.kerasj.saving.keras.KerasJson;
import dev.kerasj.saving.keras.ModelConfigs;
import dev.kerasj.saving.tfcheckpoint.CheckpointContents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.family.TType;

/**
 * Rebuilds a trainable model (Sequential or Functional) from a SavedModel that {@link SavedModelWriter} wrote, for
 * {@code Model.load} and {@code Sequential.load}: layers and compile
 * settings from {@code assets/config.json}, seed from {@code assets/kerasj.json}, then every variable (weights,
 * optimizer slots, {@code iterations}, {@code learning_rate}) from {@code variables/} with TensorFlow's
 * {@code RestoreV2}, whose crc32c checks catch damaged files. Training continues exactly where it stopped:
 *
 * <pre>{@code
 * try (Sequential model = Sequential.load(dir)) {
 *   int done = SavedModelLoader.readTrainingState(dir).epoch();
 *   model.fit(x, y, FitOptions.builder().epochs(10).initialEpoch(done).build());
 * }
 * }</pre>
 *
 * <p>SavedModels written by Python ({@code model.export()}, {@code tf.saved_model.save}) carry no Keras config, so
 * they cannot become kerasj models; serve them with TF Java's {@code SavedModelBundle.load(dir, "serve")} instead.
 *
 * <p>If {@code dir} is missing because a replace was interrupted by a crash, the complete previous copy left next
 * to it is read instead (see {@link SavedModelDirectory}); nothing on disk is changed by loading.
 */
public final class SavedModelLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SavedModelLoader.class);
  private SavedModelLoader() {}

  /**
   * Loads a Sequential or Functional model, placing it on {@code device} (such as {@code "/GPU:0"}, or null for the
   * default). Users call {@code Model.load} or {@code Sequential.load}, which pass their factory.
   *
   * @param factory makes the Sequential or Functional model the config describes
   * @throws IncompatibleModelException not a SavedModel, not written by kerasj, or a config kerasj cannot rebuild
   * @throws IncompatibleCheckpointException {@code variables/} does not hold the variables the config implies
   * @throws CorruptCheckpointException a damaged {@code saved_model.pb}, JSON asset or variables file, or one that is
   *     not a regular file (a FIFO, a directory)
   * @throws IOException the directory is missing or unreadable
   */
  public static KerasModel loadModel(Path dir, String device, ModelFactory factory) throws IOException {
    Path root = SavedModelDirectory.resolveForReading(dir);
    Layout files = Layout.check(root);
    if (!Sha256Manifest.require(root, root.resolve(SavedModelWriter.CHECKSUMS))) {
      warnNoChecksums(root);
    }
    KerasjManifest manifest = KerasjManifest.parse(readJson(files.manifest()), files.manifest());
    CheckpointContents.readIndex(files.variablesPrefix()); // in Java, before TensorFlow's RestoreV2 touches it
    JsonNode config = readJson(files.config());
    KerasModel model;
    try {
      model = ModelConfigs.newModel(config, files.config(), manifest.seed(), device, factory);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new IncompatibleModelException(files.config(), "Cannot rebuild the model of " + files.config() + ": "
          + e.getMessage(), e);
    }
    try {
      restoreVariables(model.graphForInternalUse(), manifest, files.variablesPrefix());
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** The training progress and callbacks' state recorded with the model. */
  public static TrainingState readTrainingState(Path dir) throws IOException {
    Path root = SavedModelDirectory.resolveForReading(dir);
    Layout files = Layout.check(root);
    if (!Sha256Manifest.requireFiles(root, root.resolve(SavedModelWriter.CHECKSUMS),
        List.of(root.relativize(files.manifest())))) {
      warnNoChecksums(root);
    }
    return KerasjManifest.parse(readJson(files.manifest()), files.manifest()).training();
  }

  private static void warnNoChecksums(Path root) {
    LOG.warn("{} has no {} (written by kerasj before 2026-12): its graph and JSON assets have no checksum to check",
        root, SavedModelWriter.CHECKSUMS);
  }

  /** The files of a kerasj SavedModel, each checked to exist. */
  private record Layout(Path root, Path config, Path manifest, Path variablesPrefix) {
    static Layout check(Path root) throws IOException {
      if (!Files.isDirectory(root)) {
        throw new IncompatibleModelException(root, root + " is not a SavedModel: it is not a directory");
      }
      Path pb = root.resolve("saved_model.pb");
      RegularFiles.require(pb);
      if (!Files.isRegularFile(pb)) {
        throw new IncompatibleModelException(root, root + " is not a TensorFlow SavedModel: saved_model.pb is "
            + "missing" + (Files.exists(root.resolve("saved_model.pbtxt")) ? " (a text saved_model.pbtxt is not "
            + "supported)" : ""));
      }
      checkServeGraph(pb);
      Path config = root.resolve("assets").resolve("config.json");
      Path manifest = root.resolve("assets").resolve("kerasj.json");
      RegularFiles.require(config);
      RegularFiles.require(manifest);
      if (!Files.isRegularFile(config) || !Files.isRegularFile(manifest)) {
        throw new IncompatibleModelException(root, root + " is a SavedModel, but not one kerasj wrote: "
            + (Files.isRegularFile(config) ? "assets/kerasj.json" : "assets/config.json") + " is missing, so "
            + "there is no Keras config to rebuild a trainable model from. To serve a SavedModel written by Python "
            + "(model.export, tf.saved_model.save), use the separate serving API: "
            + "org.tensorflow.SavedModelBundle.load(dir, \"serve\")");
      }
      Path prefix = root.resolve("variables").resolve("variables");
      Path index = root.resolve("variables").resolve("variables.index");
      RegularFiles.require(index);
      if (!Files.isRegularFile(index)) {
        throw new CorruptCheckpointException(index, root + " is incomplete: variables/variables.index is missing, so "
            + "its weights cannot be restored");
      }
      return new Layout(root, config, manifest, prefix);
    }
  }

  private static void checkServeGraph(Path pb) throws IOException {
    SavedModel saved;
    try {
      saved = SavedModel.parseFrom(RegularFiles.readAllBytes(pb));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CorruptCheckpointException(pb, pb + " is damaged: it does not parse as a SavedModel protocol buffer ("
          + e.getMessage() + ")", e);
    }
    boolean serve = saved.getMetaGraphsList().stream()
        .map(MetaGraphDef::getMetaInfoDef).anyMatch(m -> m.getTagsList().contains(ServingGraph.SERVE_TAG));
    if (!serve) {
      throw new CorruptCheckpointException(pb, pb + " has no MetaGraph tagged '" + ServingGraph.SERVE_TAG + "'");
    }
  }

  private static JsonNode readJson(Path file) throws IOException {
    try {
      return KerasJson.parse(RegularFiles.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new CorruptCheckpointException(file, file + " is damaged: it is not valid JSON ("
          + e.getOriginalMessage() + ")", e);
    }
  }

  /** Checks the saved variable list against the model's, then restores every variable in one session run. */
  private static void restoreVariables(ModelGraph graph, KerasjManifest manifest, Path prefix) {
    Map<String, KerasjManifest.VariableEntry> saved = new LinkedHashMap<>();
    manifest.variables().forEach(v -> saved.put(v.key(), v));
    List<String> matched = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    List<ModelGraph.VariableSlot> slots = graph.variables();
    for (ModelGraph.VariableSlot s : slots) {
      KerasjManifest.VariableEntry want =
          new KerasjManifest.VariableEntry(s.name(), SavedModelWriter.dtypeName(s.dtype()), s.shape());
      KerasjManifest.VariableEntry have = saved.remove(s.name());
      if (have == null) {
        missing.add(want.toString());
      } else if (!have.equals(want)) {
        mismatched.add("model " + want + " vs saved " + have);
      } else {
        matched.add(s.name());
      }
    }
    List<String> unexpected = saved.values().stream().map(Object::toString).toList();
    if (!missing.isEmpty() || !mismatched.isEmpty() || !unexpected.isEmpty()) {
      throw new IncompatibleCheckpointException(prefix, "The variables saved in " + prefix + " do not fit the model "
          + "rebuilt from assets/config.json. Missing: " + missing + "; unexpected: " + unexpected
          + "; different shape or dtype: " + mismatched, matched, missing, unexpected, mismatched);
    }
    try (Result restored = readBundle(prefix, slots)) {
      Session.Runner runner = graph.session().runner();
      for (int i = 0; i < slots.size(); i++) {
        ModelGraph.VariableSlot s = slots.get(i);
        Tensor t = restored.get(i);
        if (!java.util.Arrays.equals(t.shape().asArray(), s.shape())) {
          throw new CorruptCheckpointException(prefix, prefix + " holds '" + s.name() + "' with shape "
              + t.shape() + " although its manifest says " + java.util.Arrays.toString(s.shape()));
        }
        runner.feed(s.feed(), t).addTarget(s.assign());
      }
      runner.run().close();
    }
  }

  /**
   * Reads the variables with RestoreV2 in a scratch graph; TensorFlow verifies each tensor's crc32c. The result owns
   * the tensors (they outlive the scratch session).
   */
  private static Result readBundle(Path prefix, List<ModelGraph.VariableSlot> slots) {
    String[] keys = slots.stream().map(ModelGraph.VariableSlot::name).toArray(String[]::new);
    List<Class<? extends TType>> dtypes = slots.stream().<Class<? extends TType>>map(ModelGraph.VariableSlot::dtype)
        .toList();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Restore restore = tf.train.restore(tf.constant(prefix.toString()), tf.constant(StandardCharsets.UTF_8, keys),
          tf.constant(StandardCharsets.UTF_8, java.util.Arrays.stream(keys).map(k -> "").toArray(String[]::new)),
          dtypes);
      Session.Runner runner = s.runner();
      for (Operand<?> t : restore.tensors()) {
        runner.fetch(t);
      }
      return runner.run();
    } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException e) {
      // Blame the index when TensorFlow names it, else the data file (a size or crc32c check failed there).
      String msg = String.valueOf(e.getMessage());
      Path index = Path.of(prefix + ".index");
      Path file = msg.contains(index.getFileName().toString()) ? index : Path.of(prefix + ".data-00000-of-00001");
      int nl = msg.indexOf('\n');
      throw new CorruptCheckpointException(file, "Cannot read the variables of the SavedModel: " + file
          + " is truncated or damaged (TensorFlow's size or checksum check failed): "
          + (nl < 0 ? msg : msg.substring(0, nl)), e);
    }
  }
}
