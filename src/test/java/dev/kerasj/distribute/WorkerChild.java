package dev.kerasj.distribute;

import dev.kerasj.FitOptions;
import dev.kerasj.data.Dataset;
import dev.kerasj.data.Feature;
import dev.kerasj.data.Transforms;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.examples.Digits;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.SGD;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * One worker of {@link MultiWorkerTrainingTest}'s groups: reads {@code TF_CONFIG} from its environment, trains the
 * digits MLP with {@link MultiWorkerMirroredStrategy} and writes its final weights.
 *
 * <p>Usage: {@code WorkerChild <dir> <epochs> <timeoutSeconds> <sleepMsPerBatch> <backupAndCheckpoint> <samples>
 * [modelBefore [variant]]}: the first {@code samples} digits; with {@code modelBefore}, another model trains one epoch
 * first in the same process; {@code variant} (a {@link Variant} name, default {@code PLAIN}) picks the model and the
 * weights {@code fit} gets. With
 * {@code backupAndCheckpoint}, a {@link BackupAndRestore} in {@code <dir>/backup} (every {@value #BACKUP_FREQ}
 * batches) and a weights-only {@link ModelCheckpoint} {@code <dir>/ckpt/ckpt-EEE} every epoch.
 *
 * <p>Stdout, one line per event: {@code START <workers> <task>}, {@code BATCH <epoch> <batch>},
 * {@code EPOCH <epoch> <loss> <accuracy> [<val_loss>]}, {@code DSEPOCH <epoch> <loss> <val_loss>} (CLASS_WEIGHTS
 * without files: a second fit, over {@link #weightedRecords()}, whose weights go to {@code dataset-<task>.bin}),
 * {@code EVAL <loss>} (BATCH_NORM: this worker's own
 * {@code evaluate} on the validation data after {@code fit}), {@code DONE}, or {@code FAILED <exception>} (exit status 3). Final weights
 * go to {@code <dir>/final-<task>.bin} (every weight's floats, big-endian, in {@code getWeights} order).
 */
public final class WorkerChild {
  static final long SEED = 20261206L;
  /** 12 global batches of 48. */
  static final int SAMPLES = 576;
  /** 12 global batches of 48 and a last one of 4, which 3 workers split 2, 1, 1. */
  static final int UNEVEN_SAMPLES = 580;
  /** The global batch: 2 and 3 divide it, so every worker's slice has the same size. */
  static final int BATCH = 48;
  static final int BACKUP_FREQ = 2;
  /** The BatchNormalization model's momentum: far from 1, so 36 steps move the moving statistics a long way. */
  static final double BN_MOMENTUM = 0.9;
  static final double BN_LEARNING_RATE = 0.1;

  /** What a run trains, and with which weights. */
  enum Variant {
    /** The digits MLP, unweighted. */
    PLAIN,
    /** The digits MLP with {@link #classWeights()}. */
    CLASS_WEIGHTS,
    /** The digits MLP with {@link #sampleWeights}. */
    SAMPLE_WEIGHTS,
    /** {@link #newBatchNormModel}, unshuffled (the test recomputes each worker's slices). */
    BATCH_NORM
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int epochs = Integer.parseInt(args[1]);
    Duration timeout = Duration.ofSeconds(Long.parseLong(args[2]));
    long sleepMs = Long.parseLong(args[3]);
    boolean files = Boolean.parseBoolean(args[4]);
    int samples = Integer.parseInt(args[5]);
    boolean modelBefore = args.length > 6 && Boolean.parseBoolean(args[6]);
    Variant variant = args.length > 7 ? Variant.valueOf(args[7]) : Variant.PLAIN;
    MultiWorkerMirroredStrategy strategy = MultiWorkerMirroredStrategy.builder(TfConfig.fromEnvironment())
        .collectiveTimeout(timeout).build();
    emit("START " + strategy.numReplicasInSync() + " " + strategy.taskIndex());
    Digits data = data(samples);
    if (modelBefore) {
      // Another model trained first in the same worker process: its collectives must not collide with the next's.
      try (var scope = strategy.scope(); Sequential other = new Sequential(Input.of(64), new Dense(7, "tanh"),
          new Dense(10, "softmax"))) {
        other.compile("sgd", "sparse_categorical_crossentropy");
        other.fit(data.pixels(), data.labels(), FitOptions.builder().epochs(1).batchSize(BATCH).verbose(0).build());
      }
    }
    try (Sequential model = variant == Variant.BATCH_NORM ? newBatchNormModel(strategy, null)
        : newModel(strategy)) {
      List<Callback> callbacks = new ArrayList<>();
      callbacks.add(new Callback() {
        private int epoch;

        @Override
        public void onEpochBegin(int e, Map<String, Double> logs) {
          epoch = e;
        }

        @Override
        public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
          emit("BATCH " + epoch + " " + batch);
          if (sleepMs > 0) {
            try {
              Thread.sleep(sleepMs);
            } catch (InterruptedException ex) {
              Thread.currentThread().interrupt();
            }
          }
        }
      });
      if (files) {
        callbacks.add(ModelCheckpoint.builder(dir.resolve("ckpt").resolve("ckpt-{epoch:03d}").toString())
            .saveWeightsOnly(true).build());
        callbacks.add(BackupAndRestore.builder(dir.resolve("backup")).saveFreq(BACKUP_FREQ).build());
      }
      History h;
      try {
        h = model.fit(data.pixels(), data.labels(), options(variant, data).epochs(epochs).batchSize(BATCH)
            .verbose(0).callbacks(callbacks.toArray(Callback[]::new)).build());
      } catch (RuntimeException e) {
        emit("FAILED " + e.getClass().getName() + ": " + e.getMessage().replace('\n', ' '));
        System.out.flush();
        Runtime.getRuntime().halt(3); // the TensorFlow server cannot be stopped; do not wait for its threads
        return;
      }
      List<Double> loss = h.history().get("loss");
      List<Double> acc = h.history().get("accuracy");
      List<Double> valLoss = h.history().get("val_loss");
      for (int i = 0; i < loss.size(); i++) {
        emit("EPOCH " + i + " " + loss.get(i) + " " + acc.get(i) + (valLoss == null ? "" : " " + valLoss.get(i)));
      }
      if (variant == Variant.BATCH_NORM) {
        // This worker's own model on the validation data: its own moving statistics, no collective.
        Digits val = validation();
        emit("EVAL " + model.evaluate(val.pixels(), val.labels()).get("loss"));
      }
      writeWeights(model.getWeights(), dir.resolve("final-" + strategy.taskIndex() + ".bin"));
    }
    if (variant == Variant.CLASS_WEIGHTS && !files) {
      // A Dataset fit in the same group: each worker keeps its slice of every global batch of 33 (17 and 16, the
      // last of 18: 9 and 9). Each worker asks for its own shuffle seed; the chief's must win.
      try (Sequential model = newModel(strategy)) {
        History h = model.fit(weightedRecords(), FitOptions.builder().epochs(epochs).seed(SEED + strategy.taskIndex())
            .validationData(validationRecords()).verbose(0).build());
        for (int i = 0; i < epochs; i++) {
          emit("DSEPOCH " + i + " " + h.history().get("loss").get(i) + " " + h.history().get("val_loss").get(i));
        }
        writeWeights(model.getWeights(), dir.resolve("dataset-" + strategy.taskIndex() + ".bin"));
      } catch (RuntimeException e) {
        emit("FAILED " + e.getClass().getName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
        System.out.flush();
        Runtime.getRuntime().halt(3);
        return;
      }
    }
    emit("DONE");
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }

  /**
   * The weighted digit records of {@code testdata/datasets/} (150: (x, y, sample_weight)), shuffled by the fit's
   * seed, in global batches of 33, normalized.
   */
  static Dataset weightedRecords() {
    return Dataset.fromTFRecord(Path.of("testdata", "datasets", "digits_weighted.tfrecord"),
        Feature.floats("pixels", 64), Feature.int64s("label"), Feature.floats("w")).inputs("pixels").targets("label")
        .sampleWeights("w").shuffle(150).batch(33).map("pixels", Transforms.normalize(8, 16));
  }

  /** The 48 GZIP validation records of {@code testdata/datasets/}, in batches of 16. */
  static Dataset validationRecords() {
    return Dataset.fromTFRecord(List.of(Path.of("testdata", "datasets", "digits_val.tfrecord.gz")),
        Dataset.Compression.GZIP, Feature.floats("pixels", 64), Feature.int64s("label")).inputs("pixels")
        .targets("label").batch(16).map("pixels", Transforms.normalize(8, 16));
  }

  static Digits data(int samples) {
    return Digits.load(Digits.DEFAULT_CSV).slice(0, samples);
  }

  /** The digits MLP; with a strategy, a worker of its group. */
  static Sequential newModel(MultiWorkerMirroredStrategy strategy) {
    Sequential model = new Sequential(Input.of(64), new Dense(32, "relu"), new Dense(10, "softmax"));
    model.setSeed(SEED);
    if (strategy != null) {
      model.setDistributeStrategy(strategy);
    }
    model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    return model;
  }

  /**
   * Dense(16) (no activation), BatchNormalization (momentum {@value #BN_MOMENTUM}), Dense(10, softmax), SGD
   * {@value #BN_LEARNING_RATE}; with {@code accumulation}, the optimizer accumulates that many steps' gradients.
   */
  static Sequential newBatchNormModel(MultiWorkerMirroredStrategy strategy, Integer accumulation) {
    Sequential model = new Sequential(Input.of(64), new Dense(16),
        BatchNormalization.builder().momentum(BN_MOMENTUM).build(), new Dense(10, "softmax"));
    model.setSeed(SEED);
    if (strategy != null) {
      model.setDistributeStrategy(strategy);
    }
    SGD.Builder sgd = SGD.builder().learningRate(BN_LEARNING_RATE);
    if (accumulation != null) {
      sgd.gradientAccumulationSteps(accumulation);
    }
    model.compile(sgd.build(), new SparseCategoricalCrossentropy(), "accuracy");
    return model;
  }

  /** {@code fit}'s options for a variant, without epochs, batch size or callbacks. */
  static FitOptions.Builder options(Variant variant, Digits data) {
    FitOptions.Builder b = FitOptions.builder();
    if (variant == Variant.BATCH_NORM) {
      Digits val = validation();
      return b.shuffle(false).validationData(val.pixels(), val.labels());
    }
    return switch (variant) {
      case PLAIN -> b;
      case CLASS_WEIGHTS -> b.classWeight(classWeights());
      case SAMPLE_WEIGHTS -> b.sampleWeight(sampleWeights(data.labels().length));
      case BATCH_NORM -> throw new AssertionError(variant);
    };
  }

  /** The BatchNormalization run's validation data: the 192 digits after the training samples. */
  static Digits validation() {
    return Digits.load(Digits.DEFAULT_CSV).slice(SAMPLES, SAMPLES + 192);
  }

  /** Class c weighs 0.25 + 0.25 * (c mod 5): 0.25 to 1.25, every digit weighted. */
  static Map<Integer, Double> classWeights() {
    Map<Integer, Double> w = new java.util.HashMap<>();
    for (int c = 0; c < 10; c++) {
      w.put(c, 0.25 + 0.25 * (c % 5));
    }
    return w;
  }

  /** Sample k weighs 0.1 + (k mod 7) / 3: uneven within every slice of every batch. */
  static float[] sampleWeights(int samples) {
    float[] w = new float[samples];
    for (int k = 0; k < samples; k++) {
      w[k] = 0.1f + (k % 7) / 3f;
    }
    return w;
  }

  static void writeWeights(List<FloatNdArray> weights, Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(tmp))) {
      for (FloatNdArray w : weights) {
        w.scalars().forEach(s -> {
          try {
            out.writeFloat(s.getFloat());
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
      }
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  static void emit(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
