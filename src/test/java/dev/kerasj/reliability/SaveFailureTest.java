package dev.kerasj.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.examples.Digits;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.savedmodel.SavedModelLoader;
import dev.kerasj.saving.tfcheckpoint.TfCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save that cannot be written fails {@code fit} loudly, naming the path, and leaves the previous checkpoint as it
 * was: a run trains one epoch and saves a weights checkpoint ({@code weights/ckpt-001}) and a SavedModel
 * ({@code model}); then {@link SaveFailureChild}, in a JVM that cannot write, resumes and trains one more epoch, once
 * per checkpoint kind.
 *
 * <p>Why a child JVM: the failures must be real ones from the operating system, also where the tests run as root
 * (CI). Root ignores permission bits ({@code CAP_DAC_OVERRIDE}), so there the child runs under
 * {@code setpriv --bounding-set=-dac_override,-dac_read_search}: still root, still the owner, but bound by the
 * {@code 0500} mode like any user. A full disk is stood in for by {@code ulimit -f} (RLIMIT_FSIZE, which binds root
 * too): every write past the limit fails with EFBIG, in the middle of TensorFlow's data file.
 */
class SaveFailureTest {
  /** Bytes a file may grow to in the "full disk" child, in KiB: above the index and state files, below the data. */
  static final int FILE_SIZE_LIMIT_KIB = 16;

  @TempDir Path dir;
  @TempDir Path logs;
  Path csv = Path.of("testdata", "digits", "digits.csv").toAbsolutePath();
  String hashAfterEpoch1;

  @BeforeEach
  void trainOneEpochWithBothCheckpoints() {
    Digits data = Digits.load(csv).slice(0, TrainerChild.SAMPLES);
    try (Sequential model = TrainerChild.newModel()) {
      model.fit(data.pixels(), data.labels(), FitOptions.builder().epochs(1).batchSize(TrainerChild.BATCH)
          .seed(TrainerChild.SEED).verbose(0).callbacks(
              ModelCheckpoint.builder(dir.resolve("weights/ckpt-{epoch:03d}").toString()).saveWeightsOnly(true)
                  .build(),
              ModelCheckpoint.builder(dir.resolve("model").toString()).build()).build());
      hashAfterEpoch1 = TrainerChild.hash(model);
    }
  }

  @Test
  void fit_checkpointDirectoryNotWritable_throwsNamingPathAndCause_andPreviousCheckpointsStayLoadable() throws Exception {
    Path weights = dir.resolve("weights");
    Files.setPosixFilePermissions(weights, PosixFilePermissions.fromString("r-x------"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
    boolean root = false;
    List<String> lines;
    try {
      root = modeIsIgnored(weights);
      List<String> wrapper = root
          ? List.of(setpriv(), "--bounding-set=-dac_override,-dac_read_search",
              "--inh-caps=-dac_override,-dac_read_search")
          : List.of();
      lines = runChild(wrapper);
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Files.setPosixFilePermissions(weights, PosixFilePermissions.fromString("rwx------"));
    }
    assertFailedNamingPaths(lines, root ? "(as root without CAP_DAC_OVERRIDE)" : "(chmod 0500)");
    assertPreviousCheckpointsIntact();
    for (String line : lines) {
      assertTrue(line.toLowerCase(java.util.Locale.ROOT).contains("denied"), "the message must say why the save "
          + "failed (permission denied), not only which path: " + line);
    }
  }

  @Test
  void fit_diskFullDuringSave_throwsNamingPath_andPreviousCheckpointsStayLoadable() throws Exception {
    List<String> wrapper = List.of("bash", "-c", "ulimit -f " + FILE_SIZE_LIMIT_KIB + " && exec \"$0\" \"$@\"");
    assertTrue(Files.size(dir.resolve("weights/ckpt-001.data-00000-of-00001")) > FILE_SIZE_LIMIT_KIB * 1024L,
        "the data file must outgrow the limit for the write to fail");
    List<String> lines = runChild(wrapper);
    assertFailedNamingPaths(lines, "(ulimit -f " + FILE_SIZE_LIMIT_KIB + ")");
    assertTrue(lines.get(0).contains("File too large"), "the OS error is passed on: " + lines.get(0));
    assertPreviousCheckpointsIntact();
  }

  private List<String> runChild(List<String> wrapper) throws Exception {
    try (ChildJvm child = ChildJvm.start(wrapper, SaveFailureChild.class, logs.resolve("child.err"), dir.toString(),
        csv.toString())) {
      int exit = child.awaitExit(120);
      assertEquals(0, exit, "child failed\n" + child.describe());
      List<String> lines = child.lines();
      System.out.println("SaveFailureTest " + wrapper + ":\n  " + String.join("\n  ", lines));
      assertEquals(2, lines.size(), child.describe());
      return lines;
    }
  }

  private void assertFailedNamingPaths(List<String> lines, String how) {
    String weightsPath = dir.resolve("weights/ckpt-002").toString();
    assertTrue(lines.get(0).startsWith("FAILED weights ") && lines.get(0).contains(weightsPath),
        "fit with a weights-only checkpoint must throw naming " + weightsPath + " " + how + ": " + lines.get(0));
    String modelPath = dir.resolve("model").toString();
    assertTrue(lines.get(1).startsWith("FAILED model ") && lines.get(1).contains(modelPath),
        "fit with a SavedModel checkpoint must throw naming " + modelPath + " " + how + ": " + lines.get(1));
  }

  private void assertPreviousCheckpointsIntact() throws IOException {
    Path weights = dir.resolve("weights");
    assertEquals(List.of(weights.resolve("ckpt-001")), TfCheckpoint.list(weights));
    assertEquals(Optional.of(weights.resolve("ckpt-001")), TfCheckpoint.latest(weights));
    try (Sequential fresh = TrainerChild.newModel()) {
      fresh.loadWeights(weights);
      assertEquals(hashAfterEpoch1, TrainerChild.hash(fresh), "weights checkpoint after the failed save");
    }
    assertEquals(1, SavedModelLoader.readTrainingState(dir.resolve("model")).epoch());
    try (Sequential loaded = Sequential.load(dir.resolve("model"))) {
      assertEquals(hashAfterEpoch1, TrainerChild.hash(loaded), "SavedModel after the failed save");
    }
    List<String> leftovers = new ArrayList<>();
    for (Path d : List.of(dir, weights)) {
      try (Stream<Path> s = Files.list(d)) {
        s.filter(DurableFiles::isStaging).forEach(p -> leftovers.add(p.toString()));
      }
    }
    assertEquals(List.of(), leftovers, "a failed save cleans up its staging files");
  }

  /** Whether this JVM can create a file in {@code dir} despite its mode (root: CAP_DAC_OVERRIDE). */
  private static boolean modeIsIgnored(Path dir) throws IOException {
    Path probe = dir.resolve("probe");
    try {
      Files.createFile(probe);
    } catch (java.nio.file.AccessDeniedException e) {
      return false;
    }
    Files.delete(probe);
    return true;
  }

  /** util-linux {@code setpriv}, which drops root's permission-bypassing capabilities for the child. */
  private static String setpriv() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(d, "setpriv");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError("Running as root, this test needs util-linux's setpriv to make a directory "
        + "unwritable (root ignores chmod); install util-linux or run the tests as a normal user");
  }
}
