package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.testing.LogCapture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

/** Callbacks' messages go to SLF4J, never to stdout; Keras' {@code verbose} picks INFO (above 0) or DEBUG (0). */
class CallbackLoggingTest {
  @TempDir
  Path dir;

  private String fitWith(ModelCheckpoint checkpoint) {
    float[][] x = TinyModels.inputs(8);
    try (Sequential model = TinyModels.linear(0.1)) {
      return TinyModels.captureOut(() -> model.fit(x, TinyModels.line(x, 2f), FitOptions.builder().epochs(2)
          .batchSize(4).shuffle(false).verbose(0).callbacks(checkpoint).build()));
    }
  }

  @Test
  void modelCheckpoint_verbose1_logsKerasMessagesAtInfo_andPrintsNothing() {
    Path ckpt = dir.resolve("ckpt-{epoch:02d}");
    try (LogCapture logs = LogCapture.start()) {
      String out = fitWith(ModelCheckpoint.builder(ckpt.toString()).saveWeightsOnly(true).verbose(1).build());

      assertEquals(List.of(
              "Epoch 1: saving model to " + dir.resolve("ckpt-01"),
              "Epoch 1: finished saving model to " + dir.resolve("ckpt-01"),
              "Epoch 2: saving model to " + dir.resolve("ckpt-02"),
              "Epoch 2: finished saving model to " + dir.resolve("ckpt-02")),
          logs.messages(Level.INFO, ModelCheckpoint.class));
      assertEquals("", out, "verbose 0 fit with a checkpoint prints nothing on stdout");
    }
  }

  @Test
  void modelCheckpoint_saveBestOnly_logsImprovementAndNoImprovement() {
    Path best = dir.resolve("best");
    try (LogCapture logs = LogCapture.start()) {
      fitWith(ModelCheckpoint.builder(best.toString()).monitor("loss").saveBestOnly(true).saveWeightsOnly(true)
          .verbose(1).build());

      List<String> info = logs.messages(Level.INFO, ModelCheckpoint.class);
      assertTrue(info.get(0).startsWith("Epoch 1: loss improved from None to "), info.toString());
      assertTrue(info.get(0).endsWith(", saving model to " + best), info.toString());
    }
  }

  @Test
  void modelCheckpoint_verbose0_logsTheSameMessagesOnlyAtDebug() {
    Path ckpt = dir.resolve("ckpt-{epoch:02d}");
    try (LogCapture logs = LogCapture.start()) {
      fitWith(ModelCheckpoint.builder(ckpt.toString()).saveWeightsOnly(true).build());

      assertEquals(List.of(), logs.messages(Level.INFO, ModelCheckpoint.class));
      List<String> debug = logs.messages(Level.DEBUG, ModelCheckpoint.class);
      assertEquals(4, debug.size(), debug.toString());
      assertEquals("Epoch 1: saving model to " + dir.resolve("ckpt-01"), debug.get(0));
    }
  }
}
