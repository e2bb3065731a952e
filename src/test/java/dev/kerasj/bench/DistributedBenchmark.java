package dev.kerasj.bench;

import dev.kerasj.distribute.TfConfig;
import dev.kerasj.internal.LoopbackAddresses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Per-step time and bytes exchanged of {@code MultiWorkerMirroredStrategy} for 1, 2 and 3 worker JVMs on 127.0.0.1
 * (not a JUnit test: {@code python-interop/benchmark_distributed.sh}). For each model (MLP 64-H-H-10, Adam, global
 * batch 96):
 * <ul>
 *   <li>{@code local}: one process without a strategy (the usual in-process session);</li>
 *   <li>{@code N workers}: N processes with {@code TF_CONFIG}: median and p90 step time on the chief, floats
 *       all-reduced per step (loss, metric states, gradients, packed into one vector) and bytes each worker sends per
 *       step with the ring algorithm, 2(N-1)/N of the vector (computed from the tensor size; gRPC framing not
 *       counted);</li>
 *   <li>the all-reduce alone: the same vector through {@code CollectiveReduceV2}, nothing else in the step.</li>
 * </ul>
 * Usage: {@code DistributedBenchmark [--steps N] [--hidden H,H,...]}.
 */
public final class DistributedBenchmark {
  public static void main(String[] args) throws Exception {
    int steps = 60;
    String hiddens = "32,1024";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--hidden" -> hiddens = args[++i];
        default -> throw new IllegalArgumentException("Unknown argument '" + args[i]
            + "'. Expected: [--steps N] [--hidden H,H,...]");
      }
    }
    int warmup = 10;
    int batch = 96;
    System.out.println("| model (params) | workers | step median ms | step p90 ms | floats all-reduced "
        + "| bytes sent per worker per step | all-reduce alone, median ms |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String h : hiddens.split(",")) {
      int hidden = Integer.parseInt(h.trim());
      List<String> local = run(0, "fit", hidden, batch, warmup, steps).get(0);
      String params = value(local, "PARAMS")[0];
      String[] localStep = value(local, "STEP_MS");
      System.out.printf(Locale.ROOT, "| 64-%d-%d-10 (%s) | local | %s | %s | 0 | 0 | - |%n", hidden, hidden, params,
          localStep[0], localStep[1]);
      for (int n = 1; n <= 3; n++) {
        List<String> chief = run(n, "fit", hidden, batch, warmup, steps).get(0);
        String[] step = value(chief, "STEP_MS");
        long floats = Long.parseLong(value(chief, "ALLREDUCE_FLOATS")[0]);
        long bytes = n == 1 ? 0 : 2L * (n - 1) * floats * Float.BYTES / n;
        String[] alone = value(run(n, "allreduce", (int) floats, 0, warmup, steps).get(0), "ALLREDUCE_MS");
        System.out.printf(Locale.ROOT, "| 64-%d-%d-10 (%s) | %d | %s | %s | %d | %d | %s |%n", hidden, hidden, params,
            n, step[0], step[1], floats, bytes, alone[0]);
      }
    }
  }

  /** Runs {@code n} workers (0: one process without TF_CONFIG); every worker's stdout lines. */
  private static List<List<String>> run(int n, String mode, int a, int b, int warmup, int steps) throws Exception {
    List<String> addresses = n == 0 ? List.of() : LoopbackAddresses.free(n);
    List<Process> ps = new ArrayList<>();
    try {
      for (int i = 0; i < Math.max(1, n); i++) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), DistributedBenchChild.class.getName(), mode,
            String.valueOf(a)));
        if (mode.equals("fit")) {
          cmd.add(String.valueOf(b));
        }
        cmd.add(String.valueOf(warmup));
        cmd.add(String.valueOf(steps));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (n > 0) {
          pb.environment().put(TfConfig.ENV, new TfConfig(addresses, i).toJson());
        }
        ps.add(pb.start());
      }
      List<List<String>> out = new ArrayList<>();
      for (Process p : ps) {
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException(mode + " with " + n + " workers failed");
        }
        out.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
      }
      return out;
    } finally {
      ps.forEach(Process::destroyForcibly);
    }
  }

  private static String[] value(List<String> lines, String key) {
    return lines.stream().filter(l -> l.startsWith(key + " ")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + key + " in " + lines)).substring(key.length() + 1)
        .split(" ");
  }
}
