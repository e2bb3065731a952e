package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LambdaCallbackTest {
  private static Sequential model;

  @BeforeAll
  static void buildModel() {
    model = TinyModels.linear(0.1, "mae");
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  /** A callback recording every hook call as text, such as {@code "batchEnd 2"}. */
  private static LambdaCallback recorder(List<String> events) {
    return LambdaCallback.builder()
        .onTrainBegin(logs -> events.add("trainBegin"))
        .onEpochBegin((epoch, logs) -> events.add("epochBegin " + epoch))
        .onBatchBegin((batch, logs) -> events.add("batchBegin " + batch))
        .onBatchEnd((batch, logs) -> events.add("batchEnd " + batch))
        .onEpochEnd((epoch, logs) -> events.add("epochEnd " + epoch))
        .onTrainEnd(logs -> events.add("trainEnd"))
        .build();
  }

  private static History fit(int samples, FitOptions.Builder options) {
    float[][] x = TinyModels.inputs(samples);
    return model.fit(x, TinyModels.line(x, 2f), options.seed(TinyModels.SEED).verbose(0).build());
  }

  @Test
  void hooks_duringFit_areCalledInKerasOrderWithEpochAndBatchIndices() {
    List<String> events = new ArrayList<>();

    fit(10, FitOptions.builder().epochs(2).batchSize(4).callbacks(recorder(events)));

    assertEquals(List.of("trainBegin",
        "epochBegin 0", "batchBegin 0", "batchEnd 0", "batchBegin 1", "batchEnd 1", "batchBegin 2", "batchEnd 2",
        "epochEnd 0",
        "epochBegin 1", "batchBegin 0", "batchEnd 0", "batchBegin 1", "batchEnd 1", "batchBegin 2", "batchEnd 2",
        "epochEnd 1",
        "trainEnd"), events);
  }

  @Test
  void epochHooks_withInitialEpoch_receiveAbsoluteEpochIndices() {
    List<Integer> epochs = new ArrayList<>();
    LambdaCallback callback = LambdaCallback.builder().onEpochEnd((epoch, logs) -> epochs.add(epoch)).build();

    fit(8, FitOptions.builder().initialEpoch(1).epochs(4).callbacks(callback));

    assertEquals(List.of(1, 2, 3), epochs);
  }

  @Test
  void onEpochEnd_receivesTheLogsHistoryRecords() {
    List<Map<String, Double>> seen = new ArrayList<>();
    LambdaCallback callback = LambdaCallback.builder().onEpochEnd((epoch, logs) -> seen.add(logs)).build();
    float[][] xVal = TinyModels.inputs(4);

    History h = fit(8, FitOptions.builder().epochs(2).validationData(xVal, TinyModels.line(xVal, 2f))
        .callbacks(callback));

    assertEquals(2, seen.size());
    assertEquals(List.of("loss", "mae", "val_loss", "val_mae"), List.copyOf(seen.get(1).keySet()));
    assertEquals(h.get("val_loss").get(1), seen.get(1).get("val_loss"), 0.0);
  }

  @Test
  void onBatchEnd_receivesRunningLoss() {
    List<Double> losses = new ArrayList<>();
    LambdaCallback callback = LambdaCallback.builder().onBatchEnd((batch, logs) -> losses.add(logs.get("loss")))
        .build();

    fit(12, FitOptions.builder().epochs(1).batchSize(4).callbacks(callback));

    assertEquals(3, losses.size());
    assertTrue(losses.stream().allMatch(l -> l != null && Double.isFinite(l)), losses::toString);
  }

  @Test
  void onTrainEnd_receivesLastEpochLogs() {
    List<Map<String, Double>> atEnd = new ArrayList<>();
    LambdaCallback callback = LambdaCallback.builder().onTrainEnd(atEnd::add).build();

    History h = fit(8, FitOptions.builder().epochs(2).callbacks(callback));

    assertEquals(1, atEnd.size());
    assertEquals(h.get("loss").get(1), atEnd.get(0).get("loss"), 0.0);
  }

  @Test
  void unsetHooks_doNothing() {
    History h = fit(8, FitOptions.builder().epochs(2).callbacks(LambdaCallback.builder().build()));

    assertEquals(List.of(0, 1), h.epochs());
  }

  @Test
  void nullHook_isRejectedNamingTheHook() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LambdaCallback.builder().onEpochEnd(null));

    assertTrue(e.getMessage().contains("onEpochEnd"), e.getMessage());
  }

  @Test
  void exceptionInHook_propagatesOutOfFit() {
    LambdaCallback failing = LambdaCallback.builder().onEpochEnd((epoch, logs) -> {
      throw new IllegalStateException("hook failed at epoch " + epoch);
    }).build();

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> fit(8, FitOptions.builder().epochs(2).callbacks(failing)));

    assertEquals("hook failed at epoch 0", e.getMessage());
  }
}
