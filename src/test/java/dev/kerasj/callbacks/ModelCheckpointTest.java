package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/**
 * ModelCheckpoint's policies (when to save, what name, what to keep), driven through its hooks with fabricated logs
 * and a recording writer, so each rule is tested exactly. Real files are covered by the saving tests.
 */
class ModelCheckpointTest {
  @TempDir
  Path dir;

  private Sequential model;
  private final List<String> written = new ArrayList<>();
  private final List<String> deleted = new ArrayList<>();

  @BeforeEach
  void setUp() {
    model = new Sequential(Input.of(2), new Dense(3, "softmax"));
    model.setSeed(1);
    model.compile(new SGD(), new SparseCategoricalCrossentropy(), "accuracy");
  }

  @AfterEach
  void tearDown() {
    model.close();
  }

  private ModelCheckpoint.Builder builder(String template) {
    return ModelCheckpoint.builder(dir.resolve(template).toString()).writer((m, path, weightsOnly, epochs, batches, state) -> {
      written.add(dir.relativize(path).toString());
      Files.writeString(weightsOnly ? Path.of(path + ".index") : path, "checkpoint");
    }, (path, weightsOnly) -> {
      deleted.add(dir.relativize(path).toString());
      Files.deleteIfExists(weightsOnly ? Path.of(path + ".index") : path);
    });
  }

  private static Map<String, Object> params(boolean validation) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("epochs", 10);
    p.put("steps", 4);
    p.put("do_validation", validation);
    return p;
  }

  private void begin(ModelCheckpoint cb, boolean validation) {
    begin(cb, validation, 0);
  }

  private void begin(ModelCheckpoint cb, boolean validation, int initialEpoch) {
    cb.setModel(model);
    Map<String, Object> p = params(validation);
    p.put("initial_epoch", initialEpoch);
    cb.setParams(p);
    cb.onTrainBegin(Map.of());
  }

  /** What ModelCheckpoint logs at INFO while {@code r} runs, one message a line. */
  private static String captureInfo(Runnable r) {
    try (LogCapture logs = LogCapture.start()) {
      r.run();
      return String.join("\n", logs.messages(Level.INFO, ModelCheckpoint.class));
    }
  }

  private static Map<String, Double> logs(double loss, double valLoss, double valAccuracy) {
    Map<String, Double> l = new LinkedHashMap<>();
    l.put("loss", loss);
    l.put("accuracy", 0.5);
    l.put("val_loss", valLoss);
    l.put("val_accuracy", valAccuracy);
    return l;
  }

  private static void epoch(ModelCheckpoint cb, int epoch, Map<String, Double> logs) {
    cb.onEpochBegin(epoch, Map.of());
    cb.onEpochEnd(epoch, logs);
  }

  @Test
  void everyEpoch_writesTemplatedPathsWithOneBasedEpoch() {
    ModelCheckpoint cb = builder("ckpt_{epoch:02d}-{val_loss:.2f}").build();
    begin(cb, true);
    epoch(cb, 0, logs(1, 0.987, 0.1));
    epoch(cb, 1, logs(1, 0.5, 0.1));
    assertEquals(List.of("ckpt_01-0.99", "ckpt_02-0.50"), written);
  }

  @Test
  void saveBestOnly_savesOnlyImprovements() {
    ModelCheckpoint cb = builder("best").saveBestOnly(true).build();
    begin(cb, true);
    epoch(cb, 0, logs(1, 0.9, 0));
    epoch(cb, 1, logs(1, 0.95, 0));
    epoch(cb, 2, logs(1, 0.8, 0));
    assertEquals(List.of("best", "best"), written);
    assertEquals(0.8, cb.best());
  }

  @Test
  void modeAuto_maximizesAccuracyByItsDeclaredDirection() {
    ModelCheckpoint cb = builder("best_{epoch}").monitor("val_accuracy").saveBestOnly(true).build();
    begin(cb, true);
    epoch(cb, 0, logs(1, 1, 0.5));
    epoch(cb, 1, logs(1, 1, 0.4));
    epoch(cb, 2, logs(1, 1, 0.7));
    assertEquals(List.of("best_1", "best_3"), written);
  }

  @Test
  void nan_isNeverBest_andDoesNotBlockLaterSaves() {
    ModelCheckpoint cb = builder("best_{epoch}").saveBestOnly(true).build();
    begin(cb, true);
    epoch(cb, 0, logs(1, Double.NaN, 0));
    epoch(cb, 1, logs(1, 0.7, 0));
    epoch(cb, 2, logs(1, Double.NaN, 0));
    assertEquals(List.of("best_2"), written);
  }

  @Test
  void initialValueThreshold_blocksValuesThatAreNotBetter() {
    ModelCheckpoint cb = builder("best_{epoch}").saveBestOnly(true).initialValueThreshold(0.5).build();
    begin(cb, true);
    epoch(cb, 0, logs(1, 0.6, 0));
    epoch(cb, 1, logs(1, 0.4, 0));
    assertEquals(List.of("best_2"), written);
  }

  @Test
  void resumedRun_atInitialEpoch_knowsBestFromDisk_andDoesNotOverwriteWithWorse() {
    ModelCheckpoint first = builder("best").saveBestOnly(true).build();
    begin(first, true);
    epoch(first, 0, logs(1, 0.3, 0));
    written.clear();
    ModelCheckpoint resumed = builder("best").saveBestOnly(true).build();
    begin(resumed, true, 1);
    assertEquals(0.3, resumed.best());
    epoch(resumed, 1, logs(1, 0.6, 0));
    assertEquals(List.of(), written, "a worse value after restart must not overwrite the better checkpoint");
    epoch(resumed, 2, logs(1, 0.2, 0));
    assertEquals(List.of("best"), written);
  }

  @Test
  void newRun_inSameDirectory_startsItsOwnBest_andSaysItReplacesTheEarlierOne() {
    ModelCheckpoint first = builder("best").saveBestOnly(true).build();
    begin(first, true);
    epoch(first, 0, logs(1, 0.1, 0));
    written.clear();
    ModelCheckpoint second = builder("best").saveBestOnly(true).build();
    begin(second, true, 0);
    assertTrue(Double.isNaN(second.best()), "a new run must not inherit the earlier run's best: " + second.best());
    String out = captureInfo(() -> epoch(second, 0, logs(1, 0.6, 0)));
    assertEquals(List.of("best"), written, "the new run's first epoch is its best so far and must be saved");
    assertTrue(out.contains("This is a new run; replacing the best model of an earlier run (val_loss=0.10000"), out);
    String later = captureInfo(() -> epoch(second, 1, logs(1, 0.5, 0)));
    assertFalse(later.contains("earlier run"), "said once: " + later);
    assertEquals(List.of("best", "best"), written);
  }

  @Test
  void newRun_afterBackupRestore_takesTheBackupsBest_andSaysNothingAboutAnEarlierRun() {
    ModelCheckpoint first = builder("best").saveBestOnly(true).build();
    begin(first, true);
    epoch(first, 0, logs(1, 0.3, 0));
    Map<String, Object> backup = first.backupState();
    written.clear();
    ModelCheckpoint resumed = builder("best").saveBestOnly(true).build();
    begin(resumed, true, 0);
    resumed.restoreBackupState(backup);
    assertEquals(0.3, resumed.best());
    String out = captureInfo(() -> epoch(resumed, 1, logs(1, 0.2, 0)));
    assertEquals(List.of("best"), written);
    assertFalse(out.contains("earlier run"), out);
  }

  @Test
  void resumeBestTrue_takesBestFromDisk_evenAtInitialEpochZero() {
    ModelCheckpoint first = builder("best").saveBestOnly(true).build();
    begin(first, true);
    epoch(first, 0, logs(1, 0.3, 0));
    written.clear();
    ModelCheckpoint again = builder("best").saveBestOnly(true).resumeBest(true).build();
    begin(again, true, 0);
    assertEquals(0.3, again.best());
    epoch(again, 0, logs(1, 0.6, 0));
    assertEquals(List.of(), written);
  }

  @Test
  void resumeBestFalse_startsFresh_evenAtInitialEpoch() {
    ModelCheckpoint first = builder("best").saveBestOnly(true).build();
    begin(first, true);
    epoch(first, 0, logs(1, 0.3, 0));
    written.clear();
    ModelCheckpoint fresh = builder("best").saveBestOnly(true).resumeBest(false).build();
    begin(fresh, true, 1);
    epoch(fresh, 1, logs(1, 0.6, 0));
    assertEquals(List.of("best"), written);
  }

  @Test
  void newRun_keepsManagingCheckpointsAnEarlierRunLeft() {
    ModelCheckpoint first = builder("ckpt_{epoch}").saveWeightsOnly(true).maxToKeep(2).build();
    begin(first, true);
    epoch(first, 0, logs(1, 0.3, 0));
    epoch(first, 1, logs(1, 0.3, 0));
    ModelCheckpoint second = builder("ckpt_{epoch}").saveWeightsOnly(true).maxToKeep(2).build();
    begin(second, true, 0);
    epoch(second, 4, logs(1, 0.3, 0));
    assertEquals(List.of("ckpt_1"), deleted, "retention covers the earlier run's files too");
  }

  @Test
  void valMonitorWithoutValidationData_failsAtTrainBegin() {
    ModelCheckpoint cb = builder("best").saveBestOnly(true).build();
    cb.setModel(model);
    cb.setParams(params(false));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cb.onTrainBegin(Map.of()));
    assertTrue(e.getMessage().contains("no validation data"), e.getMessage());
  }

  @Test
  void unknownTemplateField_failsAtTrainBeginListingKeys() {
    ModelCheckpoint cb = builder("ckpt_{val_los:.2f}").build();
    cb.setModel(model);
    cb.setParams(params(true));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cb.onTrainBegin(Map.of()));
    assertTrue(e.getMessage().contains("{val_los}") && e.getMessage().contains("val_loss"), e.getMessage());
  }

  @Test
  void badOptions_failAtBuild() {
    assertThrows(IllegalArgumentException.class, () -> builder("x").mode("maximum").build());
    assertThrows(IllegalArgumentException.class, () -> builder("x_{epoch").build());
    assertThrows(IllegalArgumentException.class, () -> builder("x").saveFreq(-1).build());
    assertThrows(IllegalArgumentException.class, () -> builder("x").maxToKeep(0).build());
    assertThrows(IllegalArgumentException.class, () -> builder("x.h5").build());
  }

  @Test
  void batchLevelBestOnlyWithValMonitor_isRejectedWithExplanation() {
    ModelCheckpoint cb = builder("ckpt_{batch}").saveFreq(2).saveBestOnly(true).build();
    cb.setModel(model);
    cb.setParams(params(true));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cb.onTrainBegin(Map.of()));
    assertTrue(e.getMessage().contains("only at epoch end"), e.getMessage());
  }

  @Test
  void saveFreqN_savesEveryNBatchesAcrossEpochs() {
    ModelCheckpoint cb = builder("ckpt_{epoch}_{batch}").saveFreq(3).build();
    begin(cb, false);
    for (int e = 0; e < 2; e++) {
      cb.onEpochBegin(e, Map.of());
      for (int b = 0; b < 4; b++) {
        cb.onTrainBatchEnd(b, Map.of("loss", 1.0, "accuracy", 0.5));
      }
      cb.onEpochEnd(e, Map.of("loss", 1.0, "accuracy", 0.5));
    }
    assertEquals(List.of("ckpt_1_3", "ckpt_2_2"), written);
  }

  @Test
  void maxToKeep_deletesOldestAfterTheNewOneIsWritten_neverTheNewest() {
    ModelCheckpoint cb = builder("ckpt_{epoch}").maxToKeep(2).build();
    begin(cb, true);
    for (int e = 0; e < 4; e++) {
      epoch(cb, e, logs(1, 1, 0));
    }
    assertEquals(List.of("ckpt_1", "ckpt_2"), deleted);
    assertEquals(2, cb.keptPaths().size());
    assertTrue(cb.keptPaths().get(1).endsWith("ckpt_4"));
    assertFalse(Files.exists(dir.resolve("ckpt_1")));
    assertTrue(Files.exists(dir.resolve("ckpt_4")));
  }

  @Test
  void failedWrite_throwsNamingThePath() {
    ModelCheckpoint cb = ModelCheckpoint.builder(dir.resolve("ckpt").toString()).writer((m, p, w, e, b, st) -> {
      throw new IOException("disk full");
    }, (p, w) -> {}).build();
    begin(cb, true);
    java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
        () -> epoch(cb, 0, logs(1, 1, 0)));
    assertTrue(e.getMessage().contains("ckpt") && e.getMessage().contains("disk full"), e.getMessage());
  }

  @Test
  void realFit_callsTheWriterOncePerEpoch() {
    ModelCheckpoint cb = builder("ckpt_{epoch}_{loss:.3f}").build();
    float[][] x = {{0, 1}, {1, 0}, {1, 1}, {0, 0}};
    int[] y = {0, 1, 2, 0};
    model.fit(x, y, FitOptions.builder().epochs(3).verbose(0).callbacks(cb).build());
    assertEquals(3, written.size());
    assertTrue(written.get(2).startsWith("ckpt_3_"), written.toString());
  }

  @Test
  void weightsCheckpointLeftByAnInterruptedOverwrite_isAdoptedOnResume() throws IOException {
    // A kill during an overwrite of ckpt-01 can leave only the previous pair, kept aside in .kerasj-previous-ckpt-01/;
    // listing still reports ckpt-01, and the next run must adopt it rather than fail looking for ckpt-01.index.
    float[][] x = TinyModels.inputs(8);
    Path weights = dir.resolve("weights");
    try (Sequential model = TinyModels.linear(0.1)) {
      model.saveWeights(weights.resolve("ckpt-01"));
      Path aside = Files.createDirectories(weights.resolve(".kerasj-previous-ckpt-01"));
      try (var pair = Files.list(weights)) {
        for (Path f : pair.filter(f -> f.getFileName().toString().startsWith("ckpt-01.")).toList()) {
          Files.move(f, aside.resolve(f.getFileName()));
        }
      }
      assertEquals(List.of(weights.resolve("ckpt-01").toAbsolutePath()), dev.kerasj.saving.tfcheckpoint.TfCheckpoint.list(weights));

      model.fit(x, TinyModels.line(x, 2f), FitOptions.builder().epochs(3).batchSize(4).shuffle(false).verbose(0)
          .callbacks(ModelCheckpoint.builder(weights.resolve("ckpt-{epoch:02d}").toString()).saveWeightsOnly(true)
              .maxToKeep(2).build()).build());

      assertEquals(List.of(weights.resolve("ckpt-02").toAbsolutePath(), weights.resolve("ckpt-03").toAbsolutePath()),
          dev.kerasj.saving.tfcheckpoint.TfCheckpoint.list(weights));
    }
  }

  @Test
  void builder_takesAPathAndAModeEnum() {
    // mode MAX on a falling loss: only the first epoch is "best".
    float[][] x = TinyModels.inputs(8);
    try (Sequential model = TinyModels.linear(0.1)) {
      ModelCheckpoint cb = ModelCheckpoint.builder(dir.resolve("best_{epoch}.weights.h5")).monitor("loss")
          .mode(Mode.MAX).saveBestOnly(true).saveWeightsOnly(true).build();
      model.fit(x, TinyModels.line(x, 2f), FitOptions.builder().epochs(3).batchSize(4).shuffle(false).verbose(0)
          .callbacks(cb).build());
      assertEquals(dir.resolve("best_1.weights.h5").toString(), cb.bestPath());
    }
  }
}
