package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.saving.CorruptCheckpointException;
import dev.kerasj.testing.Interrupts;
import dev.kerasj.testing.LogCapture;
import dev.kerasj.testing.ToyData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * {@link BackupAndRestore} in one JVM: interrupts at chosen batches ({@link BackupAndRestore#requestInterrupt()}),
 * resumes, and compares with an uninterrupted run bit for bit (weights, history, CSV file, callbacks' decisions).
 * The model has Dropout and Adam, so masks, slots and the step counter must all resume exactly.
 */
class BackupAndRestoreTest {
  static final int SAMPLES = 50;
  static final int BATCH = 8; // 7 batches per epoch, the last one partial
  static final int EPOCHS = 4;

  @TempDir
  Path tmp;

  @AfterEach
  void resetHook() {
    BackupAndRestore.hook = stage -> { };
  }

  private static Result reference;

  /** The uninterrupted run (the same for every test, computed once). */
  static synchronized Result reference() throws IOException {
    if (reference == null) {
      Path dir = Files.createTempDirectory("kerasj-backup-reference");
      try {
        reference = new BackupAndRestoreTest().fit(dir, -1, 0);
      } finally {
        dev.kerasj.saving.DurableFiles.deleteRecursively(dir);
      }
    }
    return reference;
  }

  static Sequential model() {
    Sequential m = new Sequential(Input.of(4), new Dense(8, "relu"), new Dropout(0.3), new Dense(3, "softmax"));
    m.setSeed(11);
    m.compile(new Adam(0.05), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static float[][] x() {
    return ToyData.features(3, SAMPLES);
  }

  static int[] y() {
    return ToyData.classes(x());
  }

  /** One run's results. */
  record Result(TrainingOutcome outcome, List<float[]> weights, Map<String, List<Double>> history, String csv) {}

  /** Runs fit with a backup in {@code run}; interrupts after global batch {@code interruptAt} (-1: never). */
  Result fit(Path run, int interruptAt, int saveFreq) throws IOException {
    Files.createDirectories(run);
    try (Sequential m = model()) {
      BackupAndRestore.Builder b = BackupAndRestore.builder(run.resolve("backup"));
      if (saveFreq > 0) {
        b.saveFreq(saveFreq);
      }
      BackupAndRestore backup = b.build();
      Callback interrupter = Interrupts.afterBatch(backup, interruptAt);
      History h = m.fit(x(), y(), FitOptions.builder().epochs(EPOCHS).batchSize(BATCH).verbose(0)
          .validationData(x(), y())
          .callbacks(interrupter, backup, new CSVLogger(run.resolve("log.csv")),
              EarlyStopping.builder().monitor("val_loss").patience(50).build(),
              ReduceLROnPlateau.builder().monitor("loss").patience(1).factor(0.5).build())
          .build());
      List<float[]> weights = new ArrayList<>();
      for (FloatNdArray w : m.getWeights()) {
        float[] v = new float[(int) w.size()];
        w.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
        weights.add(v);
      }
      return new Result(h.outcome(), weights, h.history(),
          Files.readString(run.resolve("log.csv"), StandardCharsets.UTF_8));
    }
  }

  static void assertSameRun(Result expected, Result actual) {
    assertEquals(expected.weights().size(), actual.weights().size());
    for (int i = 0; i < expected.weights().size(); i++) {
      assertArrayEquals(expected.weights().get(i), actual.weights().get(i), 0f, "weight " + i + " (bitwise)");
    }
    assertEquals(expected.history(), actual.history());
    assertEquals(expected.csv(), actual.csv());
  }

  @ParameterizedTest(name = "interrupted after global batch {0}")
  @ValueSource(ints = {0, 3, 6, 13, 20})
  void resume_afterInterruptAtBatch_endsBitwiseEqualToUninterruptedRun(int batch) throws IOException {
    Result reference = reference();
    assertEquals(TrainingOutcome.COMPLETED, reference.outcome());
    Path run = tmp.resolve("run");
    Result first = fit(run, batch, 0);
    assertEquals(TrainingOutcome.INTERRUPTED, first.outcome());
    assertTrue(Files.isDirectory(run.resolve("backup")), "an interrupted run keeps its backup");
    Result resumed = fit(run, -1, 0);
    assertEquals(TrainingOutcome.COMPLETED, resumed.outcome());
    assertSameRun(reference, resumed);
    assertFalse(Files.exists(run.resolve("backup")), "a completed run deletes its backup");
  }

  @Test
  void resume_withBatchBackups_afterSeveralInterruptions_endsBitwiseEqual() throws IOException {
    Result reference = reference();
    Path run = tmp.resolve("run");
    for (int at : new int[] {2, 5, 9}) {
      assertEquals(TrainingOutcome.INTERRUPTED, fit(run, at, 3).outcome());
    }
    assertSameRun(reference, fit(run, -1, 3));
  }

  @Test
  void schedule_resumesFromTheSavedStepCounter_bitwise() throws IOException {
    float[][] x = x();
    int[] y = y();
    float[][] expected;
    double expectedLr;
    try (Sequential m = scheduled()) {
      m.fit(x, y, FitOptions.builder().epochs(3).batchSize(BATCH).verbose(0).build());
      expected = kernel(m);
      expectedLr = m.learningRate();
      assertEquals(new ExponentialDecayHolder().schedule.valueAt(21), expectedLr, 1e-8, "21 steps into the schedule");
    }
    Path dir = tmp.resolve("backup");
    try (Sequential m = scheduled()) {
      BackupAndRestore backup = new BackupAndRestore(dir);
      Callback stopAt10 = new Callback() {
        int n;

        @Override
        public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
          if (++n == 10) {
            backup.requestInterrupt();
          }
        }
      };
      assertEquals(TrainingOutcome.INTERRUPTED, m.fit(x, y, FitOptions.builder().epochs(3).batchSize(BATCH).verbose(0)
          .callbacks(backup, stopAt10).build()).outcome());
    }
    try (Sequential m = scheduled()) {
      m.fit(x, y, FitOptions.builder().epochs(3).batchSize(BATCH).verbose(0).callbacks(new BackupAndRestore(dir))
          .build());
      assertEquals(21, m.iterations());
      assertEquals(expectedLr, m.learningRate(), 0.0);
      float[][] actual = kernel(m);
      for (int i = 0; i < expected.length; i++) {
        assertArrayEquals(expected[i], actual[i], 0f);
      }
    }
  }

  private static final class ExponentialDecayHolder {
    final dev.kerasj.optimizers.schedules.ExponentialDecay schedule =
        new dev.kerasj.optimizers.schedules.ExponentialDecay(0.05, 5, 0.7);
  }

  private static Sequential scheduled() {
    Sequential m = new Sequential(Input.of(4), new Dense(8, "relu"), new Dropout(0.3), new Dense(3, "softmax"));
    m.setSeed(11);
    Adam adam = new Adam();
    adam.setLearningRateSchedule(new ExponentialDecayHolder().schedule);
    m.compile(adam, new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  private static float[][] kernel(Sequential m) {
    FloatNdArray w = m.getWeights().get(0);
    float[][] out = new float[(int) w.shape().get(0)][(int) w.shape().get(1)];
    org.tensorflow.ndarray.StdArrays.copyFrom(w, out);
    return out;
  }

  @Test
  void terminateOnNaN_keepsTheLastGoodBackup() throws IOException {
    Path dir = tmp.resolve("backup");
    float[][] x = TinyModels.inputs(64);
    for (float[] row : x) {
      row[0] *= 1000;
    }
    AtomicInteger firstBadStep = new AtomicInteger(-1);
    AtomicInteger steps = new AtomicInteger();
    Callback watch = new Callback() {
      @Override
      public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
        int step = steps.incrementAndGet();
        if (!Double.isFinite(logs.get("loss")) && firstBadStep.get() < 0) {
          firstBadStep.set(step);
        }
      }
    };
    try (Sequential m = TinyModels.linear(1e3)) {
      History h = m.fit(x, TinyModels.line(x, 3), FitOptions.builder().epochs(20).batchSize(4).verbose(0)
          .callbacks(watch, new TerminateOnNaN(), BackupAndRestore.builder(dir).saveFreq(1).build()).build());
      assertEquals(TrainingOutcome.STOPPED_ON_NAN, h.outcome());
    }
    assertTrue(firstBadStep.get() > 1, "the loss diverged at step " + firstBadStep.get());
    List<Path> backups = BackupAndRestore.list(dir);
    assertEquals(2, backups.size(), "the backups are kept after NaN: " + backups);
    String state = Files.readString(backups.get(1).resolve(BackupAndRestore.STATE_FILE));
    assertTrue(state.contains("\"iterations\" : " + (firstBadStep.get() - 1) + ","),
        "the newest backup is the one before the NaN step " + firstBadStep.get() + ": " + state);
  }

  @Test
  void failure_keepsBackup_andOutcomeSaysFailed() throws IOException {
    Path dir = tmp.resolve("backup");
    List<TrainingOutcome> seen = new ArrayList<>();
    try (Sequential m = model()) {
      Callback failing = new Callback() {
        @Override
        public void onEpochBegin(int epoch, Map<String, Double> logs) {
          if (epoch == 1) {
            throw new IllegalStateException("boom");
          }
        }

        @Override
        public void onTrainEnd(Map<String, Double> logs, TrainingOutcome outcome) {
          seen.add(outcome);
        }
      };
      assertThrows(IllegalStateException.class, () -> m.fit(x(), y(), FitOptions.builder().epochs(3).batchSize(BATCH)
          .verbose(0).callbacks(new BackupAndRestore(dir), failing).build()));
    }
    assertEquals(List.of(TrainingOutcome.FAILED), seen);
    assertEquals(1, BackupAndRestore.list(dir).size(), "the epoch-1 backup survives the failure");
  }

  @ParameterizedTest
  @EnumSource(BackupAndRestore.Stage.class)
  void ioErrorAtEachStageOfSave_failsFit_keepsPreviousBackup_andResumeEndsBitwiseEqual(BackupAndRestore.Stage stage)
      throws IOException {
    Result reference = reference();
    Path run = tmp.resolve("run");
    AtomicInteger saves = new AtomicInteger();
    BackupAndRestore.hook = s -> {
      if (s == stage && saves.incrementAndGet() == 2) { // the second backup (after epoch 2) fails at this stage
        throw new IOException("injected I/O error at " + s);
      }
    };
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> fit(run, -1, 0));
    assertTrue(e.getMessage().contains("BackupAndRestore could not write backup"), e.getMessage());
    assertTrue(e.getMessage().contains("injected I/O error at " + stage), e.getMessage());
    BackupAndRestore.hook = s -> { };
    List<Path> left = BackupAndRestore.list(run.resolve("backup"));
    boolean committed = stage.compareTo(BackupAndRestore.Stage.COMMITTED) >= 0;
    assertEquals(committed ? 2 : 1, left.size(), "backups after a failure at " + stage + ": " + left);
    assertSameRun(reference, fit(run, -1, 0));
  }

  @Test
  void corruptLatestBackup_fallsBackToPrevious_andSaysSo() throws IOException {
    Result reference = reference();
    Path run = tmp.resolve("run");
    BackupAndRestore.Builder b = BackupAndRestore.builder(run.resolve("backup"));
    fit(run, 15, 0); // interrupted in epoch 3: backups after epochs 1, 2 and at the interruption; two kept
    List<Path> backups = BackupAndRestore.list(run.resolve("backup"));
    assertEquals(2, backups.size());
    Path data = backups.get(1).resolve(BackupAndRestore.WEIGHTS + ".data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 0x5a;
    Files.write(data, bytes);
    try (LogCapture logs = LogCapture.start()) {
      assertSameRun(reference, fit(run, -1, 0));
      List<String> warnings = logs.messages(Level.WARN, BackupAndRestore.class);
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("backup " + backups.get(1) + " is unreadable"), warnings.get(0));
      assertTrue(warnings.get(0).contains("falling back to the previous backup " + backups.get(0)), warnings.get(0));
    }
  }

  /**
   * A changed number in the newest backup's state (here its epoch, which would skip or repeat training) is caught by
   * the backup's SHA-256 manifest: the previous backup is used and the run still ends as the uninterrupted one.
   */
  @Test
  void editedStateOfLatestBackup_isCaughtByItsChecksum_andFallsBack() throws IOException {
    Result reference = reference();
    Path run = tmp.resolve("run");
    fit(run, 15, 0);
    List<Path> backups = BackupAndRestore.list(run.resolve("backup"));
    Path state = backups.get(1).resolve(BackupAndRestore.STATE_FILE);
    String text = Files.readString(state);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"epoch\" : (\\d+)").matcher(text);
    assertTrue(m.find(), text);
    Files.writeString(state, text.replace(m.group(), "\"epoch\" : " + (Integer.parseInt(m.group(1)) + 1)));
    try (LogCapture logs = LogCapture.start()) {
      assertSameRun(reference, fit(run, -1, 0));
      List<String> warnings = logs.messages(Level.WARN, BackupAndRestore.class);
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains(state + " is damaged or was changed after kerasj wrote it: sha256 is "),
          warnings.get(0));
    }
  }

  @Test
  void everyBackupUnreadable_throws_neverStartsFromScratch() throws IOException {
    Path run = tmp.resolve("run");
    fit(run, 10, 0);
    for (Path p : BackupAndRestore.list(run.resolve("backup"))) {
      Files.writeString(p.resolve(BackupAndRestore.STATE_FILE), "{ not json");
    }
    CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> fit(run, -1, 0));
    assertTrue(e.getMessage().contains("none is readable"), e.getMessage());
    assertTrue(e.getMessage().contains("Refusing to start from scratch"), e.getMessage());
  }

  @Test
  void resumeWithADifferentBatchSize_isRejected_beforeAnyCallbackTouchesItsFiles() throws IOException {
    Path run = tmp.resolve("run");
    fit(run, 10, 0);
    String csv = Files.readString(run.resolve("log.csv"));
    try (Sequential m = model()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.fit(x(), y(),
          FitOptions.builder().epochs(EPOCHS).batchSize(16).verbose(0)
              .callbacks(new BackupAndRestore(run.resolve("backup")), new CSVLogger(run.resolve("log.csv"))).build()));
      assertTrue(e.getMessage().contains("batchSize 8"), e.getMessage());
      assertTrue(e.getMessage().contains("batchSize 16"), e.getMessage());
    }
    assertEquals(csv, Files.readString(run.resolve("log.csv")), "the CSV log is untouched");
    assertEquals(2, BackupAndRestore.list(run.resolve("backup")).size(), "the backups are kept");
  }

  @Test
  void interruptRequestedFromAnotherThread_stopsAfterTheCurrentStep() throws Exception {
    Path dir = tmp.resolve("backup");
    try (Sequential m = model()) {
      BackupAndRestore backup = new BackupAndRestore(dir);
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
      Callback signalOnFirstBatch = new Callback() {
        @Override
        public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
          started.countDown();
        }
      };
      Thread other = new Thread(() -> {
        try {
          started.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        backup.requestInterrupt();
      });
      other.start();
      History h = m.fit(x(), y(), FitOptions.builder().epochs(1000).batchSize(BATCH).verbose(0)
          .callbacks(backup, signalOnFirstBatch).build());
      other.join();
      assertEquals(TrainingOutcome.INTERRUPTED, h.outcome());
      assertEquals(1, BackupAndRestore.list(dir).size());
      assertTrue(m.iterations() < 1000L * 7, "stopped long before the end: " + m.iterations());
    }
  }

  @Test
  void builder_rejectsBadValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BackupAndRestore.builder(tmp).saveFreq(0));
    assertTrue(e.getMessage().contains("saveFreq=0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BackupAndRestore.builder(null));
  }
}
