package dev.kerasj.saving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one seam that tells kerasj's formats apart: by name for {@code save}/{@code load} (Keras 3's rule) and by the
 * files present for the command line.
 */
class FileFormatTest {
  @TempDir
  Path tmp;

  @Test
  void forModel_byName() {
    assertEquals(FileFormat.KERAS, FileFormat.forModel(Path.of("runs", "model.keras")));
    assertEquals(FileFormat.SAVED_MODEL, FileFormat.forModel(Path.of("runs", "model")));
    assertEquals(FileFormat.SAVED_MODEL, FileFormat.forModel(Path.of("runs", "model.weights.h5.d")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FileFormat.forModel(Path.of("model.h5")));
    assertTrue(e.getMessage().contains("legacy .h5") && e.getMessage().contains("model.h5"), e.getMessage());
    // A .weights.h5 name is a weights file, not a model: Keras 3 refuses it for save() too.
    assertThrows(IllegalArgumentException.class, () -> FileFormat.forModel(Path.of("model.weights.h5")));
  }

  @Test
  void forWeights_byName() {
    assertEquals(FileFormat.WEIGHTS_H5, FileFormat.forWeights(Path.of("w.weights.h5")));
    assertEquals(FileFormat.TF_CHECKPOINT, FileFormat.forWeights(Path.of("ckpt", "ckpt-3")));
    assertEquals(FileFormat.TF_CHECKPOINT, FileFormat.forWeights(Path.of("model.keras.ckpt")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FileFormat.forWeights(Path.of("w.h5")));
    assertTrue(e.getMessage().contains(".weights.h5") && e.getMessage().contains("w.h5"), e.getMessage());
  }

  @Test
  void detect_fromTheFilesPresent() throws IOException {
    Path saved = Files.createDirectories(tmp.resolve("saved"));
    Files.writeString(saved.resolve("saved_model.pb"), "");
    assertEquals(FileFormat.SAVED_MODEL, FileFormat.detect(saved).format());

    Path dir = Files.createDirectories(tmp.resolve("ckpts"));
    Files.writeString(dir.resolve(FileFormat.TF_CHECKPOINT_STATE_FILE), "");
    assertEquals(FileFormat.TF_CHECKPOINT_DIR, FileFormat.detect(dir).format());

    Files.writeString(dir.resolve("ckpt-1.index"), "");
    Files.writeString(dir.resolve("ckpt-1.data-00000-of-00001"), "");
    FileFormat.Detected byPrefix = FileFormat.detect(dir.resolve("ckpt-1"));
    assertEquals(FileFormat.TF_CHECKPOINT, byPrefix.format());
    assertEquals(dir.resolve("ckpt-1"), byPrefix.path());
    assertEquals(dir.resolve("ckpt-1"), FileFormat.detect(dir.resolve("ckpt-1.index")).path());
    assertEquals(dir.resolve("ckpt-1"), FileFormat.detect(dir.resolve("ckpt-1.data-00000-of-00001")).path());

    Files.writeString(tmp.resolve("m.keras"), "");
    assertEquals(FileFormat.KERAS, FileFormat.detect(tmp.resolve("m.keras")).format());
    Files.writeString(tmp.resolve("w.weights.h5"), "");
    assertEquals(FileFormat.WEIGHTS_H5, FileFormat.detect(tmp.resolve("w.weights.h5")).format());
  }

  @Test
  void detect_namesWhatItExpected() throws IOException {
    assertThrows(NoSuchFileException.class, () -> FileFormat.detect(tmp.resolve("missing")));
    assertThrows(NoSuchFileException.class, () -> FileFormat.detect(tmp.resolve("missing.keras")));
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    IncompatibleModelException e = assertThrows(IncompatibleModelException.class, () -> FileFormat.detect(empty));
    assertTrue(e.getMessage().contains("neither a SavedModel") && e.getMessage().contains(".keras archive"),
        e.getMessage());
    Path text = Files.writeString(tmp.resolve("notes.txt"), "hello");
    e = assertThrows(IncompatibleModelException.class, () -> FileFormat.detect(text));
    assertTrue(e.getMessage().contains("Cannot tell the format of " + text), e.getMessage());
  }
}
