package dev.kerasj.callbacks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A SIGTERM handler installed for one {@code fit}: runs {@code onSignal} (which only sets a flag) instead of ending
 * the JVM, and puts the previous handler back on {@link #restore()}.
 */
final class SigtermHandler {
  private static final Logger LOG = LoggerFactory.getLogger(BackupAndRestore.class);
  private static final Signal TERM = new Signal("TERM");
  private final SignalHandler previous;

  private SigtermHandler(SignalHandler previous) {
    this.previous = previous;
  }

  static SigtermHandler install(Runnable onSignal) {
    SignalHandler previous = Signal.handle(TERM, signal -> {
      LOG.info("BackupAndRestore: SIGTERM received; finishing the current step and writing a backup");
      onSignal.run();
    });
    return new SigtermHandler(previous);
  }

  void restore() {
    Signal.handle(TERM, previous);
  }
}
