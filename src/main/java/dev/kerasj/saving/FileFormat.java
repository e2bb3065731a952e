package dev.kerasj.saving;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * kerasj's on-disk formats, and the one place that tells them apart: by the name a path is saved or loaded under
 * ({@link #forModel}, {@link #forWeights}: Keras 3's rule, used by {@code Model.save}/{@code load},
 * {@code saveWeights}/{@code loadWeights} and {@code ModelCheckpoint}) and by the files present ({@link #detect}: the
 * command line's {@code inspect}, {@code verify} and {@code convert}). A new format is added here and given a handler
 * in each caller's exhaustive {@code switch}.
 */
public enum FileFormat {
  /** A SavedModel directory ({@code saved_model.pb} + {@code variables/}), kerasj's or Python's. */
  SAVED_MODEL("TensorFlow SavedModel directory"),
  /** One TF checkpoint: {@code PREFIX.index} + {@code PREFIX.data-*}, given as {@code PREFIX} or its index. */
  TF_CHECKPOINT("TensorFlow checkpoint (prefix)"),
  /** A directory of TF checkpoints with (or without) a {@code checkpoint} state file. */
  TF_CHECKPOINT_DIR("directory of TensorFlow checkpoints"),
  /** A Keras 3 {@code .keras} archive (config, weights, optimizer state), Python- or kerasj-written. */
  KERAS("Keras 3 .keras archive"),
  /** A Keras 3 {@code .weights.h5} file (weights and optimizer state), Python- or kerasj-written. */
  WEIGHTS_H5("Keras 3 .weights.h5 file");

  /** The name of TensorFlow's checkpoint state file in a directory of checkpoints. */
  public static final String TF_CHECKPOINT_STATE_FILE = "checkpoint";
  /** The name ending of a Keras 3 archive. */
  public static final String KERAS_SUFFIX = ".keras";
  /** The name ending of a Keras 3 weights file. */
  public static final String WEIGHTS_H5_SUFFIX = ".weights.h5";

  private final String description;

  FileFormat(String description) {
    this.description = description;
  }

  /** What the format is, in words. */
  public String description() {
    return description;
  }

  /**
   * The format a full model is saved to or loaded from at {@code path}, by its name as in Keras 3: {@link #KERAS}
   * for {@code *.keras}, else {@link #SAVED_MODEL} (a directory).
   *
   * @throws IllegalArgumentException for a {@code .h5} name (Keras 2's legacy format, not supported)
   */
  public static FileFormat forModel(Path path) {
    String name = fileName(path);
    if (name.endsWith(KERAS_SUFFIX)) {
      return KERAS;
    }
    if (name.endsWith(".h5")) {
      throw new IllegalArgumentException("A full model is saved as a .keras archive or a SavedModel directory; "
          + "Keras 2's legacy .h5 format is not supported. Received: " + path);
    }
    return SAVED_MODEL;
  }

  /**
   * The format weights (and optimizer state) are saved to or loaded from at {@code path}, by its name as in Keras 3:
   * {@link #WEIGHTS_H5} for {@code *.weights.h5}, else {@link #TF_CHECKPOINT} (a prefix, or for loading a directory
   * of checkpoints).
   *
   * @throws IllegalArgumentException for another {@code .h5} name (Keras 2's legacy format, not supported)
   */
  public static FileFormat forWeights(Path path) {
    String name = fileName(path);
    if (name.endsWith(WEIGHTS_H5_SUFFIX)) {
      return WEIGHTS_H5;
    }
    if (name.endsWith(".h5")) {
      throw new IllegalArgumentException("Keras 2's legacy .h5 format is not supported; Keras 3 weights files end "
          + "in .weights.h5. Received: " + path);
    }
    return TF_CHECKPOINT;
  }

  private static String fileName(Path path) {
    return path.getFileName() == null ? "" : path.getFileName().toString();
  }

  /** A path with its format; for {@link #TF_CHECKPOINT} the path is the prefix (no {@code .index}). */
  public record Detected(FileFormat format, Path path) {}

  /**
   * Tells the format of {@code path} from the files present (never from file times or content guesses).
   *
   * @throws NoSuchFileException nothing at {@code path} (nor at {@code path.index})
   * @throws IncompatibleModelException a path whose format is not recognised
   */
  public static Detected detect(Path path) throws IOException {
    String name = fileName(path);
    if (name.endsWith(KERAS_SUFFIX)) {
      return found(path, KERAS);
    }
    if (name.endsWith(WEIGHTS_H5_SUFFIX)) {
      return found(path, WEIGHTS_H5);
    }
    if (Files.isDirectory(path)) {
      // exists, not isRegularFile: a FIFO or directory in a file's place is the reader's to refuse by name
      if (Files.exists(path.resolve("saved_model.pb"))) {
        return new Detected(SAVED_MODEL, path);
      }
      if (Files.exists(path.resolve(TF_CHECKPOINT_STATE_FILE)) || containsIndex(path)) {
        return new Detected(TF_CHECKPOINT_DIR, path);
      }
      throw new IncompatibleModelException(path, path + " is a directory, but neither a SavedModel (no saved_model.pb) nor a directory "
          + "of TF checkpoints (no 'checkpoint' state file, no *.index). " + EXPECTED);
    }
    if (name.endsWith(".index") && Files.exists(path)) {
      return new Detected(TF_CHECKPOINT, path.resolveSibling(name.substring(0, name.length() - ".index".length())));
    }
    int data = name.indexOf(".data-");
    if (data > 0 && Files.exists(path)) {
      return new Detected(TF_CHECKPOINT, path.resolveSibling(name.substring(0, data)));
    }
    if (Files.exists(path.resolveSibling(name + ".index"))) {
      return new Detected(TF_CHECKPOINT, path);
    }
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "nothing there (nor " + name + ".index)");
    }
    throw new IncompatibleModelException(path, "Cannot tell the format of " + path + ". " + EXPECTED);
  }

  private static final String EXPECTED = "Expected a SavedModel directory (saved_model.pb), a TF checkpoint "
      + "prefix (PREFIX.index + PREFIX.data-00000-of-00001), a directory of TF checkpoints, a Keras 3 .keras archive "
      + "or a Keras 3 .weights.h5 file";

  private static Detected found(Path path, FileFormat format) throws NoSuchFileException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString());
    }
    return new Detected(format, path);
  }

  private static boolean containsIndex(Path dir) throws IOException {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.index")) {
      return s.iterator().hasNext();
    }
  }
}
