package dev.kerasj.callbacks;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras' {@code ProgbarLogger}, added by {@code fit} for {@code verbose=1} (a live bar with ETA and running metrics,
 * redrawn with carriage returns at most every {@value #REDRAW_INTERVAL_MS} ms) and {@code verbose=2} (one line per
 * epoch).
 *
 * <pre>
 * Epoch 1/20
 * 41/41 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.5511 - loss: 1.7460 - val_accuracy: 0.8542 - val_loss: 0.7331
 * </pre>
 */
public final class ProgbarLogger implements Callback {
  /** Minimum time between two redraws of the live bar. */
  public static final long REDRAW_INTERVAL_MS = 50;
  private static final int BAR_WIDTH = 20;

  private final int verbose;
  private final PrintStream out;
  private int epochs;
  private int steps;
  private long epochStart;
  private long lastDraw;
  private int seen;

  /** Prints to {@code System.out}. */
  public ProgbarLogger(int verbose) {
    this(verbose, System.out);
  }

  public ProgbarLogger(int verbose, PrintStream out) {
    if (verbose != 1 && verbose != 2) {
      throw new IllegalArgumentException("ProgbarLogger expects verbose 1 or 2. Received: verbose=" + verbose);
    }
    this.verbose = verbose;
    this.out = out;
  }

  @Override
  public void setParams(Map<String, Object> params) {
    this.epochs = (Integer) params.getOrDefault("epochs", 0);
    this.steps = (Integer) params.getOrDefault("steps", 0);
  }

  @Override
  public void onEpochBegin(int epoch, Map<String, Double> logs) {
    out.println("Epoch " + (epoch + 1) + "/" + epochs);
    epochStart = System.nanoTime();
    lastDraw = 0;
    seen = 0;
  }

  @Override
  public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    seen = batch + 1;
    if (verbose != 1) {
      return;
    }
    long now = System.nanoTime();
    if (seen < steps && (now - lastDraw) / 1_000_000 < REDRAW_INTERVAL_MS) {
      return;
    }
    lastDraw = now;
    double elapsed = (now - epochStart) / 1e9;
    double perStep = elapsed / seen;
    double eta = perStep * (steps - seen);
    out.print("\r" + bar(seen) + " " + formatSeconds(eta) + " " + formatPerStep(perStep) + formatLogs(logs));
    out.flush();
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    double elapsed = (System.nanoTime() - epochStart) / 1e9;
    double perStep = elapsed / Math.max(1, seen);
    if (verbose == 1) {
      out.print("\r" + bar(seen) + " " + formatSeconds(elapsed) + " " + formatPerStep(perStep) + formatLogs(logs));
      out.println();
    } else {
      out.println(seen + "/" + steps + " - " + formatSeconds(elapsed) + " - " + formatPerStep(perStep)
          + formatLogs(logs));
    }
    out.flush();
  }

  private String bar(int done) {
    int filled = steps == 0 ? BAR_WIDTH : (int) Math.round((double) BAR_WIDTH * done / steps);
    String width = String.valueOf(steps).length() + "";
    return String.format(Locale.ROOT, "%" + width + "d/%d ", done, steps)
        + "━".repeat(filled) + "─".repeat(BAR_WIDTH - filled);
  }

  private static String formatSeconds(double s) {
    return s < 60 ? String.format(Locale.ROOT, "%ds", (long) s)
        : String.format(Locale.ROOT, "%d:%02d", (long) s / 60, (long) s % 60);
  }

  private static String formatPerStep(double perStepSeconds) {
    double ms = perStepSeconds * 1000;
    return ms >= 1 ? String.format(Locale.ROOT, "%dms/step", Math.round(ms))
        : String.format(Locale.ROOT, "%dus/step", Math.round(ms * 1000));
  }

  private static String formatLogs(Map<String, Double> logs) {
    StringBuilder sb = new StringBuilder();
    logs.forEach((k, v) -> sb.append(" - ").append(k).append(": ")
        .append(String.format(Locale.ROOT, Math.abs(v) >= 1e-3 || v == 0 ? "%.4f" : "%.4e", v)));
    return sb.toString();
  }
}
