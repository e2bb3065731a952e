package dev.kerasj.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.saving.DurableFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * The {@code kerasj} command line, run in-process through picocli with captured stdout/stderr. Also leaves
 * {@code inspect --json} output and the files it describes under {@code <kerasj.interopDir>/cli/}, which
 * {@code python-interop/tests/test_cli_inspect.py} compares with {@code saved_model_cli show --all} and
 * {@code tf.train.list_variables}.
 */
class KerasjCliTest {
  static final Path INTEROP = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("cli");
  static final Path TESTDATA = Path.of("testdata");
  static final Path KERAS_EXPORT = TESTDATA.resolve("savedmodel/keras_export");
  static final Path KERAS_CKPT_DIR = TESTDATA.resolve("checkpoints/mlp_adam");
  static final ObjectMapper JSON = new ObjectMapper();

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Kerasj.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static Sequential trainedModel() {
    Sequential m = new Sequential(Input.of(4), new Dense(5, "relu"), new Dense(3, "softmax"));
    m.setSeed(11);
    m.compile(new Adam(1e-2), new SparseCategoricalCrossentropy(), "accuracy");
    float[][] x = new float[12][4];
    int[] y = new int[12];
    for (int i = 0; i < 12; i++) {
      for (int j = 0; j < 4; j++) {
        x[i][j] = (float) Math.cos(i + 0.5 * j);
      }
      y[i] = i % 3;
    }
    m.fit(x, y, dev.kerasj.FitOptions.builder().epochs(1).batchSize(4).verbose(0).build());
    return m;
  }

  /** A kerasj SavedModel and TF checkpoint of the same trained model, under interop/cli (rewritten each run). */
  @BeforeAll
  static void writeKerasjFiles() throws IOException {
    if (Files.exists(INTEROP)) {
      DurableFiles.deleteRecursively(INTEROP);
    }
    Files.createDirectories(INTEROP);
    try (Sequential m = trainedModel()) {
      m.save(INTEROP.resolve("kerasj_savedmodel"));
      m.saveWeights(INTEROP.resolve("kerasj_ckpt").resolve("ckpt-1"));
    }
  }

  @Test
  void inspectJson_forPythonComparison_coversEveryFormat() throws IOException {
    List<String[]> cases = List.of(
        new String[] {"keras_export", KERAS_EXPORT.toString()},
        new String[] {"keras_ckpt_dir", KERAS_CKPT_DIR.toString()},
        new String[] {"kerasj_savedmodel", INTEROP.resolve("kerasj_savedmodel").toString()},
        new String[] {"kerasj_ckpt", INTEROP.resolve("kerasj_ckpt/ckpt-1").toString()});
    for (String[] c : cases) {
      Run r = run("inspect", "--json", c[1]);
      assertEquals(0, r.exit(), r.err());
      JSON.readTree(r.out());   // valid JSON
      Files.writeString(INTEROP.resolve(c[0] + ".json"), r.out());
      Run text = run("inspect", c[1]);
      assertEquals(0, text.exit(), text.err());
      Files.writeString(INTEROP.resolve(c[0] + ".txt"), text.out());
    }
  }

  @Test
  void inspect_kerasjSavedModel_listsServingSignatureAndVariables() throws IOException {
    Run r = run("inspect", "--json", INTEROP.resolve("kerasj_savedmodel").toString());
    assertEquals(0, r.exit(), r.err());
    JsonNode n = JSON.readTree(r.out());
    JsonNode sig = n.get("meta_graphs").get(0).get("signatures").get(0);
    assertAll(
        () -> assertEquals("serve", n.get("meta_graphs").get(0).get("tags").get(0).asText()),
        () -> assertTrue(n.get("written_by_kerasj").asBoolean()),
        () -> assertEquals("serving_default", sig.get("key").asText()),
        () -> assertEquals("tensorflow/serving/predict", sig.get("method_name").asText()),
        () -> assertEquals("input_layer", sig.get("inputs").get(0).get("key").asText()),
        () -> assertEquals("DT_FLOAT", sig.get("inputs").get(0).get("dtype").asText()),
        () -> assertEquals("[-1,4]", sig.get("inputs").get(0).get("shape").toString()),
        () -> assertEquals("output_0", sig.get("outputs").get(0).get("key").asText()),
        () -> assertEquals("[-1,3]", sig.get("outputs").get(0).get("shape").toString()));
    Run text = run("inspect", INTEROP.resolve("kerasj_savedmodel").toString());
    assertTrue(text.out().contains("signature_def['serving_default']:"), text.out());
    assertTrue(text.out().contains("inputs['input_layer'] tensor_info:"), text.out());
    assertTrue(text.out().contains("shape: (-1, 4)"), text.out());
  }

  @Test
  void inspect_checkpointDirectory_showsStateFileTensorsAndObjectGraph() {
    Run r = run("inspect", KERAS_CKPT_DIR.toString());
    assertEquals(0, r.exit(), r.err());
    assertAll(
        () -> assertTrue(r.out().contains("model_checkpoint_path: ckpt-1"), r.out()),
        () -> assertTrue(r.out().contains("optimizer/_trainable_variables/0/.ATTRIBUTES/VARIABLE_VALUE"), r.out()),
        () -> assertTrue(r.out().contains("float32  [64, 32]"), r.out()),
        () -> assertTrue(r.out().contains("Object graph (36 nodes):"), r.out()),
        () -> assertTrue(r.out().contains("_kernel ["), r.out()));
  }

  @Test
  void inspect_prefixAndIndexFile_areTheSameCheckpoint() {
    Run prefix = run("inspect", "--json", KERAS_CKPT_DIR.resolve("ckpt-1").toString());
    Run index = run("inspect", "--json", KERAS_CKPT_DIR.resolve("ckpt-1.index").toString());
    assertEquals(0, prefix.exit(), prefix.err());
    assertEquals(prefix.out(), index.out());
  }

  @Test
  void verify_soundFiles_exitZeroWithOneOkLinePerFile() {
    Run r = run("verify", INTEROP.resolve("kerasj_savedmodel").toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("OK") && l.contains("saved_model.pb")), r.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("OK") && l.contains("variables.data-00000-of-00001")
        && l.contains("every crc32c matches")), r.out());
    assertTrue(lines.get(lines.size() - 1).startsWith("verify: all "), r.out());
  }

  @Test
  void verify_bitFlipInData_namesFileAndFirstBadTensor_exitOne(@TempDir Path dir) throws IOException {
    Path copy = copyDir(KERAS_CKPT_DIR, dir.resolve("ckpts"));
    Path data = copy.resolve("ckpt-1.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[3000] ^= (byte) 0xFF;   // inside optimizer/_variables/2 (the first [64, 32] Adam slot)
    Files.write(data, bytes);
    Run r = run("verify", copy.toString());
    assertEquals(1, r.exit(), r.out());
    String bad = r.out().lines().filter(l -> l.startsWith("CORRUPT")).findFirst().orElseThrow();
    assertTrue(bad.contains(data.toAbsolutePath().toString()), bad);
    assertTrue(bad.contains("tensor 'optimizer/_variables/2/.ATTRIBUTES/VARIABLE_VALUE'"), bad);
    assertTrue(bad.contains("Checksum does not match"), bad);
    assertTrue(r.out().contains("verify: 1 of 3 files failed"), r.out());
  }

  @Test
  void verify_truncatedIndexAndMissingData_areReportedPerFile(@TempDir Path dir) throws IOException {
    Path copy = copyDir(KERAS_CKPT_DIR, dir.resolve("a"));
    Path index = copy.resolve("ckpt-1.index");
    byte[] bytes = Files.readAllBytes(index);
    Files.write(index, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Run r = run("verify", copy.resolve("ckpt-1").toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("CORRUPT") && l.contains("ckpt-1.index")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("NOT CHECKED") && l.contains(".data-")), r.out());

    Path other = copyDir(KERAS_CKPT_DIR, dir.resolve("b"));
    Files.delete(other.resolve("ckpt-1.data-00000-of-00001"));
    Run missing = run("verify", other.resolve("ckpt-1").toString());
    assertEquals(1, missing.exit(), missing.out());
    assertTrue(missing.out().lines().anyMatch(l -> l.startsWith("MISSING") && l.contains(".data-")), missing.out());
  }

  @Test
  void errors_areOneLineWithoutStackTrace_unlessVerbose() {
    Run r = run("inspect", "no/such/model");
    assertEquals(Kerasj.EXIT_FAILURE, r.exit());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("kerasj: error: no such file: no/such/model"), r.err());
    Run verbose = run("inspect", "--verbose", "no/such/model");
    assertTrue(verbose.err().lines().count() > 3 && verbose.err().contains("\tat "), verbose.err());
  }

  @Test
  void damagedAndUnknownFormats_areRefusedByName(@TempDir Path dir) throws IOException {
    Path keras = Files.writeString(dir.resolve("model.keras"), "zip");
    Run r = run("inspect", keras.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("model.keras is not a .keras archive (not a zip file"), r.err());
    Path txt = Files.writeString(dir.resolve("notes.txt"), "hello");
    Run unknown = run("verify", txt.toString());
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("Cannot tell the format of"), unknown.err());
    assertTrue(unknown.err().contains("Expected a SavedModel directory"), unknown.err());
  }

  @Test
  void usageErrors_exitTwo() {
    Run r = run("inspect");
    assertEquals(Kerasj.EXIT_USAGE, r.exit());
    assertTrue(r.err().contains("Missing required parameter"), r.err());
    assertEquals(Kerasj.EXIT_USAGE, run("frobnicate").exit());
  }

  @Test
  void convert_savedModelToCheckpointAndBack_keepsPredictions(@TempDir Path dir) throws IOException {
    Path sm = INTEROP.resolve("kerasj_savedmodel");
    Run toCkpt = run("convert", sm.toString(), dir.resolve("ckpts/ckpt-1").toString());
    assertEquals(0, toCkpt.exit(), toCkpt.err());
    assertTrue(toCkpt.out().startsWith("wrote TF checkpoint"), toCkpt.out());

    Run back = run("convert", dir.resolve("ckpts").toString(), dir.resolve("back").toString(), "--like", sm.toString());
    assertEquals(0, back.exit(), back.err());
    Run viaConfig = run("convert", dir.resolve("ckpts/ckpt-1").toString(), dir.resolve("back2").toString(),
        "--config", sm.resolve("assets/config.json").toString());
    assertEquals(0, viaConfig.exit(), viaConfig.err());

    float[][] x = {{0.1f, -0.2f, 0.3f, 0.4f}, {1f, 0f, -1f, 0.5f}};
    try (Sequential a = Sequential.load(sm); Sequential b = Sequential.load(dir.resolve("back"));
        Sequential c = Sequential.load(dir.resolve("back2"))) {
      FloatNdArray pa = a.predict(x);
      assertEquals(pa, b.predict(x));
      assertEquals(pa, c.predict(x));
      assertEquals(a.getWeights(), c.getWeights());
    }
  }

  @Test
  void convert_refusesToOverwriteAndNeedsAnArchitectureForCheckpoints(@TempDir Path dir) {
    Path sm = INTEROP.resolve("kerasj_savedmodel");
    Run exists = run("convert", sm.toString(), KERAS_CKPT_DIR.resolve("ckpt-1").toString());
    assertEquals(1, exists.exit());
    assertTrue(exists.err().contains("exists; pass --overwrite"), exists.err());
    Run noArch = run("convert", KERAS_CKPT_DIR.toString(), dir.resolve("out").toString());
    assertEquals(1, noArch.exit());
    assertTrue(noArch.err().contains("holds no architecture"), noArch.err());
    assertFalse(Files.exists(dir.resolve("out")));
    Run python = run("convert", KERAS_EXPORT.toString(), dir.resolve("x/ckpt-1").toString());
    assertEquals(1, python.exit());
    assertTrue(python.err().contains("not one kerasj wrote"), python.err());
  }

  static Path copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }
}
