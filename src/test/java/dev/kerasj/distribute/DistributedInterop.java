package dev.kerasj.distribute;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Leaves the chief's ModelCheckpoint directory of a resumed two-worker run under
 * {@code <kerasj.interopDir>/distribute/ckpt/} with the run's final weights ({@code final_weights.json}: every
 * float in {@code getWeights} order, as Java's shortest round-trip decimal), for
 * {@code python-interop/tests/test_java_distributed.py}.
 */
final class DistributedInterop {
  static final Path DIR = Path.of(System.getProperty("kerasj.interopDir", "target/interop")).resolve("distribute");

  private DistributedInterop() {}

  static void export(Path checkpoints, float[] finalWeights) throws IOException {
    Path target = DIR.resolve("ckpt");
    if (Files.exists(target)) {
      try (Stream<Path> old = Files.walk(target)) {
        for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(checkpoints)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    StringBuilder json = new StringBuilder("{\"values\": [");
    for (int i = 0; i < finalWeights.length; i++) {
      json.append(i == 0 ? "" : ", ").append(Float.toString(finalWeights[i]));
    }
    json.append("]}\n");
    Files.writeString(DIR.resolve("final_weights.json"), json, StandardCharsets.UTF_8);
  }
}
