package dev.kerasj.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Collects what is logged through SLF4J, from every thread, while it is open.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start()) {
 *   model.fit(...);
 *   assertEquals(List.of("Epoch 1: saving model to ckpt"), logs.messages(Level.INFO, ModelCheckpoint.class));
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {
  /** One logging call: level, logger name, the message with its arguments filled in, and the throwable if any. */
  public record Event(Level level, String logger, String message, Throwable throwable) {}

  private static final List<LogCapture> OPEN = new CopyOnWriteArrayList<>();

  private final List<Event> events = new CopyOnWriteArrayList<>();

  private LogCapture() {}

  /**
   * Starts capturing.
   *
   * @throws IllegalStateException when SLF4J is bound to another backend than {@link RecordingLogProvider}
   */
  public static LogCapture start() {
    String factory = LoggerFactory.getILoggerFactory().getClass().getName();
    if (!factory.startsWith(RecordingLogProvider.class.getName())) {
      throw new IllegalStateException("SLF4J uses " + factory + ", not the test backend: run the tests with "
          + "-Dslf4j.provider=" + RecordingLogProvider.class.getName() + " (as pom.xml's surefire configuration does)");
    }
    LogCapture capture = new LogCapture();
    OPEN.add(capture);
    return capture;
  }

  static void record(Event event) {
    for (LogCapture c : OPEN) {
      c.events.add(event);
    }
  }

  /** Everything logged since {@link #start()}, in order. */
  public List<Event> events() {
    return List.copyOf(events);
  }

  /** The messages logged at {@code level} by the logger named after {@code source}, in order. */
  public List<String> messages(Level level, Class<?> source) {
    List<String> out = new ArrayList<>();
    for (Event e : events) {
      if (e.level() == level && e.logger().equals(source.getName())) {
        out.add(e.message());
      }
    }
    return out;
  }

  @Override
  public void close() {
    OPEN.remove(this);
  }
}
