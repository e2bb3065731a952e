package dev.kerasj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.saving.RegularFiles;
import dev.kerasj.saving.keras.KerasFileContents;
import dev.kerasj.saving.savedmodel.SavedModelContents;
import dev.kerasj.saving.tfcheckpoint.CheckpointContents;
import dev.kerasj.saving.tfcheckpoint.CheckpointState;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
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
 * prints one verdict line per file ({@code OK}, {@code CORRUPT}, {@code MISSING}, {@code NOT CHECKED}). Every tensor
 * is read with TensorFlow's {@code RestoreV2}, which checks the masked crc32c the index stores for it; the first
 * tensor that fails is named with its file. A Keras 3 {@code .keras} archive gets one line: every member checked
 * against the crc32 the zip records and against the archive limits, its JSON parsed, every HDF5 dataset read in full;
 * a {@code .weights.h5} file likewise, but HDF5 keeps no checksum of plain datasets, so only damage to its structure
 * is found, not a changed data byte (the verdict says so). Exit status 0 when every file is sound, 1 otherwise.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Read every tensor and check every checksum; one verdict line per file; exit 1 if any is bad.")
final class VerifyCommand implements Callable<Integer> {
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
    out.println(bad == 0 ? "verify: all " + files + " files OK" : "verify: " + bad + " of " + files
        + " files failed");
    out.flush();
    return bad == 0 ? Kerasj.EXIT_OK : Kerasj.EXIT_FAILURE;
  }

  private void verdict(String status, Path file, String detail) {
    files++;
    if (!status.equals("OK")) {
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
  static final String NO_H5_CHECKSUMS = "HDF5 keeps no checksum of dataset values: a changed data byte is not "
      + "detectable";

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
    verdict("OK", file, c.archive()
        ? "3 members, every crc32 matches, JSON parses, " + count[0] + " datasets read (" + Progress.bytes(bytes) + ")"
        : count[0] + " datasets read, HDF5 structure sound (" + Progress.bytes(bytes) + "); " + NO_H5_CHECKSUMS);
  }

  private void savedModel(Path dir) throws IOException {
    Path pb = dir.resolve("saved_model.pb");
    try {
      SavedModel saved = SavedModel.parseFrom(RegularFiles.readAllBytes(pb));
      verdict("OK", pb, saved.getMetaGraphsCount() + " MetaGraph(s)");
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      verdict("CORRUPT", pb, "does not parse as a SavedModel protocol buffer: " + oneLine(e));
    } catch (CorruptCheckpointException e) {
      verdict("CORRUPT", pb, oneLine(e));
    }
    Path fingerprint = dir.resolve("fingerprint.pb");
    if (Files.exists(fingerprint)) {
      try {
        FingerprintDef.parseFrom(RegularFiles.readAllBytes(fingerprint));
        verdict("OK", fingerprint, "");
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        verdict("CORRUPT", fingerprint, "does not parse as a FingerprintDef: " + oneLine(e));
      } catch (CorruptCheckpointException e) {
        verdict("CORRUPT", fingerprint, oneLine(e));
      }
    }
    Path assets = dir.resolve("assets");
    if (Files.isDirectory(assets)) {
      try (DirectoryStream<Path> jsons = Files.newDirectoryStream(assets, "*.json")) {
        for (Path json : jsons) {
          try {
            new ObjectMapper().readTree(RegularFiles.readAllBytes(json));
            verdict("OK", json, "");
          } catch (IOException e) {
            verdict("CORRUPT", json, "not valid JSON: " + oneLine(e));
          } catch (CorruptCheckpointException e) {
            verdict("CORRUPT", json, oneLine(e));
          }
        }
      }
    }
    Path prefix = SavedModelContents.variablesPrefix(dir);
    if (Files.exists(CheckpointContents.indexFile(prefix)) || Files.exists(CheckpointContents.dataFile(prefix))) {
      checkpoint(prefix);
    }
  }

  private static String oneLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
