package dev.kerasj.reliability;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.saving.DurableFiles;
import dev.kerasj.saving.KerasjException;
import dev.kerasj.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of every file kind kerasj reads: a kerasj SavedModel (any of its files), a TF checkpoint (index
 * and data), a checkpoint directory's {@code checkpoint} state file, a {@code .keras} archive and a
 * {@code .weights.h5} file, all written by kerasj from one trained model. Each case copies the pristine files,
 * applies one random mutation (bit flips, a random byte, an extreme 32/64-bit integer, a zeroed range, truncation,
 * inserted or appended bytes) and reads the result with the public loader. The only acceptable outcomes are a
 * {@link KerasjException} (typed, naming the file) or a model identical to the original, every variable bit for bit
 * (a mutation the format ignores, such as one in unused padding). Anything else fails the test: another exception, a
 * different model, more than {@value #CASE_TIMEOUT_S} s (a hang), an {@link OutOfMemoryError}; a native abort kills
 * the test JVM, so surefire fails the run. Each case is written to {@code target/fuzz-last-case.txt} before it runs,
 * for the post-mortem of a crash.
 *
 * <p>Bounded for CI: {@code kerasj.fuzzSeconds} (default 60) of cases; the seed is printed and
 * {@code -Dkerasj.fuzzSeed=...} replays it (the same cases in the same order, as far as the time budget reaches).
 */
class FileFuzzTest {
  static final int CASE_TIMEOUT_S = 30;

  enum Kind { SAVED_MODEL, TF_CHECKPOINT, CHECKPOINT_STATE, KERAS, WEIGHTS_H5 }

  enum Mutation { FLIP_BIT, FLIP_BITS, RANDOM_BYTE, EXTREME_INT, ZERO_RANGE, TRUNCATE, INSERT, APPEND }

  @TempDir Path tmp;

  record Case(int number, Kind kind, Path file, Mutation mutation, String detail) {
    @Override
    public String toString() {
      return "case " + number + ": " + kind + " " + file.getFileName() + " " + mutation + " " + detail;
    }
  }

  @Test
  void mutatedFiles_giveTypedErrorsOrTheIdenticalModel() throws Exception {
    long seed = Long.getLong("kerasj.fuzzSeed", System.nanoTime());
    long budgetNanos = Duration.ofSeconds(Long.getLong("kerasj.fuzzSeconds", 60)).toNanos();
    System.out.println("FileFuzzTest seed=" + seed + " (replay with -Dkerasj.fuzzSeed=" + seed + ")");
    Path pristine = tmp.resolve("pristine");
    List<HostArray> reference = writeEveryKind(pristine);
    Random random = new Random(seed);
    Map<Kind, int[]> outcomes = new EnumMap<>(Kind.class); // [typed error, identical model]
    List<String> failures = new ArrayList<>();
    Path lastCase = Path.of(System.getProperty("kerasj.buildDirectory", "target"), "fuzz-last-case.txt");
    Files.createDirectories(lastCase.getParent());
    long start = System.nanoTime();
    int n = 0;
    while (System.nanoTime() - start < budgetNanos && failures.size() < 5) {
      n++;
      Path work = tmp.resolve("case");
      if (Files.exists(work)) {
        DurableFiles.deleteRecursively(work);
      }
      TestFiles.copyTree(pristine, work);
      Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
      List<Path> candidates = filesOf(kind, work);
      Path file = candidates.get(random.nextInt(candidates.size()));
      Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
      String detail = mutate(file, mutation, random);
      Case c = new Case(n, kind, work.relativize(file), mutation, detail);
      Files.writeString(lastCase, "seed " + seed + "\n" + c + "\n");
      try {
        boolean identical = assertTimeoutPreemptively(Duration.ofSeconds(CASE_TIMEOUT_S), () -> load(kind, work,
            reference), () -> "hang: " + c);
        if (identical) {
          outcomes.computeIfAbsent(kind, k -> new int[2])[1]++;
        } else {
          failures.add("a different model loaded without an error: " + c);
        }
      } catch (KerasjException e) {
        outcomes.computeIfAbsent(kind, k -> new int[2])[0]++;
        if (e.getMessage() == null || e.getMessage().isBlank()) {
          failures.add("typed error without a message: " + c);
        }
      } catch (OutOfMemoryError e) {
        failures.add("OutOfMemoryError: " + c);
      } catch (Throwable e) {
        failures.add(e.getClass().getName() + ": " + e.getMessage() + " -- " + c);
      }
    }
    StringBuilder summary = new StringBuilder("FileFuzzTest seed=" + seed + ": " + n + " cases in "
        + (System.nanoTime() - start) / 1_000_000 + " ms;");
    outcomes.forEach((k, v) -> summary.append(' ').append(k).append(" typed=").append(v[0]).append(" identical=")
        .append(v[1]).append(';'));
    System.out.println(summary);
    assertTrue(failures.isEmpty(), summary + "\n" + String.join("\n", failures));
    assertTrue(n >= 20, "only " + n + " cases ran in the budget: " + summary);
  }

  /** Trains one small model and writes each kind from it; returns every variable of the checkpointed state. */
  static List<HostArray> writeEveryKind(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("ckpt"));
    try (Sequential model = newModel()) {
      float[][] x = new float[24][4];
      int[] y = new int[24];
      Random r = new Random(3);
      for (int i = 0; i < x.length; i++) {
        for (int j = 0; j < 4; j++) {
          x[i][j] = (float) r.nextGaussian();
        }
        y[i] = r.nextInt(3);
      }
      FitOptions once = FitOptions.builder().epochs(1).batchSize(8).shuffle(false).verbose(0).build();
      model.fit(x, y, once);
      model.saveWeights(dir.resolve("ckpt").resolve("ckpt-1"));
      model.fit(x, y, once);
      model.saveWeights(dir.resolve("ckpt").resolve("ckpt-2"));
      model.save(dir.resolve("sm"));
      model.save(dir.resolve("model.keras"));
      model.saveWeights(dir.resolve("model.weights.h5"));
      return variables(model);
    }
  }

  static Sequential newModel() {
    Sequential m = new Sequential(Input.of(4), new Dense(6, "relu"), new BatchNormalization(), new Dense(3, "softmax"));
    m.setSeed(5);
    m.compile(new Adam(1e-2), new SparseCategoricalCrossentropy());
    return m;
  }

  static List<HostArray> variables(Sequential model) {
    ModelGraph g = model.graphForInternalUse();
    return g.read(g.variables());
  }

  static List<Path> filesOf(Kind kind, Path dir) throws IOException {
    return switch (kind) {
      case SAVED_MODEL -> regularFiles(dir.resolve("sm"));
      case TF_CHECKPOINT -> List.of(dir.resolve("ckpt/ckpt-2.index"), dir.resolve("ckpt/ckpt-2.data-00000-of-00001"));
      case CHECKPOINT_STATE -> List.of(dir.resolve("ckpt/checkpoint"));
      case KERAS -> List.of(dir.resolve("model.keras"));
      case WEIGHTS_H5 -> List.of(dir.resolve("model.weights.h5"));
    };
  }

  /** Loads {@code kind} from {@code dir}; true when every variable equals {@code reference} bit for bit. */
  static boolean load(Kind kind, Path dir, List<HostArray> reference) throws IOException {
    switch (kind) {
      case SAVED_MODEL, KERAS -> {
        try (Sequential m = Sequential.load(dir.resolve(kind == Kind.KERAS ? "model.keras" : "sm"))) {
          return same(reference, variables(m));
        }
      }
      default -> {
        try (Sequential m = newModel()) {
          m.build();
          Path source = switch (kind) {
            case TF_CHECKPOINT -> dir.resolve("ckpt/ckpt-2");
            case CHECKPOINT_STATE -> dir.resolve("ckpt");
            default -> dir.resolve("model.weights.h5");
          };
          m.loadWeights(source);
          return same(reference, variables(m));
        }
      }
    }
  }

  static boolean same(List<HostArray> a, List<HostArray> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      HostArray x = a.get(i);
      HostArray y = b.get(i);
      if (!Arrays.equals(x.shape(), y.shape()) || x.isFloat() != y.isFloat()) {
        return false;
      }
      boolean equal = x.isFloat() ? Arrays.equals(floatBits(x.floats()), floatBits(y.floats()))
          : Arrays.equals(x.ints(), y.ints());
      if (!equal) {
        return false;
      }
    }
    return true;
  }

  private static int[] floatBits(float[] f) {
    int[] out = new int[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = Float.floatToRawIntBits(f[i]);
    }
    return out;
  }

  static String mutate(Path file, Mutation mutation, Random r) throws IOException {
    byte[] b = Files.readAllBytes(file);
    if (b.length == 0) {
      Files.write(file, new byte[] {(byte) r.nextInt(256)});
      return "empty file given one byte";
    }
    int at = r.nextInt(b.length);
    String detail;
    switch (mutation) {
      case FLIP_BIT -> {
        int bit = r.nextInt(8);
        b[at] ^= (byte) (1 << bit);
        detail = "bit " + bit + " of byte " + at;
      }
      case FLIP_BITS -> {
        int count = 2 + r.nextInt(7);
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < count; i++) {
          int p = r.nextInt(b.length);
          int bit = r.nextInt(8);
          b[p] ^= (byte) (1 << bit);
          where.append(i == 0 ? "" : ",").append(p).append(':').append(bit);
        }
        detail = count + " bits " + where;
      }
      case RANDOM_BYTE -> {
        b[at] = (byte) r.nextInt(256);
        detail = "byte " + at + " = " + (b[at] & 0xff);
      }
      case EXTREME_INT -> {
        long[] values = {0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFFFFFFFFFL, 0x7FFFFFFFFFFFFFFFL, 1L << 40,
            0L};
        long v = values[r.nextInt(values.length)];
        int width = r.nextBoolean() ? 4 : 8;
        for (int i = 0; i < width && at + i < b.length; i++) {
          b[at + i] = (byte) (v >>> (8 * i));
        }
        detail = width * 8 + "-bit 0x" + Long.toHexString(v) + " at " + at;
      }
      case ZERO_RANGE -> {
        int len = 1 + r.nextInt(64);
        Arrays.fill(b, at, Math.min(b.length, at + len), (byte) 0);
        detail = len + " zero bytes at " + at;
      }
      case TRUNCATE -> {
        b = Arrays.copyOf(b, at);
        detail = "truncated to " + at + " bytes";
      }
      case INSERT -> {
        byte[] extra = new byte[1 + r.nextInt(16)];
        r.nextBytes(extra);
        byte[] out = new byte[b.length + extra.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(b, at, out, at + extra.length, b.length - at);
        b = out;
        detail = extra.length + " bytes inserted at " + at;
      }
      case APPEND -> {
        byte[] extra = new byte[1 + r.nextInt(64)];
        r.nextBytes(extra);
        byte[] out = Arrays.copyOf(b, b.length + extra.length);
        System.arraycopy(extra, 0, out, b.length, extra.length);
        b = out;
        detail = extra.length + " bytes appended";
      }
      default -> throw new IllegalStateException(mutation.toString());
    }
    Files.write(file, b);
    return detail;
  }

  static List<Path> regularFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
