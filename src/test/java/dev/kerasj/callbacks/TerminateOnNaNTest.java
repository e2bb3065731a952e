package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.testing.LogCapture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class TerminateOnNaNTest {
  private static Sequential model;

  @BeforeAll
  static void buildModel() {
    model = TinyModels.linear(0.1);
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private static TerminateOnNaN attached(TerminateOnNaN callback) {
    model.setStopTraining(false);
    callback.setModel(model);
    return callback;
  }

  @Test
  void terminateOnNaN_withHugeLearningRate_stopsBeforeRequestedEpochs() {
    float[][] x = TinyModels.inputs(32);
    try (Sequential m = TinyModels.linear(1e6); LogCapture logs = LogCapture.start()) {
      History h = m.fit(x, TinyModels.line(x, 100f), FitOptions.builder().epochs(10).batchSize(4)
          .seed(TinyModels.SEED).verbose(0).callbacks(new TerminateOnNaN()).build());

      List<Double> loss = h.get("loss");
      assertTrue(h.epochs().size() < 10, "epochs run: " + h.epochs() + ", loss " + loss);
      assertFalse(Double.isFinite(loss.get(loss.size() - 1)), "last epoch loss " + loss);
      assertTrue(m.stopTraining());
      List<String> warnings = logs.messages(Level.WARN, TerminateOnNaN.class);
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).matches("Batch \\d+: Invalid loss, terminating training"), warnings.get(0));
    }
  }

  @Test
  void outcome_isStoppedOnNaN_whenTrainingStopsOnANonFiniteLoss_whoeverStopsIt() {
    float[][] x = TinyModels.inputs(32);
    try (Sequential m = TinyModels.linear(1e6)) {
      History h = m.fit(x, TinyModels.line(x, 100f), FitOptions.builder().epochs(10).batchSize(4)
          .seed(TinyModels.SEED).verbose(0).callbacks(new TerminateOnNaN()).build());
      assertEquals(TrainingOutcome.STOPPED_ON_NAN, h.outcome());
    }
    // A user's own NaN guard: the same outcome, so BackupAndRestore keeps the last good backup for it too.
    try (Sequential m = TinyModels.linear(1e6)) {
      Callback guard = new Callback() {
        private dev.kerasj.models.KerasModel model;

        @Override
        public void setModel(dev.kerasj.models.KerasModel model) {
          this.model = model;
        }

        @Override
        public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
          if (!Double.isFinite(logs.get("loss"))) {
            model.setStopTraining(true);
          }
        }
      };
      History h = m.fit(x, TinyModels.line(x, 100f), FitOptions.builder().epochs(10).batchSize(4)
          .seed(TinyModels.SEED).verbose(0).callbacks(guard).build());
      assertEquals(TrainingOutcome.STOPPED_ON_NAN, h.outcome());
    }
    // Stopped with a finite loss: stopped early.
    try (Sequential m = TinyModels.linear(0.1)) {
      History h = m.fit(x, TinyModels.line(x, 2f), FitOptions.builder().epochs(10).batchSize(4)
          .seed(TinyModels.SEED).verbose(0).callbacks(EarlyStopping.builder().monitor("loss").patience(0)
              .minDelta(1e9).build()).build());
      assertEquals(TrainingOutcome.STOPPED_EARLY, h.outcome(), "epochs " + h.epochs());
    }
  }

  @Test
  void nanLoss_setsStopTrainingAndLogsKerasMessageAsWarning_notOnStdout() {
    TerminateOnNaN callback = attached(new TerminateOnNaN());

    try (LogCapture logs = LogCapture.start()) {
      String out = TinyModels.captureOut(() -> callback.onTrainBatchEnd(3, Map.of("loss", Double.NaN)));

      assertTrue(model.stopTraining());
      assertEquals(List.of("Batch 3: Invalid loss, terminating training"),
          logs.messages(Level.WARN, TerminateOnNaN.class));
      assertEquals("", out);
    }
  }

  @Test
  void infiniteLoss_setsStopTraining() {
    TerminateOnNaN callback = attached(new TerminateOnNaN());

    callback.onTrainBatchEnd(0, Map.of("loss", Double.NEGATIVE_INFINITY));

    assertTrue(model.stopTraining());
  }

  @Test
  void finiteLoss_doesNotStop() {
    TerminateOnNaN callback = attached(new TerminateOnNaN());

    try (LogCapture logs = LogCapture.start()) {
      callback.onTrainBatchEnd(0, Map.of("loss", 1e30));

      assertFalse(model.stopTraining());
      assertEquals(List.of(), logs.events());
    }
  }

  @Test
  void missingLoss_doesNotStop() {
    TerminateOnNaN callback = attached(new TerminateOnNaN());

    callback.onTrainBatchEnd(0, Map.of("accuracy", Double.NaN));

    assertFalse(model.stopTraining());
  }

  @Test
  void raiseError_throwsNamingBatchAndValue() {
    TerminateOnNaN callback = attached(new TerminateOnNaN(true));

    ArithmeticException e = assertThrows(ArithmeticException.class,
        () -> callback.onTrainBatchEnd(5, Map.of("loss", Double.POSITIVE_INFINITY)));

    assertEquals("NaN or Inf loss encountered at batch 5. Loss value: inf. Terminating training immediately.",
        e.getMessage());
  }

  @Test
  void default_mirrorsKerasGracefulStop() {
    assertFalse(new TerminateOnNaN().raiseError());
  }
}
