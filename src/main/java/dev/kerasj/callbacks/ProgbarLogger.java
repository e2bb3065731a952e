package dev.kerasj.callbacks;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;

/**
 * Keras' {@code ProgbarLogger}, added by {@code fit} for {@code verbose=1} (a live bar with ETA and running metrics,
 * redrawn with carriage returns at most every {@value #REDRAW_INTERVAL_MS} ms) and {@code verbose=2} (one line per
 * epoch). A console display, not a logger: it prints to {@code System.out} (or the stream given).
 *
 * <pre>
 * Epoch 1/20
 * 41/41 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.5511 - loss: 1.7460 - val_accuracy: 0.8542 - val_loss: 0.7331
 * </pre>
 *
 * <p>The live bar is drawn only when stdout is a terminal. Anywhere else (a pipe, a file, a log collector)
 * {@code verbose=1} prints what {@code verbose=2} prints, one line per epoch and no carriage return:
 *
 * <pre>
 * Epoch 1/20
 * 41/41 - 0s - 2ms/step - accuracy: 0.5511 - loss: 1.7460 - val_accuracy: 0.8542 - val_loss: 0.7331
 * </pre>
 *
 * This is Keras' rule ({@code keras/src/utils/progbar.py}, {@code _dynamic_display}: redraw when
 * {@code sys.stdout.isatty()}, or in a notebook) without its {@code "posix" in sys.modules} clause, which is true on
 * every Linux and macOS Python and so makes Keras redraw into files as well; and where Keras' non-redrawing bar
 * prints a new line at every update (every 50 ms), this prints the epoch's line once.
 */
public final class ProgbarLogger implements Callback {
  /** Minimum time between two redraws of the live bar. */
  public static final long REDRAW_INTERVAL_MS = 50;
  private static final int BAR_WIDTH = 20;

  private final PrintStream out;
  private final boolean dynamicDisplay;
  private int epochs;
  private int steps;
  private long epochStart;
  private long lastDraw;
  private int seen;

  /** Prints to {@code System.out}, with the live bar if it is a terminal ({@link #stdoutIsTerminal()}). */
  public ProgbarLogger(int verbose) {
    this(verbose, System.out);
  }

  /**
   * Prints to {@code out}, with the live bar only if {@code out} is {@code System.out} and that is a terminal.
   *
   * @param verbose 1 (progress bar) or 2 (one line per epoch)
   */
  public ProgbarLogger(int verbose, PrintStream out) {
    this(verbose, out, out == System.out && stdoutIsTerminal());
  }

  /**
   * Prints to {@code out}; {@code dynamicDisplay} says whether it may redraw a line with carriage returns (only
   * for {@code verbose=1}), for a console this class cannot recognise as a terminal (an IDE's run window).
   *
   * @param verbose 1 (progress bar) or 2 (one line per epoch)
   */
  public ProgbarLogger(int verbose, PrintStream out, boolean dynamicDisplay) {
    if (verbose != 1 && verbose != 2) {
      throw new IllegalArgumentException("ProgbarLogger expects verbose 1 or 2. Received: verbose=" + verbose);
    }
    this.out = out;
    this.dynamicDisplay = dynamicDisplay && verbose == 1;
  }

  /**
   * Whether this JVM's stdout (and stdin) is an interactive terminal: {@link System#console()} on Java 17 to 21;
   * from Java 22, where a console exists even when redirected, also {@code Console.isTerminal()}.
   */
  public static boolean stdoutIsTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // before Java 22, a console exists only for a terminal
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  /** Whether this logger redraws a live bar (false: one line per epoch, no carriage returns). */
  public boolean dynamicDisplay() {
    return dynamicDisplay;
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
    if (!dynamicDisplay) {
      return;
    }
    long now = System.nanoTime();
    if (seen < steps && (now - lastDraw) / 1_000_000 < REDRAW_INTERVAL_MS) {
      return;
    }
    lastDraw = now;
    double elapsed = (now - epochStart) / 1e9;
    double perStep = elapsed / seen;
    double eta = steps == 0 ? elapsed : perStep * (steps - seen); // unknown length (a Dataset): time so far
    out.print("\r" + bar(seen) + " " + formatSeconds(eta) + " " + formatPerStep(perStep) + formatLogs(logs));
    out.flush();
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    double elapsed = (System.nanoTime() - epochStart) / 1e9;
    double perStep = elapsed / Math.max(1, seen);
    if (dynamicDisplay) {
      out.print("\r" + bar(seen) + " " + formatSeconds(elapsed) + " " + formatPerStep(perStep) + formatLogs(logs));
      out.println();
    } else {
      out.println(seen + "/" + target() + " - " + formatSeconds(elapsed) + " - " + formatPerStep(perStep)
          + formatLogs(logs));
    }
    out.flush();
  }

  /** The epoch's step count, or Keras' "Unknown" for a dataset whose length is not known yet. */
  private String target() {
    return steps == 0 ? "Unknown" : String.valueOf(steps);
  }

  private String bar(int done) {
    int filled = steps == 0 ? BAR_WIDTH : (int) Math.round((double) BAR_WIDTH * done / steps);
    String width = String.valueOf(steps).length() + "";
    return String.format(Locale.ROOT, "%" + width + "d/%s ", done, target())
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
