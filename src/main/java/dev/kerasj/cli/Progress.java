package dev.kerasj.cli;

import dev.kerasj.callbacks.ProgbarLogger;
import java.io.PrintWriter;

/**
 * A one-line progress display on stderr for long operations, redrawn at most every {@value #INTERVAL_MS} ms and only
 * when the JVM runs in an interactive terminal ({@link ProgbarLogger#stdoutIsTerminal()}, the one check the
 * training progress bar uses too) or when forced, so logs and pipes stay clean.
 */
final class Progress {
  static final long INTERVAL_MS = 200;

  private final PrintWriter err;
  private final boolean enabled;
  private long lastDraw;
  private boolean drawn;

  Progress(PrintWriter err, boolean force) {
    this.err = err;
    this.enabled = force || ProgbarLogger.stdoutIsTerminal();
  }

  /** Shows {@code line} unless one was shown less than {@link #INTERVAL_MS} ago. */
  void update(String line) {
    long now = System.currentTimeMillis();
    if (!enabled || now - lastDraw < INTERVAL_MS) {
      return;
    }
    lastDraw = now;
    drawn = true;
    err.print("\r\033[K" + line);
    err.flush();
  }

  /** Clears the progress line, if one was drawn. */
  void done() {
    if (drawn) {
      err.print("\r\033[K");
      err.flush();
      drawn = false;
    }
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
