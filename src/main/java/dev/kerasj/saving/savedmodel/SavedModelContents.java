package dev.kerasj.saving.savedmodel;

import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.RegularFiles;
import dev.kerasj.saving.tfcheckpoint.CheckpointContents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * What a SavedModel directory holds, for tools ({@code kerasj inspect}): each MetaGraph's tags and signatures (what
 * {@code saved_model_cli show --all} prints), and the variables checkpoint under {@code variables/}. Works on any
 * SavedModel (kerasj's, Keras {@code model.export}, {@code tf.saved_model.save}); nothing is loaded into TensorFlow.
 *
 * @param dir the SavedModel directory
 * @param metaGraphs one entry per MetaGraph in {@code saved_model.pb}
 * @param variables the {@code variables/variables} checkpoint, or null when the model has no variables
 * @param writtenByKerasj whether {@code assets/kerasj.json} is present (kerasj can reload it for training)
 */
public record SavedModelContents(Path dir, List<MetaGraph> metaGraphs, CheckpointContents variables,
    boolean writtenByKerasj) {
  /**
   * One MetaGraph.
   *
   * @param tags its tag-set ({@code serve} ...)
   * @param signatures its signatures, in key order
   */
  public record MetaGraph(List<String> tags, List<Signature> signatures) {
    public MetaGraph {
      tags = List.copyOf(tags);
      signatures = List.copyOf(signatures);
    }
  }

  /**
   * One signature.
   *
   * @param key the signature key ({@code serving_default} ...)
   * @param methodName e.g. {@code tensorflow/serving/predict}
   * @param inputs the inputs in key order
   * @param outputs the outputs in key order
   */
  public record Signature(String key, String methodName, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    public Signature {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  /**
   * An input or output of a signature.
   *
   * @param key the argument key ({@code input_layer}, {@code output_0})
   * @param dtype TensorFlow's enum name, as {@code saved_model_cli} prints it ({@code DT_FLOAT})
   * @param shape dimensions with -1 for unknown, or null for an unknown rank
   * @param name the graph tensor ({@code serving_default_input_layer:0})
   */
  public record TensorSpec(String key, String dtype, long[] shape, String name) {}

  public SavedModelContents {
    metaGraphs = List.copyOf(metaGraphs);
  }

  /**
   * Reads {@code dir/saved_model.pb} and the index of {@code dir/variables/variables}.
   *
   * @throws IncompatibleModelException not a directory with a binary {@code saved_model.pb}
   * @throws CorruptCheckpointException a damaged {@code saved_model.pb} or variables index, or one that is not a
   *     regular file
   */
  public static SavedModelContents read(Path dir) throws IOException {
    Path pb = dir.resolve("saved_model.pb");
    RegularFiles.require(pb);
    if (!Files.isRegularFile(pb)) {
      throw new IncompatibleModelException(dir, dir + " is not a TensorFlow SavedModel: saved_model.pb is missing");
    }
    SavedModel saved;
    try {
      saved = SavedModel.parseFrom(RegularFiles.readAllBytes(pb));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CorruptCheckpointException(pb, pb + " is damaged: it does not parse as a SavedModel protocol buffer ("
          + e.getMessage() + ")", e);
    }
    List<MetaGraph> metaGraphs = new ArrayList<>();
    for (MetaGraphDef m : saved.getMetaGraphsList()) {
      List<Signature> signatures = new ArrayList<>();
      m.getSignatureDefMap().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(e -> signatures.add(signature(e.getKey(), e.getValue())));
      metaGraphs.add(new MetaGraph(m.getMetaInfoDef().getTagsList(), signatures));
    }
    Path prefix = variablesPrefix(dir);
    CheckpointContents variables = Files.exists(CheckpointContents.indexFile(prefix))
        ? CheckpointContents.read(prefix) : null;
    return new SavedModelContents(dir, metaGraphs, variables,
        Files.isRegularFile(dir.resolve("assets").resolve("kerasj.json")));
  }

  /** {@code dir/variables/variables}, the prefix of a SavedModel's variables checkpoint. */
  public static Path variablesPrefix(Path dir) {
    return dir.resolve("variables").resolve("variables");
  }

  private static Signature signature(String key, SignatureDef def) {
    return new Signature(key, def.getMethodName(), specs(def.getInputsMap()), specs(def.getOutputsMap()));
  }

  private static List<TensorSpec> specs(Map<String, TensorInfo> infos) {
    List<TensorSpec> out = new ArrayList<>();
    infos.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      TensorInfo info = e.getValue();
      out.add(new TensorSpec(e.getKey(), info.getDtype().name(), shape(info.getTensorShape()), info.getName()));
    });
    return out;
  }

  private static long[] shape(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return null;
    }
    return shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }
}
