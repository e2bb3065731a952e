package dev.kerasj.saving.tfcheckpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.saving.CorruptCheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStateTest {
  @Test
  void read_stateFileWrittenByPythonCheckpointSave() throws Exception {
    CheckpointState s = CheckpointState.read(CheckpointTesting.CHECKPOINT_FIXTURES.resolve("mlp_adam")).orElseThrow();
    assertEquals("ckpt-1", s.modelCheckpointPath());
    assertEquals(List.of("ckpt-1"), s.allModelCheckpointPaths());
  }

  @Test
  void writeThenRead_roundTripsPathsWithQuotesBackslashesAndUnicode(@TempDir Path dir) throws Exception {
    CheckpointState s = new CheckpointState("we\"ird\\ name-é-2", List.of("a\tb", "we\"ird\\ name-é-2"),
        List.of(1732838000.25, 1732838060.5), 1732838000.25);
    s.write(dir);
    String text = Files.readString(dir.resolve("checkpoint"));
    assertTrue(text.contains("model_checkpoint_path: \"we\\\"ird\\\\ name-\\303\\251-2\""), text);
    assertTrue(text.contains("all_model_checkpoint_timestamps: 1732838000.25"), text);
    assertEquals(s, CheckpointState.read(dir).orElseThrow());
  }

  /** kerasj's last line hashes the lines before it: a changed path is corrupt; Python still reads the file. */
  @Test
  void checksumLine_catchesAChangedPath(@TempDir Path dir) throws Exception {
    new CheckpointState("ckpt-2", List.of("ckpt-1", "ckpt-2"), List.of(), null).write(dir);
    Path file = dir.resolve("checkpoint");
    String text = Files.readString(file);
    assertTrue(text.lines().reduce((a, b) -> b).orElseThrow().matches("# kerasj-sha256: [0-9a-f]{64}"), text);
    Files.writeString(file, text.replaceFirst("model_checkpoint_path: \"ckpt-2\"", "model_checkpoint_path: \"ckpt-1\""));
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointState.read(dir));
    assertTrue(e.getMessage().contains("changed after kerasj wrote it"), e.getMessage());
    Files.writeString(file, text + "model_checkpoint_path: \"ckpt-1\"\n");
    e = assertThrows(CorruptCheckpointException.class, () -> CheckpointState.read(dir));
    assertTrue(e.getMessage().contains("must be the last"), e.getMessage());
  }

  /**
   * TensorFlow lists the latest checkpoint last; a file that disagrees is damaged. Found by FileFuzzTest (seed
   * 7441976502150): bit flips in kerasj's checksum line's marker and in the latest path made an older checkpoint load
   * without an error.
   */
  @Test
  void latestNotLastOfTheList_isCorrupt() {
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointState.parse(
        "model_checkpoint_path: \"ckpt-1\"\nall_model_checkpoint_paths: \"ckpt-1\"\n"
            + "all_model_checkpoint_paths: \"ckpt-2\"\n# kerasj-sha25\u00b6: damaged marker\n", Path.of("checkpoint")));
    assertTrue(e.getMessage().contains("is not the last of all_model_checkpoint_paths"), e.getMessage());
    assertEquals("ckpt-2", CheckpointState.parse("model_checkpoint_path: \"ckpt-2\"\n", Path.of("checkpoint"))
        .modelCheckpointPath(), "a file without the list is fine");
  }

  @Test
  void read_missingFile_isEmpty(@TempDir Path dir) throws Exception {
    assertTrue(CheckpointState.read(dir).isEmpty());
  }

  @Test
  void read_garbage_isCorruptNamingFile(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("checkpoint"), "model_checkpoint_path ckpt-1\n");
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointState.read(dir));
    assertEquals(dir.resolve("checkpoint"), e.file());
  }

  @Test
  void parse_acceptsHexAndOctalEscapesAndUnknownFields() {
    CheckpointState s = CheckpointState.parse("model_checkpoint_path: 'c\\x41\\101'\nfuture_field: 3\n",
        Path.of("checkpoint"));
    assertEquals("cAA", s.modelCheckpointPath());
  }
}
