package dev.kerasj.cli;

import dev.kerasj.Model;
import dev.kerasj.saving.FileFormat;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kerasj convert SRC DST}: between a kerasj SavedModel, a TF object-based checkpoint (Keras 3's layout,
 * restorable by Python's {@code tf.train.Checkpoint}), a Keras 3 {@code .keras} archive and a Keras 3
 * {@code .weights.h5} file, through {@link Sequential#load}/{@link Sequential#save}/{@link Sequential#loadWeights}/
 * {@link Sequential#saveWeights}. A SavedModel or {@code .keras} SRC carries its architecture; a checkpoint or
 * {@code .weights.h5} SRC does not, so it needs {@code --config} (a Keras 3 {@code config.json}, or a {@code .keras}
 * archive whose config is used) or {@code --like} (a kerasj SavedModel or {@code .keras} archive of the same
 * architecture; its weights are not used).
 *
 * <p>The DST format follows {@code --to}, else DST's name ({@code *.keras}, {@code *.weights.h5}), else: a TF
 * checkpoint for a SavedModel SRC, a SavedModel for any other SRC. Every variable is checked (names, shapes, dtypes,
 * checksums where the format has them) before anything is written, and writes are atomic. DST is never replaced
 * unless {@code --overwrite}.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Convert between a kerasj SavedModel, a TF checkpoint, a .keras archive and a .weights.h5 file.")
final class ConvertCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SRC", description = "A kerasj SavedModel directory, a TF checkpoint "
      + "prefix, a directory of TF checkpoints (its latest is used), a .keras archive or a .weights.h5 file.")
  Path src;

  @Parameters(index = "1", paramLabel = "DST", description = "What to write: a .keras or .weights.h5 file by its "
      + "name; otherwise a TF checkpoint prefix (e.g. out/ckpt-1) for a SavedModel SRC, a SavedModel directory for "
      + "any other SRC (or as --to says).")
  Path dst;

  @Option(names = "--to", paramLabel = "FORMAT", description = "The DST format: saved_model, tf_checkpoint, keras, "
      + "weights_h5 (default: from DST's name and SRC, see above).")
  String to;

  @Option(names = "--config", paramLabel = "CONFIG_JSON",
      description = "Keras 3 model config (config.json, or a .keras archive) giving the architecture of a "
          + "checkpoint or .weights.h5 SRC.")
  Path config;

  @Option(names = "--like", paramLabel = "MODEL",
      description = "A kerasj SavedModel or .keras archive with the architecture of a checkpoint or .weights.h5 SRC "
          + "(its weights are not used).")
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
    FileFormat target = target(d.format());
    boolean dstExists = Files.exists(dst) || Files.exists(dst.resolveSibling(dst.getFileName() + ".index"));
    if (dstExists && !overwrite) {
      throw new CliException("DST " + dst + " exists; pass --overwrite to replace it");
    }
    try (Model model = switch (d.format()) {
      case SAVED_MODEL, KERAS -> fullModel(d.path());
      case TF_CHECKPOINT, TF_CHECKPOINT_DIR, WEIGHTS_H5 -> weightsInto(d.path());
    }) {
      String what = switch (target) {
        case SAVED_MODEL, KERAS -> {
          model.save(dst);
          yield dst.toString();
        }
        case TF_CHECKPOINT -> TfCheckpoint.write(model, dst).toString();
        case WEIGHTS_H5 -> {
          model.saveWeights(dst);
          yield dst.toString();
        }
        case TF_CHECKPOINT_DIR -> throw new IllegalStateException("not a target: " + target);
      };
      spec.commandLine().getOut().println("wrote " + shortName(target) + " " + what + " ("
          + model.weights().size() + " weights" + (model.isCompiled() && target != FileFormat.SAVED_MODEL
          && target != FileFormat.KERAS ? " + optimizer state" : model.isCompiled() ? ", compiled" : "")
          + ") from " + shortName(d.format()) + " " + d.path());
    }
    spec.commandLine().getOut().flush();
    return Kerasj.EXIT_OK;
  }

  private static String shortName(FileFormat f) {
    return switch (f) {
      case SAVED_MODEL -> "SavedModel";
      case TF_CHECKPOINT, TF_CHECKPOINT_DIR -> "TF checkpoint";
      case KERAS -> ".keras archive";
      case WEIGHTS_H5 -> ".weights.h5 file";
    };
  }

  private static final List<String> TARGETS = List.of("saved_model", "tf_checkpoint", "keras", "weights_h5");

  /** The DST format: {@code --to}, else DST's suffix, else the other kind of SRC; checked against DST's name. */
  private FileFormat target(FileFormat source) {
    String name = dst.getFileName() == null ? "" : dst.getFileName().toString();
    FileFormat byName = name.endsWith(".keras") ? FileFormat.KERAS
        : name.endsWith(".weights.h5") ? FileFormat.WEIGHTS_H5 : null;
    FileFormat t;
    if (to != null) {
      if (!TARGETS.contains(to)) {
        throw new CliException("--to must be one of " + TARGETS + ". Received: " + to);
      }
      t = FileFormat.valueOf(to.toUpperCase(java.util.Locale.ROOT));
      boolean needsSuffix = t == FileFormat.KERAS || t == FileFormat.WEIGHTS_H5;
      if (needsSuffix ? byName != t : byName != null) {
        throw new CliException("--to " + to + " does not fit DST " + dst + ": a .keras archive must be named "
            + "*.keras, a weights file *.weights.h5, and a SavedModel or TF checkpoint must be named neither");
      }
    } else if (byName != null) {
      t = byName;
    } else {
      t = source == FileFormat.SAVED_MODEL ? FileFormat.TF_CHECKPOINT : FileFormat.SAVED_MODEL;
    }
    if (t == source && t != FileFormat.KERAS && t != FileFormat.WEIGHTS_H5) {
      throw new CliException("SRC and DST are both a " + t.description() + "; nothing to convert (use --to)");
    }
    return t;
  }

  private Model fullModel(Path model) throws Exception {
    if (config != null || like != null) {
      throw new CliException("--config/--like give the architecture of a checkpoint or .weights.h5 SRC; " + model
          + " has its own");
    }
    return Model.load(model);
  }

  private Model weightsInto(Path weights) throws Exception {
    if ((config == null) == (like == null)) {
      throw new CliException(weights + " holds no architecture: give exactly one of --config CONFIG_JSON "
          + "(a Keras 3 config.json or .keras archive) or --like MODEL (a kerasj SavedModel or .keras archive of "
          + "the same architecture)");
    }
    Model model = config != null ? configReader.read(config, 0) : Model.load(like);
    try {
      model.loadWeights(weights);
      return model;
    } catch (Exception e) {
      model.close();
      throw e;
    }
  }
}
