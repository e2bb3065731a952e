package dev.kerasj.examples;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.CSVLogger;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.internal.ConsoleLogging;
import dev.kerasj.saving.savedmodel.SavedModelLoader;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The main job: trains a digit classifier on the shipped UCI digits with a progress bar and checkpoints, logs every
 * epoch to CSV and prints the test evaluation. Its Python twin is {@code python-interop/train_digits_keras.py}
 * (same split, architecture and hyper-parameters).
 *
 * <p>Under {@code --out} (default {@code target/digits-run}) it writes, through {@code ModelCheckpoint}:
 * {@code checkpoints/epoch_NN-val_loss_X.XXXX.*} (TF checkpoints of weights and optimizer state, the last 3 kept),
 * {@code best_model/} (SavedModel of the best val_loss) and {@code last_model/} (SavedModel after every epoch, with
 * the training progress). Run it again with {@code --resume} after an interruption and it continues from
 * {@code last_model/} at the epoch it reached.
 *
 * <p>Library messages (checkpoints saved, best value) are SLF4J log lines on stdout, in order with the progress bar;
 * {@code --verbose} adds kerasj's DEBUG messages, such as the saves of the checkpoints built with {@code verbose=0}.
 *
 * <pre>mvn -q compile exec:java [-Dexec.args="--epochs 20 --out target/digits-run --resume --device /GPU:0"]</pre>
 */
public final class TrainDigits {
  /** First rows used for training (the rest, 360 rows, are the test set), as in the Python twin. */
  static final int TRAIN_ROWS = 1437;

  private TrainDigits() {}

  public static void main(String[] args) throws Exception {
    int epochs = 20;
    long seed = 42;
    Path out = Path.of("target", "digits-run");
    Path data = Digits.DEFAULT_CSV;
    String device = null;
    boolean resume = false;
    boolean verbose = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--epochs" -> epochs = Integer.parseInt(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--data" -> data = Path.of(args[++i]);
        case "--device" -> device = args[++i];
        case "--resume" -> resume = true;
        case "--verbose" -> verbose = true;
        default -> throw new IllegalArgumentException(
            "Unknown argument '" + args[i] + "'. Expected: --epochs N, --seed N, --out DIR, --data CSV, --device DEV, "
                + "--resume, --verbose");
      }
    }
    ConsoleLogging.configure(ConsoleLogging.Target.STDOUT, verbose);
    Digits all = Digits.load(data);
    Digits train = all.slice(0, TRAIN_ROWS);
    Digits test = all.slice(TRAIN_ROWS, all.size());
    Files.createDirectories(out);
    Path log = out.resolve("training_log.csv");

    Path lastModel = out.resolve("last_model");
    int initialEpoch = 0;
    Sequential model;
    if (resume && Files.isDirectory(lastModel)) {
      model = Sequential.load(lastModel);
      Integer done = SavedModelLoader.readTrainingState(lastModel).epoch();
      initialEpoch = done == null ? 0 : done;
      System.out.printf(Locale.ROOT, "Resuming from %s after epoch %d%n", lastModel, initialEpoch);
    } else {
      model = new Sequential(Input.of(64), new Dense(64, "relu"), new Dense(10, "softmax"));
      model.setSeed(seed);
      if (device != null) {
        model.setDevice(device);
      }
      model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    }
    try (model) {
      System.out.print(model.summary());
      System.out.printf(Locale.ROOT, "Training on %d digits (%d held out for validation), testing on %d%n",
          train.size(), (int) Math.ceil(train.size() * 0.1), test.size());
      History history = model.fit(train.pixels(), train.labels(), FitOptions.builder()
          .epochs(epochs).initialEpoch(initialEpoch).batchSize(32).validationSplit(0.1).shuffle(true).seed(seed)
          .verbose(1)
          .callbacks(new CSVLogger(log, ',', resume),
              ModelCheckpoint.builder(out.resolve("checkpoints").resolve("epoch_{epoch:02d}-val_loss_{val_loss:.4f}")
                  .toString()).saveWeightsOnly(true).maxToKeep(3).build(),
              ModelCheckpoint.builder(out.resolve("best_model").toString()).monitor("val_loss").saveBestOnly(true)
                  .verbose(1).build(),
              ModelCheckpoint.builder(lastModel.toString()).build())
          .build());
      Map<String, Double> scores = model.evaluate(test.pixels(), test.labels());
      System.out.printf(Locale.ROOT, "Epochs run: %d; training log: %s; checkpoints: %s%n", history.epochs().size(),
          log, out.toAbsolutePath());
      System.out.printf(Locale.ROOT, "Test loss: %.4f - test accuracy: %.4f%n", scores.get("loss"),
          scores.get("accuracy"));
    }
  }
}
