package dev.kerasj.cli;

import dev.kerasj.Sequential;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kerasj convert SRC DST}: a kerasj SavedModel to a TF object-based checkpoint (weights and optimizer state,
 * Keras 3's layout, restorable by Python's {@code tf.train.Checkpoint}), or a TF checkpoint to a kerasj SavedModel.
 * A checkpoint holds no architecture, so the second direction needs the model: {@code --config} (a Keras 3
 * {@code config.json}) or {@code --like} (a kerasj SavedModel of the same architecture). Every variable is checked
 * (names, shapes, dtypes, checksums) before anything is written, and writes are atomic. DST is never replaced
 * unless {@code --overwrite}.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Convert a kerasj SavedModel to a TF checkpoint, or a TF checkpoint to a kerasj SavedModel.")
final class ConvertCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SRC", description = "A kerasj SavedModel directory, a TF checkpoint "
      + "prefix, or a directory of TF checkpoints (its latest is used).")
  Path src;

  @Parameters(index = "1", paramLabel = "DST", description = "For a SavedModel SRC: the checkpoint prefix to write "
      + "(e.g. out/ckpt-1). For a checkpoint SRC: the SavedModel directory to write.")
  Path dst;

  @Option(names = "--config", paramLabel = "CONFIG_JSON",
      description = "Keras 3 model config (config.json) giving the architecture of a checkpoint SRC.")
  Path config;

  @Option(names = "--like", paramLabel = "SAVEDMODEL",
      description = "A kerasj SavedModel with the architecture of a checkpoint SRC (its weights are not used).")
  Path like;

  @Option(names = "--overwrite", description = "Replace DST if it exists.")
  boolean overwrite;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** Replaced by tests and by a richer reader; see {@link ModelConfigReader}. */
  static ModelConfigReader configReader = ModelConfigReader.DEFAULT;

  @Override
  public Integer call() throws Exception {
    FileFormat.Detected d = FileFormat.detect(src);
    boolean dstExists = Files.exists(dst) || Files.exists(dst.resolveSibling(dst.getFileName() + ".index"));
    if (dstExists && !overwrite) {
      throw new CliException("DST " + dst + " exists; pass --overwrite to replace it");
    }
    String done = switch (d.format()) {
      case SAVED_MODEL -> toCheckpoint(d.path());
      case TF_CHECKPOINT, TF_CHECKPOINT_DIR -> toSavedModel(d.path());
      case KERAS, WEIGHTS_H5 -> throw new CliException("unsupported format " + d.format());
    };
    spec.commandLine().getOut().println(done);
    spec.commandLine().getOut().flush();
    return Kerasj.EXIT_OK;
  }

  private String toCheckpoint(Path savedModel) throws Exception {
    if (config != null || like != null) {
      throw new CliException("--config/--like give the architecture of a checkpoint SRC; a SavedModel SRC has its "
          + "own");
    }
    try (Sequential model = Sequential.load(savedModel)) {
      Path written = TfCheckpoint.write(model, dst);
      return "wrote TF checkpoint " + written + " (" + model.weights().size() + " weights"
          + (model.isCompiled() ? " + optimizer state" : "") + ") from SavedModel " + savedModel;
    }
  }

  private String toSavedModel(Path checkpoint) throws Exception {
    if ((config == null) == (like == null)) {
      throw new CliException("a TF checkpoint holds no architecture: give exactly one of --config CONFIG_JSON "
          + "(a Keras 3 config.json) or --like SAVEDMODEL (a kerasj SavedModel of the same architecture)");
    }
    try (Sequential model = config != null ? configReader.read(config, 0) : Sequential.load(like)) {
      Path restored = TfCheckpoint.restore(model, checkpoint);
      model.save(dst);
      return "wrote SavedModel " + dst + " from TF checkpoint " + restored;
    }
  }
}
