package dev.kerasj.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.saving.IncompatibleModelException;
import dev.kerasj.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every wrong use of {@link ServedModel} fails in Java with a typed error naming what was expected and received. */
class ServedModelBadInputTest {
  private static ServedModel module;

  @BeforeAll
  static void open() throws IOException {
    module = ServedModel.open(ServingFixtures.DIR.resolve("module_multi_io"));
  }

  @AfterAll
  static void close() {
    module.close();
  }

  private static Map<String, Object> validScore() {
    Map<String, Object> in = new HashMap<>();
    in.put("x", new float[][] {{1, 2, 3}});
    in.put("ids", new int[] {1});
    in.put("names", new String[] {"a"});
    return in;
  }

  private static void assertMentions(Exception e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
    }
  }

  @Test
  void open_missingDirectory_noSuchFile(@TempDir Path tmp) {
    assertThrows(NoSuchFileException.class, () -> ServedModel.open(tmp.resolve("nope")));
  }

  @Test
  void open_directoryWithoutSavedModel_namesDirAndWhatToWrite(@TempDir Path tmp) throws IOException {
    Files.writeString(tmp.resolve("model.keras"), "zip");
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> ServedModel.open(tmp));
    assertEquals(tmp.toAbsolutePath().normalize(), e.path());
    assertMentions(e, "is not a SavedModel", "saved_model.pb", "model.export(dir)");
  }

  @Test
  void open_aFile_isNotASavedModel(@TempDir Path tmp) throws IOException {
    Path f = Files.writeString(tmp.resolve("saved_model.pb"), "x");
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> ServedModel.open(f));
    assertMentions(e, "received a file");
  }

  @Test
  void open_damagedSavedModelPb_corruptNamingFile(@TempDir Path tmp) throws IOException {
    Files.write(tmp.resolve("saved_model.pb"), new byte[] {(byte) 0xff, 0x01, 0x02, 0x03});
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> ServedModel.open(tmp));
    assertMentions(e, tmp.resolve("saved_model.pb").toAbsolutePath().normalize().toString(), "does not parse");
  }

  @Test
  void open_missingTag_listsTheTagSetsThereAre() {
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class,
        () -> ServedModel.open(ServingFixtures.DIR.resolve("keras_export"), "train"));
    assertMentions(e, "no MetaGraph tagged 'train'", "Valid tag sets: [[serve]]", "keras_export");
  }

  @Test
  void call_unknownSignature_listsValidNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> module.call("predict", validScore()));
    assertMentions(e, "no signature 'predict'", "Valid signatures: [scale, serving_default]", "module_multi_io");
  }

  @Test
  void call_wrongInputName_listsValidInputs() {
    Map<String, Object> in = validScore();
    in.put("features", in.remove("x"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> module.call("serving_default", in));
    assertMentions(e, "Signature 'serving_default'", "unknown: [features]", "missing: [x]",
        "[ids: int32[?], names: string[?], x: float32[?, 3]]");
  }

  @Test
  void call_wrongDtype_namesExpectedAndReceived() {
    Map<String, Object> in = validScore();
    in.put("ids", new long[] {1});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> module.call("serving_default", in));
    assertMentions(e, "input 'ids' expects int32[?]", "Received: int64[1] (long[])", "int[]");
  }

  @Test
  void call_wrongShape_namesExpectedAndReceived() {
    Map<String, Object> in = validScore();
    in.put("x", new float[][] {{1, 2}});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> module.call("serving_default", in));
    assertMentions(e, "input 'x' expects shape [?, 3]", "Received: shape [1, 2]");
  }

  @Test
  void call_wrongRank_andScalarWhereVectorExpected() {
    Map<String, Object> in = validScore();
    in.put("ids", 7);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> module.call("serving_default", in));
    assertMentions(e, "input 'ids' expects shape [?]", "Received: shape []");
  }

  @Test
  void call_raggedOrNullOrUnsupportedValues_rejected() {
    for (Object bad : new Object[] {new float[][] {{1, 2, 3}, {1, 2}}, null, new Object(), new short[] {1},
        new float[][] {{1, 2, 3}, null}}) {
      Map<String, Object> in = validScore();
      in.put("x", bad);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> module.call("serving_default", in), String.valueOf(bad));
      assertMentions(e, "input 'x'");
    }
    Map<String, Object> in = validScore();
    in.put("names", new String[] {"a", null});
    in.put("ids", new int[] {1, 2});
    in.put("x", new float[][] {{1, 2, 3}, {4, 5, 6}});
    assertMentions(assertThrows(IllegalArgumentException.class, () -> module.call("serving_default", in)),
        "null String");
  }

  @Test
  void call_batchSizesThatDisagree_servingExceptionFromTensorFlow() {
    Map<String, Object> in = Map.of("values", new double[][] {{1, 2}, {3, 4}}, "mask", new boolean[] {true, false,
        true}, "factor", 2L);
    ServingException e = assertThrows(ServingException.class, () -> module.call("scale", in));
    assertMentions(e, "Signature 'scale'", "failed in TensorFlow");
    // The model still serves after a failed call.
    assertEquals(1, module.call("serving_default", validScore()).get("logits").shape().get(0));
  }

  @Test
  void open_savedModelWhoseVariablesCannotBeRestored_explainsIssue80191AndExport(@TempDir Path tmp)
      throws IOException {
    Path copy = tmp.resolve("keras_saved_model");
    TestFiles.copyTree(ServingFixtures.DIR.resolve("keras_saved_model"), copy);
    // Rename the variables in the SavedModel's object graph: nothing then says where the values the signature reads
    // are in variables/ (what a SavedModel from another writer could look like).
    Path pb = copy.resolve("saved_model.pb");
    org.tensorflow.proto.SavedModel.Builder sm = org.tensorflow.proto.SavedModel.parseFrom(Files.readAllBytes(pb))
        .toBuilder();
    var graph = sm.getMetaGraphsBuilder(0).getObjectGraphDefBuilder();
    for (int i = 0; i < graph.getNodesCount(); i++) {
      if (graph.getNodes(i).hasVariable()) {
        graph.getNodesBuilder(i).getVariableBuilder().setName("renamed_" + i);
      }
    }
    Files.write(pb, sm.build().toByteArray());
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> ServedModel.open(copy));
    assertMentions(e, "tensorflow/tensorflow#80191", "model.export(dir)", "sequential/dense", "does not lead to a checkpoint value");
  }
}
