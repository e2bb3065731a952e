package dev.kerasj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kerasj.Model;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.FileFormat;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.RegularFiles;
import dev.kerasj.saving.Sha256Manifest;
import dev.kerasj.saving.keras.KerasFileContents;
import dev.kerasj.saving.savedmodel.SavedModelContents;
import dev.kerasj.saving.savedmodel.SavedModelWriter;
import dev.kerasj.saving.tfcheckpoint.CheckpointContents;
import dev.kerasj.saving.tfcheckpoint.CheckpointState;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import dev.kerasj.serving.ServedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.tensorflow.proto.FingerprintDef;
import org.tensorflow.proto.SavedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kerasj verify PATH}: reads every file of a SavedModel, a TF checkpoint or a directory of checkpoints and
 * prints one verdict line per file ({@code OK}, {@code CORRUPT}, {@code MISSING}, {@code NOT CHECKED}, and
 * {@code NO CHECKSUM} for a sound file nothing lets verify check byte for byte). Every tensor is read with
 * TensorFlow's {@code RestoreV2}, which checks the masked crc32c the index stores for it; the first tensor that fails
 * is named with its file. A SavedModel's other files are checked against kerasj's SHA-256 manifest
 * ({@code assets/kerasj.sha256}) when it has one, and the SavedModel is then loaded as its reader loads it: a last
 * line for the directory says whether it loads. A Keras 3 {@code .keras} archive gets one line: every member checked
 * against the crc32 the zip records and against the archive limits, its JSON parsed, every HDF5 dataset read in full;
 * a {@code .weights.h5} file likewise, but HDF5 keeps no checksum of plain datasets, so only damage to its structure
 * is found, not a changed data byte (the verdict says so). Exit status 0 when every file is sound, 1 otherwise.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Read every tensor and check every checksum; one verdict line per file; exit 1 if any is bad.")
final class VerifyCommand implements Callable<Integer> {
  /** kerasj's SHA-256 manifest inside a SavedModel ({@code SavedModelWriter}). */
  static final String CHECKSUMS = SavedModelWriter.CHECKSUMS;

  @Parameters(paramLabel = "PATH", description = "A SavedModel directory, a TF checkpoint prefix (or its .index), "
      + "a directory of TF checkpoints, a .keras archive or a .weights.h5 file.")
  Path path;

  @Option(names = "--progress", description = "Show progress even when stderr is not a terminal.")
  boolean forceProgress;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  private PrintWriter out;
  private Progress progress;
  private int files;
  private int bad;
  private int noChecksum;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    progress = new Progress(spec.commandLine().getErr(), forceProgress);
    FileFormat.Detected d = FileFormat.detect(path);
    switch (d.format()) {
      case SAVED_MODEL -> savedModel(d.path());
      case TF_CHECKPOINT -> checkpoint(d.path());
      case TF_CHECKPOINT_DIR -> checkpointDir(d.path());
      case KERAS, WEIGHTS_H5 -> kerasFile(d.path());
    }
    String unchecked = noChecksum == 0 ? "" : " (" + noChecksum + " without a checksum to check)";
    out.println(bad == 0 ? "verify: all " + files + " files OK" + unchecked : "verify: " + bad + " of " + files
        + " files failed");
    out.flush();
    return bad == 0 ? Kerasj.EXIT_OK : Kerasj.EXIT_FAILURE;
  }

  private void verdict(String status, Path file, String detail) {
    files++;
    if (status.equals("NO CHECKSUM")) {
      noChecksum++;
    } else if (!status.equals("OK")) {
      bad++;
    }
    progress.done();
    out.printf("%-11s %s%s%n", status, file, detail.isEmpty() ? "" : "  " + detail);
    out.flush();
  }

  private void checkpoint(Path prefix) throws IOException {
    Path index = CheckpointContents.indexFile(prefix);
    Path data = CheckpointContents.dataFile(prefix);
    if (!Files.exists(index)) {
      verdict("MISSING", index, "the index of checkpoint " + prefix + " is not there");
      return;
    }
    int[] count = {0};
    long bytes;
    try {
      String name = data.getFileName().toString();
      bytes = CheckpointContents.verify(prefix, t -> progress.update("verify " + name + ": " + (++count[0])
          + " tensors read, last '" + t.key() + "'"));
    } catch (CorruptCheckpointException e) {
      boolean indexBad = e.file() != null && e.file().equals(index);
      if (indexBad) {
        verdict("CORRUPT", index, oneLine(e));
        verdict("NOT CHECKED", data, "its index is unreadable");
      } else {
        verdict("OK", index, "");
        verdict(Files.exists(data) ? "CORRUPT" : "MISSING", data, "after " + count[0] + " good tensors: "
            + oneLine(e));
      }
      return;
    }
    verdict("OK", index, count[0] + " entries");
    verdict("OK", data, count[0] + " tensors, " + Progress.bytes(bytes) + ", every crc32c matches");
  }

  private void checkpointDir(Path given) throws IOException {
    Path dir = given.toAbsolutePath().normalize();
    Path stateFile = dir.resolve(CheckpointState.FILE_NAME);
    if (Files.exists(stateFile)) {
      try {
        Optional<CheckpointState> state = CheckpointState.read(dir);
        CheckpointState s = state.orElseThrow();
        Path latest = CheckpointState.resolve(dir, s.modelCheckpointPath());
        if (!Files.isRegularFile(CheckpointContents.indexFile(latest))) {
          verdict("CORRUPT", stateFile, "its latest checkpoint " + s.modelCheckpointPath() + " does not exist");
        } else {
          verdict("OK", stateFile, "latest " + s.modelCheckpointPath() + ", " + s.allModelCheckpointPaths().size()
              + " listed");
        }
      } catch (CorruptCheckpointException e) {
        verdict("CORRUPT", stateFile, oneLine(e));
      }
    }
    List<Path> complete = TfCheckpoint.list(dir);
    try (DirectoryStream<Path> indexes = Files.newDirectoryStream(dir, "*.index")) {
      for (Path index : indexes) {
        String name = index.getFileName().toString();
        Path prefix = index.resolveSibling(name.substring(0, name.length() - ".index".length()));
        if (!complete.contains(prefix) && !name.startsWith(".")) {
          checkpoint(prefix);   // an index without its data: reported as such
        }
      }
    }
    for (Path prefix : complete) {
      checkpoint(prefix);
    }
    if (files == 0) {
      throw new CliException(dir + " holds no TF checkpoint to verify");
    }
  }

  /** What {@code verify} cannot see in a {@code .weights.h5} file, said on its OK line. */
  static final String NO_H5_CHECKSUMS = "no checksum to check: HDF5 keeps none of dataset values and this file has no "
      + "kerasj sha256, so a changed data byte is not detectable";

  private void kerasFile(Path file) throws IOException {
    int[] count = {0};
    String name = file.getFileName().toString();
    KerasFileContents c;
    try {
      c = KerasFileContents.verify(file, p -> progress.update("verify " + name + ": " + (++count[0])
          + " datasets read, last '" + p + "'"));
    } catch (CorruptCheckpointException | IncompatibleModelException e) {
      verdict("CORRUPT", file, (count[0] > 0 ? "after " + count[0] + " good datasets: " : "") + oneLine(e));
      return;
    }
    long bytes = Files.size(file);
    String kerasjSum = c.checksummed() ? ", kerasj's sha256 of every dataset matches" : "";
    if (c.archive()) {
      verdict("OK", file, "3 members, every crc32 matches, JSON parses, " + count[0] + " datasets read ("
          + Progress.bytes(bytes) + ")" + kerasjSum);
    } else if (c.checksummed()) {
      verdict("OK", file, count[0] + " datasets read, HDF5 structure sound (" + Progress.bytes(bytes) + ")"
          + kerasjSum);
    } else {
      verdict("NO CHECKSUM", file, count[0] + " datasets read, HDF5 structure sound (" + Progress.bytes(bytes)
          + "); " + NO_H5_CHECKSUMS);
    }
  }

  /**
   * A SavedModel: every file against kerasj's SHA-256 manifest when there is one ({@code NO CHECKSUM} for a file
   * without one: Python's SavedModels, earlier kerasj's), the graph and JSON parsed, every tensor's crc32c, and then
   * the model loaded the way its reader loads it ({@code Sequential.load} for a kerasj SavedModel,
   * {@code ServedModel.open} for any other): OK means it loads.
   */
  private void savedModel(Path dir) throws IOException {
    Path root = dir.toAbsolutePath().normalize();
    Optional<List<Sha256Manifest.FileCheck>> checks = manifestChecks(root);
    java.util.Map<Path, Sha256Manifest.FileCheck> byFile = new java.util.HashMap<>();
    checks.ifPresent(list -> list.forEach(c -> byFile.put(c.file(), c)));
    java.util.function.Function<Path, String> sum = file -> {
      Sha256Manifest.FileCheck c = byFile.remove(file.toAbsolutePath().normalize());
      if (c != null) {
        return c.status() == Sha256Manifest.Status.OK ? "sha256 matches" : null;
      }
      return checks.isPresent() ? "not listed in " + CHECKSUMS : "no checksum to check";
    };
    boolean[] sound = {true};
    Path pb = root.resolve("saved_model.pb");
    String pbSum = sum.apply(pb);
    if (pbSum == null) {
      verdict("CORRUPT", pb, byFile.isEmpty() ? "" : detailOf(checks.get(), pb));
      sound[0] = false;
    } else {
      SavedModel saved = parse(pb, SavedModel::parseFrom, "a SavedModel protocol buffer");
      if (saved == null) {
        sound[0] = false;
      } else {
        long serve = saved.getMetaGraphsList().stream()
            .filter(m -> m.getMetaInfoDef().getTagsList().contains(ServedModel.SERVE_TAG)).count();
        if (serve == 0) {
          verdict("CORRUPT", pb, saved.getMetaGraphsCount() + " MetaGraph(s), none tagged '" + ServedModel.SERVE_TAG
              + "'");
          sound[0] = false;
        } else {
          verdict(checks.isPresent() ? "OK" : "NO CHECKSUM", pb, saved.getMetaGraphsCount() + " MetaGraph(s), "
              + pbSum);
        }
      }
    }
    Path fingerprint = root.resolve("fingerprint.pb");
    if (Files.exists(fingerprint)) {
      if (parse(fingerprint, FingerprintDef::parseFrom, "a FingerprintDef") == null) {
        sound[0] = false;
      } else {
        verdict("OK", fingerprint, "parses; " + sum.apply(fingerprint));
      }
    }
    Path assets = root.resolve("assets");
    if (Files.isDirectory(assets)) {
      try (DirectoryStream<Path> jsons = Files.newDirectoryStream(assets, "*.json")) {
        for (Path json : jsons) {
          String jsonSum = sum.apply(json);
          if (jsonSum == null) {
            verdict("CORRUPT", json, detailOf(checks.get(), json));
            sound[0] = false;
            continue;
          }
          try {
            new ObjectMapper().readTree(RegularFiles.readAllBytes(json));
            verdict(checks.isPresent() ? "OK" : "NO CHECKSUM", json, "valid JSON; " + jsonSum);
          } catch (IOException e) {
            verdict("CORRUPT", json, "not valid JSON: " + oneLine(e));
            sound[0] = false;
          } catch (CorruptCheckpointException e) {
            verdict("CORRUPT", json, oneLine(e));
            sound[0] = false;
          }
        }
      }
    }
    Path prefix = SavedModelContents.variablesPrefix(root);
    int before = bad;
    if (Files.exists(CheckpointContents.indexFile(prefix)) || Files.exists(CheckpointContents.dataFile(prefix))) {
      for (Path file : List.of(CheckpointContents.indexFile(prefix), CheckpointContents.dataFile(prefix))) {
        if (sum.apply(file) == null) {
          verdict("CORRUPT", file, detailOf(checks.get(), file));
        }
      }
      if (bad == before) {
        checkpoint(prefix);
      }
    }
    sound[0] &= bad == before;
    byFile.values().forEach(c -> verdict(c.status() == Sha256Manifest.Status.OK ? "OK" : "CORRUPT", c.file(),
        c.detail()));
    if (sound[0]) {
      loads(root);
    } else {
      verdict("NOT CHECKED", root, "not loaded: a file above is bad");
    }
  }

  /** A protocol buffer parser, as {@code SavedModel::parseFrom}. */
  private interface ProtoParser<T> {
    T parse(byte[] bytes) throws com.google.protobuf.InvalidProtocolBufferException;
  }

  /** {@code file} parsed, or null after a CORRUPT verdict (not a regular file, or not {@code what}). */
  private <T> T parse(Path file, ProtoParser<T> parser, String what) throws IOException {
    try {
      return parser.parse(RegularFiles.readAllBytes(file));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      verdict("CORRUPT", file, "does not parse as " + what + ": " + oneLine(e));
    } catch (CorruptCheckpointException e) {
      verdict("CORRUPT", file, oneLine(e));
    }
    return null;
  }

  /** The manifest's checks; an unreadable manifest is reported and leaves every file unlisted. */
  private Optional<List<Sha256Manifest.FileCheck>> manifestChecks(Path root) throws IOException {
    try {
      return Sha256Manifest.check(root, root.resolve(CHECKSUMS));
    } catch (CorruptCheckpointException e) {
      verdict("CORRUPT", root.resolve(CHECKSUMS), oneLine(e));
      return Optional.of(List.of());
    }
  }

  /** The model as a whole: loaded by the reader its kind has, then closed. */
  private void loads(Path root) {
    boolean kerasj = Files.exists(root.resolve("assets").resolve("config.json"))
        || Files.exists(root.resolve("assets").resolve("kerasj.json"));
    try {
      if (kerasj) {
        try (Model model = Model.load(root)) {
          verdict("OK", root, "loads (Model.load): " + model.layers().size() + " layers, "
              + (model.isCompiled() ? "compiled with " + model.optimizer().className() : "not compiled"));
        }
      } else {
        try (ServedModel served = ServedModel.open(root)) {
          verdict("OK", root, "loads (ServedModel.open): signatures " + served.signatures().keySet());
        }
      }
    } catch (IOException | RuntimeException e) {
      verdict("CORRUPT", root, "does not load (" + (kerasj ? "Model.load" : "ServedModel.open") + "): "
          + oneLine(e));
    }
  }

  private static String detailOf(List<Sha256Manifest.FileCheck> checks, Path file) {
    Path f = file.toAbsolutePath().normalize();
    return checks.stream().filter(c -> c.file().equals(f)).map(Sha256Manifest.FileCheck::detail).findFirst()
        .orElse("");
  }

  private static String oneLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
