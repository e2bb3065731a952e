package dev.kerasj.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running one of this package's {@code main} classes with the test classpath, its stdout read line by
 * line as it comes (for timing kills), its stderr (TensorFlow's logging) kept in a file for failure messages.
 *
 * <p>The JVM flags only make start-up cheaper (C1 only, serial GC, no {@code hsperfdata} file, which a SIGKILLed JVM
 * would leave behind); every child of a test gets the same flags, and TensorFlow does the numerics, so they do not
 * change results.
 */
public final class ChildJvm implements AutoCloseable {
  /** Marks the end of stdout in {@link #nextLine}. */
  public static final String EOF = "<EOF>";
  /** Exit status of a process killed by SIGKILL (128 + 9), as the JDK reports it on Linux. */
  public static final int SIGKILL_EXIT = 137;

  private final Process process;
  private final Path stderr;
  private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;
  private final long startNanos = System.nanoTime();

  private ChildJvm(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.reader = new Thread(this::readStdout, "child-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} with {@code args}; {@code wrapper} (possibly empty) is put before {@code java}, such as
   * {@code bash -c 'ulimit -f 8; exec "$0" "$@"'}.
   */
  public static ChildJvm start(List<String> wrapper, Class<?> main, Path stderr, String... args) throws IOException {
    return start(wrapper, java.util.Map.of(), main, stderr, args);
  }

  /** Like {@link #start(List, Class, Path, String...)}, with {@code env} added to the child's environment. */
  public static ChildJvm start(List<String> wrapper, java.util.Map<String, String> env, Class<?> main, Path stderr,
      String... args) throws IOException {
    List<String> cmd = new ArrayList<>(wrapper);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-cp",
        System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    Files.createDirectories(stderr.getParent());
    ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(stderr.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    p.getOutputStream().close();
    return new ChildJvm(p, stderr);
  }

  private void readStdout() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
        queue.add(line);
      }
    } catch (IOException e) {
      lines.add("<stdout read failed: " + e + ">");
    } finally {
      queue.add(EOF);
    }
  }

  /** The next stdout line, {@link #EOF} at its end, or null when none came within {@code millis}. */
  public String nextLine(long millis) throws InterruptedException {
    return queue.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
  }

  public long millisSinceStart() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** The child's process id (to send it a signal with {@code kill}). */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Sends SIGKILL and returns the exit status ({@link #SIGKILL_EXIT} proves the signal). Goes through
   * {@link ProcessHandle#destroyForcibly()}, which on Linux is the same {@code kill(pid, SIGKILL)} as
   * {@link Process#destroyForcibly()} but, unlike it, does not close our end of the child's stdout: the lines the
   * child wrote just before dying are still read, so we know which saves had returned.
   */
  public int kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    return awaitExit(30);
  }

  /** Sends SIGTERM (through the process handle, so our end of its stdout stays open to read its last lines). */
  public void sigterm() {
    process.toHandle().destroy();
  }

  /** Waits for the process to end and for its stdout to be read; the exit status. */
  public int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      throw new AssertionError("child " + process.pid() + " did not end within " + seconds + " s\n" + describe());
    }
    reader.join(10_000);
    return process.exitValue();
  }

  /** Every stdout line read so far. */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Stdout and the tail of stderr, for failure messages. */
  public String describe() {
    String err;
    try {
      List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
      err = String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    } catch (IOException e) {
      err = "<" + e + ">";
    }
    return "--- child stdout:\n" + String.join("\n", lines()) + "\n--- child stderr (tail, " + stderr + "):\n" + err;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
