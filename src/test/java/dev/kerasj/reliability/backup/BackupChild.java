package dev.kerasj.reliability.backup;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.callbacks.CSVLogger;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.EarlyStopping;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.callbacks.ReduceLROnPlateau;
import dev.kerasj.internal.ConsoleLogging;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Dropout;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * A training process for the backup reliability tests to kill: a small Dropout MLP with Adam,
 * {@link BackupAndRestore} every {@value #BACKUP_FREQ} batches (verbose, and logging to stdout, so the parent sees each
 * save begin and end in order with the steps),
 * two {@link ModelCheckpoint}s (every epoch keeping {@value #MAX_TO_KEEP}; best {@code val_loss}), a
 * {@link CSVLogger}, {@link EarlyStopping} and {@link ReduceLROnPlateau} (whose state must survive kills).
 *
 * <p>Usage: {@code BackupChild <dir> [sigterm]}. Prints {@code STEP n} after every batch, then
 * {@code OUTCOME <outcome>} and {@code WEIGHTS <sha-256 of every weight's bytes>}; exits 0. With {@code sigterm},
 * SIGTERM interrupts training gracefully (the outcome then says INTERRUPTED).
 */
public final class BackupChild {
  static final int SAMPLES = 96;
  static final int BATCH = 8; // 12 batches per epoch
  static final int EPOCHS = 6;
  static final int BACKUP_FREQ = 3;
  static final int MAX_TO_KEEP = 2;

  private BackupChild() {}

  public static void main(String[] args) throws Exception {
    ConsoleLogging.configure(ConsoleLogging.Target.STDOUT, false);
    Path dir = Path.of(args[0]);
    java.nio.file.Files.createDirectories(dir);
    boolean sigterm = args.length > 1 && args[1].equals("sigterm");
    sun.misc.SignalHandler mine = signal -> System.out.println("the handler the application had");
    if (sigterm) {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), mine);
    }
    History h = train(dir, sigterm);
    if (sigterm) {
      boolean restored = sun.misc.Signal.handle(new sun.misc.Signal("TERM"), mine) == mine;
      System.out.println("HANDLER_RESTORED " + restored);
    }
    System.out.println("OUTCOME " + h.outcome());
    System.out.println("WEIGHTS " + lastHash);
    System.out.flush();
  }

  static String lastHash;

  /** Runs (or resumes) the whole training in {@code dir}; the final weights' hash is left in {@link #lastHash}. */
  static History train(Path dir, boolean sigterm) throws Exception {
    try (Sequential m = newModel()) {
      float[][] x = x(SAMPLES, 1);
      float[][] xv = x(32, 2);
      Callback steps = new Callback() {
        int step;

        @Override
        public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
          System.out.println("STEP " + (++step));
          System.out.flush();
        }
      };
      History h = m.fit(x, y(x), FitOptions.builder().epochs(EPOCHS).batchSize(BATCH).verbose(0)
          .validationData(xv, y(xv))
          .callbacks(steps,
              BackupAndRestore.builder(dir.resolve("backup")).saveFreq(BACKUP_FREQ).verbose(1).handleSigterm(sigterm)
                  .build(),
              ModelCheckpoint.builder(dir.resolve("ckpt/ckpt-{epoch:02d}").toString()).saveWeightsOnly(true)
                  .maxToKeep(MAX_TO_KEEP).verbose(1).build(),
              ModelCheckpoint.builder(dir.resolve("best/best-{epoch:02d}").toString()).saveWeightsOnly(true)
                  .monitor("val_loss").saveBestOnly(true).verbose(1).build(),
              new CSVLogger(dir.resolve("log.csv")),
              EarlyStopping.builder().monitor("val_loss").patience(100).build(),
              ReduceLROnPlateau.builder().monitor("val_accuracy").patience(1).build())
          .build());
      lastHash = hash(m);
      return h;
    }
  }

  /** The compiled model, before training (also used by the parent to read the checkpoints back). */
  static Sequential newModel() {
    Sequential m = new Sequential(Input.of(6), new Dense(16, "relu"), new Dropout(0.25), new Dense(4, "softmax"));
    m.setSeed(5);
    m.compile(new Adam(0.02), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static float[][] x(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[][] x = new float[n][6];
    for (float[] row : x) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) r.nextDouble(-1, 1);
      }
    }
    return x;
  }

  static int[] y(float[][] x) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (x[i][0] > 0 ? 1 : 0) + (x[i][1] + x[i][2] > 0 ? 2 : 0);
    }
    return y;
  }

  /** SHA-256 over every weight's float bits, in model order. */
  static String hash(Sequential m) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (FloatNdArray w : m.getWeights()) {
      float[] v = new float[(int) w.size()];
      w.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
      ByteBuffer b = ByteBuffer.allocate(4 * v.length);
      b.asFloatBuffer().put(v);
      md.update(b.array());
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
