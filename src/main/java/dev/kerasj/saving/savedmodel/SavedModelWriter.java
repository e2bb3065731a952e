package dev.kerasj.saving.savedmodel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.internal.Network;
import dev.kerasj.models.KerasModel;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.Sha256Manifest;
import dev.kerasj.saving.keras.KerasJson;
import dev.kerasj.saving.keras.ModelConfigs;
import dev.kerasj.saving.keras.SequentialConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Writes a {@link dev.kerasj.Model} (Sequential or Functional) as a TensorFlow SavedModel directory that Python serves and kerasj resumes from.
 *
 * <pre>{@code
 * SavedModelWriter.write(model, Path.of("models/digits"));
 * // Python: tf.saved_model.load("models/digits").signatures["serving_default"](input_layer=x)["output_0"]
 * try (Sequential again = SavedModelLoader.load(Path.of("models/digits"))) { again.fit(...); }
 * }</pre>
 *
 * <p>Layout:
 * <ul>
 *   <li>{@code saved_model.pb}: a {@code serve} MetaGraph with the inference graph and a {@code serving_default}
 *       signature (input {@code input_layer}, as Keras 3's {@code export()} names it for a model built from its
 *       config; output {@code output_0}; method {@code tensorflow/serving/predict}), see {@link ServingGraph};
 *   <li>{@code variables/variables.{index,data-00000-of-00001}}: every variable (layer weights, optimizer slots,
 *       {@code iterations}, {@code learning_rate}), keyed by kerasj path ({@code dense/kernel}, {@code adam/iterations});
 *   <li>{@code assets/config.json}: the Keras 3 model config with build and compile config, exactly what
 *       {@code model.to_json()} gives for the same model in Keras 3.15 (see {@link SequentialConfig});
 *   <li>{@code assets/kerasj.json}: seed, training progress, callbacks' state and the variable list
 *       (see {@link TrainingState});
 *   <li>{@code assets/kerasj.sha256}: the SHA-256 of every other file, written last ({@link Sha256Manifest}); the
 *       loader and {@code kerasj verify} check it, so a changed byte in the graph or a JSON asset (which carry no
 *       checksum of their own) is an error, never a different model or resume point. Python ignores it.
 * </ul>
 *
 * <p><b>Durability</b>: everything is written into a staging directory next to the destination, fsynced, then
 * renamed into place; replacing an existing SavedModel never leaves a moment without one complete copy (the exact
 * protocol and crash recovery are in {@link SavedModelDirectory}). A failure throws and leaves the previous
 * SavedModel as it was. Call it from the thread that trains the model: it reads the variables in the model's
 * session.
 */
public final class SavedModelWriter {
  /** The SHA-256 manifest of every other file ({@link Sha256Manifest}), written last. */
  public static final String CHECKSUMS = "assets/" + Sha256Manifest.FILE_NAME;

  private SavedModelWriter() {}

  /** Writes {@code model} to {@code dir} with unknown training progress. */
  public static void write(KerasModel model, Path dir) throws IOException {
    write(model, dir, TrainingState.UNKNOWN);
  }

  /**
   * Writes {@code model} to {@code dir}, replacing a SavedModel already there.
   *
   * @param state epoch, batch and callbacks' state to record; its {@code step} is ignored (the optimizer's own
   *     iteration count is recorded)
   * @throws IllegalArgumentException when the model has a layer, initializer, optimizer or loss Keras' config cannot
   *     describe (nothing is written)
   * @throws IOException when writing fails (the previous SavedModel at {@code dir}, if any, is left intact), or when
   *     {@code dir} exists and is not a SavedModel directory
   */
  public static void write(KerasModel model, Path dir, TrainingState state) throws IOException {
    if (model == null || dir == null || state == null) {
      throw new IllegalArgumentException("write needs a model, a directory and a TrainingState. Received: model="
          + model + ", dir=" + dir + ", state=" + state);
    }
    ModelGraph graph = model.graphForInternalUse();
    Network network = model.networkForInternalUse();
    List<ModelGraph.VariableSlot> slots = graph.variables();
    long step = 0;
    double learningRate = 0;
    if (model.isCompiled()) {
      String scope = model.optimizer().name() + "/";
      List<HostArray> values = graph.read(List.of(graph.variable(scope + "learning_rate"),
          graph.variable(scope + "iterations")));
      learningRate = values.get(0).floats()[0];
      step = values.get(1).ints()[0];
    }
    ObjectNode config = ModelConfigs.toJson(model, learningRate);
    List<KerasjManifest.VariableEntry> entries = new ArrayList<>();
    List<ServingGraph.Variable> variables = new ArrayList<>();
    for (ModelGraph.VariableSlot s : slots) {
      entries.add(new KerasjManifest.VariableEntry(s.name(), dtypeName(s.dtype()), s.shape()));
      variables.add(new ServingGraph.Variable(s.variable().op().name(), s.name(), s.dtype()));
    }
    TrainingState recorded = new TrainingState(state.epoch(), state.batch(), step, state.callbacks());
    Map<String, Output<?>> inputs = signatureInputs(model, network);
    List<Output<?>> outputs = network.inferenceOutputs().stream().<Output<?>>map(Operand::asOutput).toList();
    KerasjManifest manifest = new KerasjManifest(model.seed(), List.copyOf(inputs.keySet()), outputs.size(),
        recorded, entries);
    SavedModel savedModel = ServingGraph.build(graph.graph().toGraphDef(), inputs, outputs, variables);

    Path staging = SavedModelDirectory.prepare(dir);
    try {
      writeVariables(graph, staging);
      Files.write(staging.resolve("saved_model.pb"), savedModel.toByteArray());
      Path assets = Files.createDirectory(staging.resolve("assets"));
      Files.write(assets.resolve("config.json"), KerasJson.toBytes(config));
      Files.write(assets.resolve("kerasj.json"), KerasJson.toBytes(manifest.toJson(TensorFlow.version())));
      Sha256Manifest.write(staging, staging.resolve(CHECKSUMS), checksummed(staging));
      DurableFiles.syncTree(staging);
      SavedModelDirectory.commit(staging, dir);
    } catch (IOException | RuntimeException | Error e) {
      try {
        DurableFiles.deleteRecursively(staging);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * The signature's inputs: a Sequential's single one is {@code input_layer}, as Keras 3's {@code export()} names it
   * for a Sequential rebuilt from its config; a Functional model's are keyed by input layer name, as {@code export()}
   * keys them.
   */
  private static Map<String, Output<?>> signatureInputs(KerasModel model, Network network) {
    Map<String, Output<?>> inputs = new LinkedHashMap<>();
    if (model.isSequential()) {
      inputs.put(SequentialConfig.INPUT_LAYER_NAME, network.inputs().get(0).asOutput());
      return inputs;
    }
    List<String> names = model.inputNames();
    for (int i = 0; i < names.size(); i++) {
      inputs.put(names.get(i), network.inputs().get(i).asOutput());
    }
    return inputs;
  }

  /**
   * Every file of the SavedModel but the manifest, relative to its root, sorted: {@code saved_model.pb}, the JSON
   * assets and the variables bundle.
   */
  static List<Path> checksummed(Path root) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(root::relativize)
          .filter(p -> !p.equals(Path.of(CHECKSUMS))).sorted().toList();
    }
  }

  private static void writeVariables(ModelGraph graph, Path staging) throws IOException {
    Path variables = Files.createDirectory(staging.resolve("variables"));
    try {
      VariableSnapshot.write(graph, variables.resolve("variables"));
    } catch (TensorFlowException | TFInvalidArgumentException | TFUnimplementedException e) {
      throw new IOException("Could not write the variables of the SavedModel to " + variables + ": " + e.getMessage(),
          e);
    }
  }

  /** The dtype names kerasj.json uses (numpy's). */
  static String dtypeName(Class<? extends TType> dtype) {
    if (dtype == TFloat32.class) {
      return "float32";
    }
    if (dtype == TInt64.class) {
      return "int64";
    }
    if (dtype == TInt32.class) {
      return "int32";
    }
    throw new IllegalArgumentException("Unsupported variable dtype " + dtype.getSimpleName());
  }
}
