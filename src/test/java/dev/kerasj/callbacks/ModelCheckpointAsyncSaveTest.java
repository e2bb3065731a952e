package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Validation of {@code asyncSave}; its behaviour with real files is in the saving tests (AsyncCheckpointTest). */
class ModelCheckpointAsyncSaveTest {
  @Test
  void build_asyncSaveOfFullModel_rejectedNamingBothOptions() {
    ModelCheckpoint.Builder b = ModelCheckpoint.builder("models/epoch_{epoch}").asyncSave(true);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);

    assertTrue(e.getMessage().contains("asyncSave=true") && e.getMessage().contains("saveWeightsOnly=false"),
        e.getMessage());
  }

  @Test
  void build_asyncSaveWithWeightsOnly_accepted() {
    ModelCheckpoint.builder("ckpts/ckpt-{epoch}").saveWeightsOnly(true).asyncSave(true).build();
  }
}
