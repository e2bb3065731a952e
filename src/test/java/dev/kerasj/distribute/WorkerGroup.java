package dev.kerasj.distribute;

import dev.kerasj.internal.LoopbackAddresses;
import dev.kerasj.reliability.ChildJvm;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A group of {@link WorkerChild} JVMs on 127.0.0.1, each with its own {@code TF_CONFIG}; closing it kills whatever
 * still runs.
 */
final class WorkerGroup implements AutoCloseable {
  final List<ChildJvm> workers = new ArrayList<>();
  final List<String> addresses;

  private WorkerGroup(List<String> addresses) {
    this.addresses = addresses;
  }

  /**
   * Starts {@code n} workers; ports are taken from the kernel (bound together, so they differ, then released just
   * before the workers bind them).
   */
  static WorkerGroup start(Path dir, Path logs, int n, int epochs, int timeoutSeconds, int sleepMs, boolean files)
      throws IOException {
    return start(dir, logs, n, epochs, timeoutSeconds, sleepMs, files, WorkerChild.SAMPLES);
  }

  static WorkerGroup start(Path dir, Path logs, int n, int epochs, int timeoutSeconds, int sleepMs, boolean files,
      int samples) throws IOException {
    return start(dir, logs, n, epochs, timeoutSeconds, sleepMs, files, samples, false);
  }

  static WorkerGroup start(Path dir, Path logs, int n, int epochs, int timeoutSeconds, int sleepMs, boolean files,
      int samples, boolean modelBefore) throws IOException {
    return start(dir, logs, n, epochs, timeoutSeconds, sleepMs, files, samples, modelBefore,
        WorkerChild.Variant.PLAIN);
  }

  static WorkerGroup start(Path dir, Path logs, int n, int epochs, int timeoutSeconds, int sleepMs, boolean files,
      int samples, boolean modelBefore, WorkerChild.Variant variant) throws IOException {
    WorkerGroup g = new WorkerGroup(LoopbackAddresses.free(n));
    try {
      for (int i = 0; i < n; i++) {
        String tfConfig = new TfConfig(g.addresses, i).toJson();
        g.workers.add(ChildJvm.start(List.of(), Map.of(TfConfig.ENV, tfConfig), WorkerChild.class,
            logs.resolve("worker-" + i + ".err"), dir.toString(), String.valueOf(epochs),
            String.valueOf(timeoutSeconds), String.valueOf(sleepMs), String.valueOf(files), String.valueOf(samples),
            String.valueOf(modelBefore), variant.name()));
      }
    } catch (IOException | RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  /** Every worker's stdout and stderr tail. */
  String describe() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < workers.size(); i++) {
      b.append("=== worker ").append(i).append(" (").append(addresses.get(i)).append(")\n")
          .append(workers.get(i).describe()).append('\n');
    }
    return b.toString();
  }

  static float[] readWeights(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    float[] out = new float[bytes.length / Float.BYTES];
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
      for (int i = 0; i < out.length; i++) {
        out[i] = in.readFloat();
      }
    }
    return out;
  }

  @Override
  public void close() {
    workers.forEach(ChildJvm::close);
  }
}
