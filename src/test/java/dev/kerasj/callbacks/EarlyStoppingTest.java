package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * EarlyStopping driven epoch by epoch with fabricated logs; each expected run (epochs run, stopped epoch, best
 * epoch) is what Keras 3.15.1's EarlyStopping gives for the same values, except where NaN handling differs on
 * purpose.
 */
class EarlyStoppingTest {
  private static final double EXACT = 0.0;
  private static Sequential model;

  @BeforeAll
  static void buildModel() {
    model = TinyModels.linear(0.1, "accuracy", "mae");
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  /**
   * Runs the hooks as {@code fit} would, one epoch per value, until the callback stops training; before each epoch
   * the model's weights are tagged with the epoch index. Returns the number of epochs run.
   */
  private static int drive(EarlyStopping callback, String key, double... values) {
    model.setStopTraining(false);
    callback.setModel(model);
    callback.onTrainBegin(Map.of());
    int ran = 0;
    for (int epoch = 0; epoch < values.length && !model.stopTraining(); epoch++) {
      TinyModels.tagWeights(model, epoch);
      callback.onEpochEnd(epoch, Map.of(key, values[epoch]));
      ran++;
    }
    callback.onTrainEnd(Map.of());
    return ran;
  }

  @Test
  void earlyStopping_withPatience2_stopsTwoEpochsAfterBest() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(2).build();

    int ran = drive(es, "loss", 1.0, 0.9, 0.95, 0.96, 0.97, 0.98);

    assertAll(
        () -> assertEquals(4, ran, "epochs run"),
        () -> assertEquals(3, es.stoppedEpoch(), "stopped epoch"),
        () -> assertEquals(1, es.bestEpoch(), "best epoch"),
        () -> assertEquals(0.9, es.best().getAsDouble(), EXACT));
  }

  @Test
  void earlyStopping_withDefaultPatience0_stopsAtFirstEpochWithoutImprovement() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").build();

    int ran = drive(es, "loss", 1.0, 0.9, 0.95, 0.96);

    assertEquals(3, ran);
    assertEquals(2, es.stoppedEpoch());
  }

  @Test
  void earlyStopping_whileImproving_neverStops() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").build();

    int ran = drive(es, "loss", 1.0, 0.9, 0.8, 0.7);

    assertEquals(4, ran);
    assertEquals(0, es.stoppedEpoch(), "0 means not stopped, as in Keras");
    assertFalse(model.stopTraining());
  }

  @Test
  void minDelta_improvementsSmallerThanIt_doNotCount() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(1).minDelta(0.01).build();

    int ran = drive(es, "loss", 1.0, 0.995, 0.99, 0.985, 0.98);

    assertEquals(2, ran);
    assertEquals(0, es.bestEpoch());
    assertEquals(1.0, es.best().getAsDouble(), EXACT);
  }

  @Test
  void minDelta_improvementsLargerThanIt_count() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(1).minDelta(0.01).build();

    int ran = drive(es, "loss", 1.0, 0.98, 0.96, 0.94);

    assertEquals(4, ran);
    assertEquals(3, es.bestEpoch());
  }

  @Test
  void baseline_notBeaten_stopsAfterPatienceEvenThoughValuesImprove() {
    EarlyStopping withBaseline = EarlyStopping.builder().monitor("loss").patience(2).baseline(0.5).build();
    EarlyStopping without = EarlyStopping.builder().monitor("loss").patience(2).build();

    int ranWithBaseline = drive(withBaseline, "loss", 0.8, 0.7, 0.75, 0.76, 0.77);
    int ranWithout = drive(without, "loss", 0.8, 0.7, 0.75, 0.76, 0.77);

    assertEquals(3, ranWithBaseline, "improvements above the baseline do not reset patience");
    assertEquals(4, ranWithout);
  }

  @Test
  void baseline_beaten_resetsPatience() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(2).baseline(0.5).build();

    int ran = drive(es, "loss", 1.0, 0.9, 0.8, 0.4, 0.45, 0.5, 0.6);

    assertEquals(6, ran);
    assertEquals(5, es.stoppedEpoch());
    assertEquals(3, es.bestEpoch());
  }

  @Test
  void modeMax_withAccuracy_treatsLargerAsBetter() {
    EarlyStopping es = EarlyStopping.builder().monitor("accuracy").mode("max").patience(1).build();

    int ran = drive(es, "accuracy", 0.5, 0.6, 0.55, 0.58, 0.59);

    assertEquals(3, ran);
    assertEquals(1, es.bestEpoch());
    assertEquals(0.6, es.best().getAsDouble(), EXACT);
  }

  @Test
  void modeMin_withAccuracy_treatsSmallerAsBetter() {
    EarlyStopping es = EarlyStopping.builder().monitor("accuracy").mode("min").patience(1).build();

    int ran = drive(es, "accuracy", 0.5, 0.6, 0.55, 0.58, 0.59);

    assertEquals(2, ran);
    assertEquals(0, es.bestEpoch());
  }

  @Test
  void modeAuto_withValAccuracy_maximizesLikeTheCompiledMetric() {
    EarlyStopping es = EarlyStopping.builder().monitor("val_accuracy").patience(1).build();

    int ran = drive(es, "val_accuracy", 0.5, 0.6, 0.55, 0.58, 0.59);

    assertEquals(3, ran);
    assertEquals(0.6, es.best().getAsDouble(), EXACT);
  }

  @Test
  void modeAuto_withValMae_minimizesLikeTheCompiledMetric() {
    EarlyStopping es = EarlyStopping.builder().monitor("val_mae").patience(1).build();

    int ran = drive(es, "val_mae", 0.5, 0.6, 0.55, 0.58, 0.59);

    assertEquals(2, ran, "maximizing would have run 3 epochs");
    assertEquals(0.5, es.best().getAsDouble(), EXACT);
  }

  @Test
  void modeAuto_withUnknownMonitor_failsAtTrainBeginNamingKeyAndMetrics() {
    EarlyStopping es = EarlyStopping.builder().monitor("val_f1").build();
    es.setModel(model);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> es.onTrainBegin(Map.of()));

    assertTrue(e.getMessage().contains("monitor=val_f1"), e.getMessage());
    assertTrue(e.getMessage().contains("val_accuracy") && e.getMessage().contains("mae"), e.getMessage());
  }

  @Test
  void modeAuto_withUnknownMonitor_failsFitBeforeAnyEpoch() {
    EarlyStopping es = EarlyStopping.builder().monitor("val_f1").build();
    List<Integer> epochsBegun = new ArrayList<>();
    LambdaCallback recorder = LambdaCallback.builder().onEpochBegin((epoch, logs) -> epochsBegun.add(epoch)).build();
    float[][] x = TinyModels.inputs(8);
    FitOptions options = FitOptions.builder().epochs(3).verbose(0).callbacks(es, recorder).build();

    assertThrows(IllegalArgumentException.class, () -> model.fit(x, TinyModels.line(x, 2f), options));
    assertEquals(List.of(), epochsBegun);
  }

  @Test
  void modeMax_withUnknownMonitor_isAcceptedAndWarnsWhenMissing() {
    EarlyStopping es = EarlyStopping.builder().monitor("val_f1").mode("max").build();

    try (LogCapture logs = LogCapture.start()) {
      drive(es, "loss", 1.0, 2.0, 3.0);

      assertFalse(model.stopTraining(), "a missing value never stops training");
      assertEquals(List.of("Early stopping conditioned on metric `val_f1` which is not available. "
          + "Available metrics are: loss"), logs.messages(Level.WARN, EarlyStopping.class));
    }
  }

  @Test
  void missingMonitor_warnsOncePerRunAndContinues() {
    EarlyStopping es = EarlyStopping.builder().monitor("val_loss").build();

    try (LogCapture logs = LogCapture.start()) {
      int ran = drive(es, "loss", 1.0, 2.0, 3.0, 4.0);

      assertEquals(4, ran);
      assertEquals(1, logs.messages(Level.WARN, EarlyStopping.class).size(), logs.events().toString());
    }
  }

  @Test
  void restoreBestWeights_setsBackTheBestEpochsWeights() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(2).restoreBestWeights(true).build();

    int ran = drive(es, "loss", 1.0, 0.5, 0.7, 0.8, 0.9);

    assertEquals(4, ran);
    assertEquals(1f, TinyModels.kernel(model), 0f, "kernel tagged at the best epoch");
    assertEquals(1f, model.getWeights().get(1).getFloat(0), 0f, "bias tagged at the best epoch");
  }

  @Test
  void restoreBestWeightsOff_keepsTheLastEpochsWeights() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(2).build();

    drive(es, "loss", 1.0, 0.5, 0.7, 0.8, 0.9);

    assertEquals(3f, TinyModels.kernel(model), 0f);
  }

  @Test
  void restoreBestWeights_withoutEarlyStop_restoresAtTrainEndWhenBestWasNotLast() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(5).restoreBestWeights(true).build();

    int ran = drive(es, "loss", 1.0, 0.5, 0.7);

    assertEquals(3, ran);
    assertEquals(0, es.stoppedEpoch());
    assertEquals(1f, TinyModels.kernel(model), 0f);
  }

  @Test
  void verbose_logsKerasStopAndRestoreMessagesAtInfo_notOnStdout() {
    EarlyStopping es =
        EarlyStopping.builder().monitor("loss").patience(2).restoreBestWeights(true).verbose(1).build();

    try (LogCapture logs = LogCapture.start()) {
      String out = TinyModels.captureOut(() -> drive(es, "loss", 1.0, 0.5, 0.7, 0.8, 0.9));

      assertEquals(List.of("Epoch 4: early stopping", "Restoring model weights from the end of the best epoch: 2."),
          logs.messages(Level.INFO, EarlyStopping.class));
      assertEquals("", out);
    }
  }

  @Test
  void verbose0_logsTheSameMessagesOnlyAtDebug() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(2).restoreBestWeights(true).build();

    try (LogCapture logs = LogCapture.start()) {
      String out = TinyModels.captureOut(() -> drive(es, "loss", 1.0, 0.5, 0.7, 0.8, 0.9));

      assertEquals(List.of(), logs.messages(Level.INFO, EarlyStopping.class));
      assertEquals(List.of("Epoch 4: early stopping", "Restoring model weights from the end of the best epoch: 2."),
          logs.messages(Level.DEBUG, EarlyStopping.class));
      assertEquals("", out);
    }
  }

  @Test
  void startFromEpoch_ignoresWarmUpEpochs() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(1).startFromEpoch(3).build();

    int ran = drive(es, "loss", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0);

    assertEquals(5, ran);
    assertEquals(4, es.stoppedEpoch());
    assertEquals(3, es.bestEpoch());
    assertEquals(4.0, es.best().getAsDouble(), EXACT);
  }

  @Test
  void nan_inFirstEpoch_isNeverBest() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(1).build();

    int ran = drive(es, "loss", Double.NaN, 1.0, 2.0, 3.0);

    assertEquals(3, ran, "Keras stops at epoch 1 here, with best=nan");
    assertEquals(1, es.bestEpoch());
    assertEquals(1.0, es.best().getAsDouble(), EXACT);
  }

  @Test
  void nan_afterBest_countsAsNoImprovement() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(1).restoreBestWeights(true).build();

    int ran = drive(es, "loss", 1.0, Double.NaN, 0.5);

    assertEquals(2, ran);
    assertEquals(0, es.bestEpoch());
    assertEquals(0f, TinyModels.kernel(model), 0f, "weights of the epoch before the NaN");
  }

  @Test
  void onTrainBegin_resetsStateOfPreviousRun() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").patience(0).build();
    drive(es, "loss", 0.1, 0.2);

    int ran = drive(es, "loss", 5.0, 4.0, 3.0);

    assertEquals(3, ran, "the first run's best (0.1) must not carry over");
    assertEquals(3.0, es.best().getAsDouble(), EXACT);
  }

  @Test
  void realFit_whenValidationLossRises_stopsAfterPatienceAndRestoresBestWeights() {
    // Training fits y = 2x while the validation set is y = -2x: every training epoch moves the kernel towards 2
    // (from a Glorot draw in [-1.73, 1.73]), so val_loss rises monotonically after the first epoch.
    float[][] x = TinyModels.inputs(32);
    float[][] xVal = TinyModels.inputs(9);
    try (Sequential m = TinyModels.linear(0.05)) {
      EarlyStopping es = EarlyStopping.builder().patience(2).restoreBestWeights(true).build();
      History h = m.fit(x, TinyModels.line(x, 2f), FitOptions.builder().epochs(20).batchSize(8).seed(TinyModels.SEED)
          .validationData(xVal, TinyModels.line(xVal, -2f)).verbose(0).callbacks(es).build());

      List<Double> valLoss = h.get("val_loss");
      assertEquals(List.of(0, 1, 2), h.epochs(), "val_loss per epoch: " + valLoss);
      assertTrue(valLoss.get(1) > valLoss.get(0) && valLoss.get(2) > valLoss.get(1), valLoss::toString);
      assertEquals(2, es.stoppedEpoch());
      assertEquals(0, es.bestEpoch());
      double restored = m.evaluate(xVal, TinyModels.line(xVal, -2f)).get("loss");
      assertEquals(valLoss.get(0), restored, 1e-5 * valLoss.get(0), "evaluate after restoring epoch 0's weights");
    }
  }

  @Test
  void builder_defaults_mirrorKeras() {
    EarlyStopping es = EarlyStopping.builder().build();

    assertAll(
        () -> assertEquals("val_loss", es.monitor()),
        () -> assertEquals(0.0, es.minDelta(), EXACT),
        () -> assertEquals(0, es.patience()),
        () -> assertEquals(0, es.verbose()),
        () -> assertEquals(Mode.AUTO, es.mode()),
        () -> assertEquals(OptionalDouble.empty(), es.baseline()),
        () -> assertFalse(es.restoreBestWeights()),
        () -> assertEquals(0, es.startFromEpoch()),
        () -> assertEquals(OptionalDouble.empty(), es.best()));
  }

  @Test
  void builder_withUnknownMode_failsNamingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EarlyStopping.builder().mode("maximize").build());

    assertTrue(e.getMessage().contains("mode=\"maximize\""), e.getMessage());
  }

  @Test
  void builder_withNegativePatience_failsNamingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EarlyStopping.builder().patience(-1).build());

    assertTrue(e.getMessage().contains("patience=-1"), e.getMessage());
  }

  @Test
  void builder_withNegativeMinDelta_failsNamingTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EarlyStopping.builder().minDelta(-0.1).build());

    assertTrue(e.getMessage().contains("minDelta=-0.1"), e.getMessage());
  }

  @Test
  void onTrainBegin_withoutModel_failsNamingTheFix() {
    EarlyStopping es = EarlyStopping.builder().monitor("loss").build();

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> es.onTrainBegin(Map.of()));

    assertTrue(e.getMessage().contains("setModel"), e.getMessage());
  }
}
