package dev.kerasj.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory figures of this process from {@code /proc/self/status}, for the benchmarks' RSS columns. */
final class ProcStatus {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcStatus() {}

  /** Resident set size now ({@code VmRSS}), MB; NaN where there is no procfs. */
  static double rssMb() {
    return mb("VmRSS:");
  }

  /** Peak resident set size ({@code VmHWM}), MB; NaN where there is no procfs. */
  static double peakRssMb() {
    return mb("VmHWM:");
  }

  private static double mb(String field) {
    if (!Files.exists(STATUS)) {
      return Double.NaN;
    }
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
        }
      }
      return Double.NaN;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
