package dev.kerasj.callbacks;

import org.slf4j.event.Level;

/**
 * The one rule mapping Keras' {@code verbose} to an SLF4J level, shared by the callbacks that have one: a message
 * Keras prints for {@code verbose > 0} is logged at INFO; for {@code verbose=0}, where Keras is silent, the same
 * message is logged at DEBUG, so it can still be switched on in the logging configuration without code changes.
 */
final class CallbackLogging {
  private CallbackLogging() {}

  static Level level(int verbose) {
    return verbose > 0 ? Level.INFO : Level.DEBUG;
  }
}
