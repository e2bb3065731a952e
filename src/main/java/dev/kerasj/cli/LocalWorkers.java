package dev.kerasj.cli;

import dev.kerasj.distribute.TfConfig;
import dev.kerasj.internal.LoopbackAddresses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code kerasj train --workers N}: a cluster on this machine. Picks N free ports on 127.0.0.1, starts N JVMs running
 * the same {@code train} command (without {@code --workers}), each with the {@code TF_CONFIG} of its task, prefixes
 * their output lines with {@code [worker i]}, and waits. When one worker fails, the others are stopped at once
 * (they would fail at their next all-reduce anyway) and the launcher fails naming it. The same workers on N machines
 * only need each machine's {@code TF_CONFIG} (see README, "Training on several machines").
 */
final class LocalWorkers {
  /** How long the launcher waits for the other workers to end once it has stopped them. */
  static final long STOP_WAIT_SECONDS = 30;

  private LocalWorkers() {}

  /**
   * Runs the command line {@code kerasjArgs} (the launcher's own arguments, {@code train} included, without
   * {@code --workers}) on {@code n} local workers; 0 when all succeed.
   */
  static int run(int n, List<String> kerasjArgs, PrintWriter out, PrintWriter err) throws IOException,
      InterruptedException {
    List<String> addresses = LoopbackAddresses.free(n);
    List<Process> workers = new ArrayList<>();
    List<Thread> pumps = new ArrayList<>();
    Thread cleanup = new Thread(() -> workers.forEach(Process::destroyForcibly), "kerasj-workers-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      for (int i = 0; i < n; i++) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Kerasj.class.getName());
        cmd.addAll(kerasjArgs);
        ProcessBuilder b = new ProcessBuilder(cmd);
        b.environment().put(TfConfig.ENV, new TfConfig(addresses, i).toJson());
        Process p = b.start();
        p.getOutputStream().close();
        workers.add(p);
        pumps.add(pump(p.getInputStream(), out, "[worker " + i + "] "));
        pumps.add(pump(p.getErrorStream(), err, "[worker " + i + "] "));
      }
      out.println("kerasj: started " + n + " workers on " + addresses);
      out.flush();
      int failed = awaitAll(workers);
      for (Thread t : pumps) {
        t.join(10_000);
      }
      if (failed >= 0) {
        throw new CliException("worker " + failed + " of " + n + " (" + addresses.get(failed) + ") exited with "
            + "status " + workers.get(failed).exitValue() + "; the other workers were stopped. Its output above "
            + "is prefixed [worker " + failed + "]");
      }
      return Kerasj.EXIT_OK;
    } finally {
      for (Process p : workers) {
        p.destroyForcibly();
      }
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
  }

  /** Waits until every worker ended (-1) or one failed (its index; the others are then killed). */
  private static int awaitAll(List<Process> workers) throws InterruptedException {
    while (true) {
      boolean running = false;
      for (int i = 0; i < workers.size(); i++) {
        Process p = workers.get(i);
        if (p.isAlive()) {
          running = true;
        } else if (p.exitValue() != 0) {
          for (Process other : workers) {
            other.destroyForcibly();
          }
          for (Process other : workers) {
            other.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
          }
          return i;
        }
      }
      if (!running) {
        return -1;
      }
      workers.get(0).waitFor(200, TimeUnit.MILLISECONDS);
    }
  }

  private static Thread pump(InputStream in, PrintWriter to, String prefix) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (to) {
            to.println(prefix + line);
            to.flush();
          }
        }
      } catch (IOException e) {
        synchronized (to) {
          to.println(prefix + "<output lost: " + e + ">");
          to.flush();
        }
      }
    }, "kerasj-worker-output");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** {@code args} without {@code --workers N} / {@code --workers=N}. */
  static List<String> withoutWorkersOption(List<String> args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--workers")) {
        i++;
      } else if (!a.startsWith("--workers=")) {
        out.add(a);
      }
    }
    return out;
  }
}
