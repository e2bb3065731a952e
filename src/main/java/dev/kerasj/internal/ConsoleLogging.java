package dev.kerasj.internal;

/**
 * Console logging for this repository's applications (the main job {@code dev.kerasj.examples.TrainDigits} and the
 * {@code kerasj} command line): configures slf4j-simple, the SLF4J backend they ship, so that library messages read
 * as {@code INFO ModelCheckpoint - Epoch 3: val_loss improved from ...}. jhdf (the HDF5 library behind
 * {@code .keras} and {@code .weights.h5}) logs every group it opens at INFO, so it is kept at WARN.
 *
 * <p>The library itself only logs through the SLF4J API and carries no logging configuration: slf4j-simple is an
 * optional dependency and is configured here through its system properties rather than a
 * {@code simplelogger.properties}, which would end up in the library jar and override its users' settings. Call
 * {@link #configure} first thing in {@code main}, before any logger exists (slf4j-simple reads its properties once,
 * when the first logger is created). A property already set, such as
 * {@code -Dorg.slf4j.simpleLogger.log.dev.kerasj=debug} on the command line, is left as it is.
 */
public final class ConsoleLogging {
  /** slf4j-simple's system property prefix. */
  static final String SIMPLE = "org.slf4j.simpleLogger.";

  /** Where log lines go. */
  public enum Target {
    /** Next to the progress bar and results, in order (the main job, as Keras prints everything to stdout). */
    STDOUT("System.out"),
    /** Away from the results (the CLI, whose stdout is data such as {@code inspect --json}). */
    STDERR("System.err");

    private final String simpleName;

    Target(String simpleName) {
      this.simpleName = simpleName;
    }
  }

  private ConsoleLogging() {}

  /**
   * Sets slf4j-simple's properties unless already set: level, logger short name and message, no thread or date;
   * {@code verbose} adds kerasj's DEBUG messages (such as those of callbacks built with {@code verbose=0}).
   */
  public static void configure(Target target, boolean verbose) {
    setIfAbsent("logFile", target.simpleName);
    setIfAbsent("showThreadName", "false");
    setIfAbsent("showShortLogName", "true");
    setIfAbsent("showDateTime", "false");
    setIfAbsent("levelInBrackets", "false");
    setIfAbsent("defaultLogLevel", "info");
    setIfAbsent("log.io.jhdf", "warn");
    // jhdf warns "After reading message (AttributeMessage) buffer still has N bytes remaining" for the padding its
    // own writer leaves after every string attribute: every .weights.h5 kerasj writes would print it when read.
    setIfAbsent("log.io.jhdf.object.message.Message", "error");
    // Set even when defaultLogLevel is: under `mvn -q exec:java` it is Maven's own ("error", for -q), and the
    // main job's messages must not vanish with Maven's.
    setIfAbsent("log.dev.kerasj", verbose ? "debug" : "info");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(SIMPLE + key) == null) {
      System.setProperty(SIMPLE + key, value);
    }
  }
}
