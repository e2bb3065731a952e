package dev.kerasj.saving.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing a SavedModel directory: the new one wins, nothing is left next to it, and a crash at any point of the
 * replace (simulated by leaving the directories as the crash would) still leaves a complete model to load.
 */
class SavedModelOverwriteTest {
  @TempDir Path tmp;
  Path dir;
  Map<String, HostArray> afterOneEpoch;
  Map<String, HostArray> afterTwoEpochs;

  @BeforeEach
  void setUp() {
    dir = tmp.resolve("model");
  }

  private Map<String, HostArray> save(int epochs) throws IOException {
    try (Sequential model = ModelCases.MLP.build()) {
      ModelCases.MLP.fit(model, 0, epochs);
      SavedModelWriter.write(model, dir, TrainingState.afterEpoch(epochs));
      return ModelCases.variables(model);
    }
  }

  private Map<String, HostArray> loadVariables() throws IOException {
    try (Sequential model = Sequential.load(dir)) {
      return ModelCases.variables(model);
    }
  }

  private List<String> entries() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void write_overExistingSavedModel_replacesItAndLeavesNothingElse() throws IOException {
    save(1);
    Map<String, HostArray> second = save(2);
    SavedModelRoundTripTest.assertBitwiseEqual(second, loadVariables());
    assertEquals(2, SavedModelLoader.readTrainingState(dir).epoch());
    assertEquals(List.of("model"), entries());
  }

  @Test
  void load_afterCrashBetweenMoveAsideAndRenameIn_readsThePreviousModel() throws IOException {
    Map<String, HostArray> first = save(1);
    simulateCrashMidReplace();
    assertTrue(Files.notExists(dir));
    SavedModelRoundTripTest.assertBitwiseEqual(first, loadVariables());
    assertEquals(1, SavedModelLoader.readTrainingState(dir).epoch());
  }

  @Test
  void write_afterCrashBetweenMoveAsideAndRenameIn_rollsBackThenReplaces() throws IOException {
    save(1);
    simulateCrashMidReplace();
    Map<String, HostArray> second = save(2);
    SavedModelRoundTripTest.assertBitwiseEqual(second, loadVariables());
    assertEquals(List.of("model"), entries(), "previous copy and staging leftovers are cleaned up");
  }

  @Test
  void write_afterCrashBeforeDeletingPrevious_deletesTheLeftover() throws IOException {
    save(1);
    Path previous = tmp.resolve(SavedModelDirectory.PREVIOUS_PREFIX + "model-" + UUID.randomUUID());
    TestFiles.copyTree(dir, previous);
    Map<String, HostArray> second = save(2);
    SavedModelRoundTripTest.assertBitwiseEqual(second, loadVariables());
    assertEquals(List.of("model"), entries());
  }

  @Test
  void sweepOfStagingLeftovers_neverDeletesThePreviousCopy() throws IOException {
    Map<String, HostArray> first = save(1);
    simulateCrashMidReplace();
    DurableFiles.deleteStagingLeftovers(tmp); // what another component's cleanup may do after the crash
    SavedModelRoundTripTest.assertBitwiseEqual(first, loadVariables());
  }

  @Test
  void write_failingModel_leavesExistingSavedModelIntact() throws IOException {
    Map<String, HostArray> first = save(1);
    try (Sequential custom = new Sequential(dev.kerasj.layers.Input.of(64), new SavedModelBadInputTest.Doubler(),
        new dev.kerasj.layers.Dense(10))) {
      custom.compile("adam", "sparse_categorical_crossentropy");
      assertThrows(IllegalArgumentException.class, () -> SavedModelWriter.write(custom, dir));
    }
    SavedModelRoundTripTest.assertBitwiseEqual(first, loadVariables());
    assertEquals(List.of("model"), entries());
  }

  /** The state a crash right after step 2 of the replace leaves: old moved aside, new complete under staging. */
  private void simulateCrashMidReplace() throws IOException {
    Path previous = tmp.resolve(SavedModelDirectory.PREVIOUS_PREFIX + "model-" + UUID.randomUUID());
    Files.move(dir, previous);
    Path staging = Files.createDirectory(tmp.resolve(DurableFiles.STAGING_PREFIX + "savedmodel-model-"
        + UUID.randomUUID()));
    Files.writeString(staging.resolve("saved_model.pb"), "half written");
  }
}
