package dev.kerasj.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress bar redraws only on a terminal; anywhere else it writes one line per epoch. */
class ProgbarLoggerTest {
  private static final int EPOCHS = 3;
  private static final int STEPS = 5;

  /** Drives a logger through {@value #EPOCHS} epochs of {@value #STEPS} batches; what it printed. */
  private static String drive(int verbose, boolean terminal) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    ProgbarLogger logger = new ProgbarLogger(verbose, new PrintStream(buffer, true, StandardCharsets.UTF_8),
        terminal);
    logger.setParams(Map.of("epochs", EPOCHS, "steps", STEPS, "verbose", verbose));
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      logger.onEpochBegin(epoch, Map.of());
      for (int batch = 0; batch < STEPS; batch++) {
        logger.onTrainBatchEnd(batch, Map.of("loss", 1.0 / (batch + 1)));
        if (terminal) {
          sleepPastRedrawInterval(); // so that every batch redraws
        }
      }
      Map<String, Double> logs = new LinkedHashMap<>();
      logs.put("accuracy", 0.5 + epoch / 10.0);
      logs.put("loss", 0.25);
      logs.put("val_loss", 0.0001);
      logger.onEpochEnd(epoch, logs);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  private static void sleepPastRedrawInterval() {
    try {
      Thread.sleep(ProgbarLogger.REDRAW_INTERVAL_MS + 5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void notATerminal_verbose1_writesOneLinePerEpochWithoutCarriageReturns() {
    String out = drive(1, false);

    assertFalse(out.contains("\r"), out);
    List<String> lines = out.lines().toList();
    assertEquals(2 * EPOCHS, lines.size(), out);
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      assertEquals("Epoch " + (epoch + 1) + "/" + EPOCHS, lines.get(2 * epoch));
      String line = lines.get(2 * epoch + 1);
      assertTrue(line.matches(STEPS + "/" + STEPS + " - \\d+s - \\d+(ms|us)/step - accuracy: 0\\.\\d{4} - loss: "
          + "0\\.2500 - val_loss: 1\\.0000e-04"), line);
      assertTrue(line.contains("accuracy: " + String.format(java.util.Locale.ROOT, "%.4f", 0.5 + epoch / 10.0)),
          line);
    }
  }

  @Test
  void notATerminal_verbose1_printsWhatVerbose2Prints() {
    String one = drive(1, false).replaceAll("\\d+(ms|us)/step", "T/step");
    String two = drive(2, false).replaceAll("\\d+(ms|us)/step", "T/step");

    assertEquals(two, one);
  }

  @Test
  void terminal_verbose1_redrawsTheBarInPlace() {
    String out = drive(1, true);

    long redraws = out.chars().filter(c -> c == '\r').count();
    assertTrue(redraws >= EPOCHS * (STEPS + 1), "a redraw per batch and one per epoch end: " + redraws);
    List<String> lines = List.of(out.split("\n"));
    assertEquals(2 * EPOCHS, lines.size(), out);
    String last = lines.get(lines.size() - 1);
    String finalDraw = last.substring(last.lastIndexOf('\r') + 1);
    assertTrue(finalDraw.startsWith(STEPS + "/" + STEPS + " " + "━".repeat(20) + " "), finalDraw);
    assertTrue(finalDraw.endsWith(" - accuracy: 0.7000 - loss: 0.2500 - val_loss: 1.0000e-04"), finalDraw);
  }

  @Test
  void verbose2_neverRedraws_evenOnATerminal() {
    assertFalse(drive(2, true).contains("\r"));
    assertFalse(new ProgbarLogger(2, System.out, true).dynamicDisplay());
  }

  @Test
  void fit_withStdoutNotATerminal_writesNoCarriageReturn() {
    assertFalse(ProgbarLogger.stdoutIsTerminal(), "the test JVM's stdout is a pipe");
    float[][] x = TinyModels.inputs(40);
    try (Sequential model = TinyModels.linear(0.1)) {
      String out = TinyModels.captureOut(() -> model.fit(x, TinyModels.line(x, 2f),
          FitOptions.builder().epochs(2).batchSize(4).verbose(1).build()));

      assertFalse(out.contains("\r"), out);
      List<String> lines = out.lines().toList();
      assertEquals(4, lines.size(), out);
      assertEquals("Epoch 2/2", lines.get(2));
      assertTrue(lines.get(3).startsWith("10/10 - "), lines.get(3));
      assertTrue(lines.get(3).contains(" - loss: "), lines.get(3));
    }
  }
}
