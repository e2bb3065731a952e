package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.CategoricalCrossentropy;
import dev.kerasj.metrics.AUC;
import dev.kerasj.metrics.F1Score;
import dev.kerasj.metrics.Precision;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.Interrupts;
import dev.kerasj.testing.ToyData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * A run with stateful metrics (AUC's confusion counts, Precision's, F1Score's per-class counts) interrupted inside
 * an epoch and resumed from its {@link BackupAndRestore} backup ends bitwise equal to the uninterrupted run: the
 * backup carries the metrics' accumulated state, so the interrupted epoch's logged values are the whole epoch's.
 */
class StatefulMetricBackupTest {
  static final int SAMPLES = 60;
  static final int BATCH = 8; // 8 batches per epoch, the last one partial
  static final int EPOCHS = 3;

  @TempDir
  Path tmp;

  static Sequential model() {
    Sequential m = new Sequential(Input.of(4), new Dense(8, "relu"), new Dense(3, "softmax"));
    m.setSeed(17);
    m.compile(new Adam(0.02), new CategoricalCrossentropy(), AUC.create(),
        AUC.builder().curve(AUC.Curve.PR).numThresholds(20).name("pr_auc").build(), Precision.create(),
        F1Score.builder().average(F1Score.Average.MACRO).build(), "accuracy");
    return m;
  }

  static float[][] x() {
    return ToyData.features(5, SAMPLES);
  }

  static float[][] y() {
    int[] classes = ToyData.classes(x());
    float[][] y = new float[SAMPLES][3];
    for (int i = 0; i < SAMPLES; i++) {
      y[i][classes[i]] = 1f;
    }
    return y;
  }

  record Run(TrainingOutcome outcome, List<float[]> weights, Map<String, List<Double>> history) {}

  Run fit(Path dir, int interruptAt) {
    try (Sequential m = model()) {
      BackupAndRestore backup = BackupAndRestore.builder(dir.resolve("backup")).build();
      Callback interrupter = Interrupts.afterBatch(backup, interruptAt);
      History h = m.fit(x(), y(), FitOptions.builder().epochs(EPOCHS).batchSize(BATCH).verbose(0)
          .validationData(x(), y()).callbacks(interrupter, backup).build());
      List<float[]> weights = new ArrayList<>();
      for (FloatNdArray w : m.getWeights()) {
        float[] v = new float[(int) w.size()];
        w.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
        weights.add(v);
      }
      return new Run(h.outcome(), weights, h.history());
    }
  }

  @ParameterizedTest(name = "interrupted after global batch {0}")
  @ValueSource(ints = {2, 11})
  void resume_insideAnEpoch_withStatefulMetrics_endsBitwiseEqualToUninterruptedRun(int at) throws IOException {
    Run reference = fit(tmp.resolve("reference"), -1);
    assertEquals(TrainingOutcome.COMPLETED, reference.outcome());
    Path run = tmp.resolve("run");
    assertEquals(TrainingOutcome.INTERRUPTED, fit(run, at).outcome());
    Run resumed = fit(run, -1);
    assertEquals(TrainingOutcome.COMPLETED, resumed.outcome());
    for (int i = 0; i < reference.weights().size(); i++) {
      assertArrayEquals(reference.weights().get(i), resumed.weights().get(i), 0f, "weight " + i + " (bitwise)");
    }
    // Double.equals: the same bits, every epoch, every metric and val_ metric.
    assertEquals(reference.history(), resumed.history());
  }

  @Test
  void history_holdsEveryStatefulMetricAndItsValidationTwin_perEpoch() {
    Run r = fit(tmp.resolve("keys"), -1);
    assertEquals(List.of("loss", "auc", "pr_auc", "precision", "f1_score", "accuracy", "val_loss", "val_auc",
        "val_pr_auc", "val_precision", "val_f1_score", "val_accuracy"), List.copyOf(r.history().keySet()));
    r.history().values().forEach(v -> assertEquals(EPOCHS, v.size()));
    assertNotEquals(r.history().get("auc").get(0), r.history().get("auc").get(2));
  }

  @Test
  void compile_withAVectorMetric_failsSayingLogsHoldOneNumber() {
    try (Sequential m = new Sequential(Input.of(4), new Dense(3, "softmax"))) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> m.compile(new Adam(0.02), new CategoricalCrossentropy(), F1Score.create()));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("f1_score")
          && e.getMessage().contains("F1Score.Average.MACRO"), e.getMessage());
    }
  }

  /** {@code Model(x, [cls, bin])}: AUC and F1 on a softmax output, Precision and Recall on a sigmoid one. */
  static dev.kerasj.Model twoOutputs() {
    dev.kerasj.layers.KerasTensor in = Input.tensor("x", 4);
    dev.kerasj.layers.KerasTensor h = new Dense(8, "relu").apply(in);
    dev.kerasj.layers.KerasTensor cls = Dense.builder(3).activation("softmax").name("cls").build().apply(h);
    dev.kerasj.layers.KerasTensor bin = Dense.builder(1).activation("sigmoid").name("bin").build().apply(h);
    dev.kerasj.Model m = new dev.kerasj.Model(List.of(in), List.of(cls, bin));
    m.setSeed(19);
    m.compile(dev.kerasj.CompileOptions.builder(new Adam(0.02), Map.of("cls", "categorical_crossentropy", "bin",
        "binary_crossentropy")).metrics(Map.of("cls", List.of("auc", F1Score.builder()
            .average(F1Score.Average.WEIGHTED).build()), "bin", List.of("precision", "recall"))).build());
    return m;
  }

  Run fitTwoOutputs(Path dir, int interruptAt) {
    float[][] bin = new float[SAMPLES][1];
    float[][] x = x();
    for (int i = 0; i < SAMPLES; i++) {
      bin[i][0] = x[i][3] > 0.4 ? 1f : 0f; // imbalanced
    }
    try (dev.kerasj.Model m = twoOutputs()) {
      BackupAndRestore backup = BackupAndRestore.builder(dir.resolve("backup")).build();
      Callback interrupter = Interrupts.afterBatch(backup, interruptAt);
      Map<String, Object> y = Map.of("cls", y(), "bin", bin);
      History h = m.fit(Map.of("x", x), y, FitOptions.builder().epochs(EPOCHS).batchSize(BATCH).verbose(0)
          .validationData(Map.of("x", x), y).callbacks(interrupter, backup).build());
      List<float[]> weights = new ArrayList<>();
      for (FloatNdArray w : m.getWeights()) {
        float[] v = new float[(int) w.size()];
        w.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
        weights.add(v);
      }
      return new Run(h.outcome(), weights, h.history());
    }
  }

  @Test
  void functionalTwoOutputs_perOutputStatefulMetrics_resumeBitwise() {
    Run reference = fitTwoOutputs(tmp.resolve("reference"), -1);
    assertEquals(List.of("loss", "cls_loss", "bin_loss", "cls_auc", "cls_f1_score", "bin_precision", "bin_recall",
        "val_loss", "val_cls_loss", "val_bin_loss", "val_cls_auc", "val_cls_f1_score", "val_bin_precision",
        "val_bin_recall"), List.copyOf(reference.history().keySet()));
    Path run = tmp.resolve("run");
    assertEquals(TrainingOutcome.INTERRUPTED, fitTwoOutputs(run, 4).outcome());
    Run resumed = fitTwoOutputs(run, -1);
    for (int i = 0; i < reference.weights().size(); i++) {
      assertArrayEquals(reference.weights().get(i), resumed.weights().get(i), 0f, "weight " + i + " (bitwise)");
    }
    assertEquals(reference.history(), resumed.history());
  }
}
