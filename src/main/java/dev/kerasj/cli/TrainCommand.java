package dev.kerasj.cli;

import dev.kerasj.FitOptions;
import dev.kerasj.Model;
import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.callbacks.TensorBoard;
import dev.kerasj.distribute.MultiWorkerMirroredStrategy;
import dev.kerasj.distribute.TfConfig;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kerasj train --config model.json --data train.csv ...}: builds the model a Keras 3 {@code config.json}
 * describes (through {@link ModelConfigReader}), reads a numeric CSV with a header (features in the model's input
 * shape, flattened; one label column), trains with the progress bar, and checkpoints with {@link ModelCheckpoint}
 * options given as flags. The optimizer, loss and metrics come from the config's {@code compile_config} unless
 * {@code --optimizer}/{@code --loss} (and {@code --metrics}) are given.
 *
 * <p>{@code --workers N} runs the same command on N local worker processes ({@link LocalWorkers}); a process that
 * finds {@code TF_CONFIG} in its environment trains as that cluster's worker with
 * {@link MultiWorkerMirroredStrategy} (only the chief shows progress and writes checkpoints and backups).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train a model described by a Keras 3 config.json on CSV data, with ModelCheckpoint options.")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "CONFIG_JSON",
      description = "Keras 3 model config (config.json / model.to_json()) of a Sequential or Functional model, or a .keras "
          + "archive whose config is used (training starts from fresh weights).")
  Path config;

  @Option(names = "--data", required = true, paramLabel = "CSV",
      description = "Training data: a header row, then one numeric row per sample.")
  Path data;

  @Option(names = "--label-column", paramLabel = "NAME",
      description = "The label column (default: the last column). Integer class ids for sparse losses.")
  String labelColumn;

  @Option(names = "--epochs", defaultValue = "1", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "32", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--validation-split", defaultValue = "0", paramLabel = "FRACTION",
      description = "Fraction of the rows, taken from the end before shuffling, held out for validation.")
  double validationSplit;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for initial weights and shuffling "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--no-shuffle", description = "Keep the row order in every epoch.")
  boolean noShuffle;

  @Option(names = "--optimizer", description = "Optimizer identifier (adam, sgd, rmsprop, adagrad, adamw); "
      + "overrides the config's compile_config.")
  String optimizer;

  @Option(names = "--loss", description = "Loss identifier (sparse_categorical_crossentropy, mse ...); "
      + "overrides the config's compile_config.")
  String loss;

  @Option(names = "--metrics", split = ",", description = "Metric identifiers, comma separated (with --loss).")
  List<String> metrics = new ArrayList<>();

  @Option(names = "--checkpoint", paramLabel = "FILEPATH",
      description = "ModelCheckpoint file path template, e.g. 'ckpt/epoch_{epoch:02d}-{val_loss:.4f}'.")
  String checkpoint;

  @Option(names = "--monitor", defaultValue = "val_loss", description = "ModelCheckpoint monitor "
      + "(default: ${DEFAULT-VALUE}).")
  String monitor;

  @Option(names = "--mode", defaultValue = "auto", description = "ModelCheckpoint mode: auto, min, max.")
  String mode;

  @Option(names = "--save-best-only", description = "ModelCheckpoint: save only when the monitor improves.")
  boolean saveBestOnly;

  @Option(names = "--save-weights-only", description = "ModelCheckpoint: TF checkpoints instead of SavedModels.")
  boolean saveWeightsOnly;

  @Option(names = "--save-freq", defaultValue = "epoch", paramLabel = "epoch|N",
      description = "ModelCheckpoint: 'epoch' or every N batches (default: ${DEFAULT-VALUE}).")
  String saveFreq;

  @Option(names = "--tensorboard", paramLabel = "LOGDIR", description = "Write TensorBoard logs here.")
  Path tensorboard;

  @Option(names = "--progress", defaultValue = "1", paramLabel = "0|1|2",
      description = "Keras verbose: 0 silent, 1 progress bar (default), 2 one line per epoch.")
  int progress;

  @Option(names = "--backup-dir", paramLabel = "DIR", description = "BackupAndRestore: back up every epoch to DIR "
      + "and resume from it when the same command runs again.")
  Path backupDir;

  @Option(names = "--workers", paramLabel = "N", description = "Train on N worker processes on this machine "
      + "(loopback ports), synchronous data-parallel like Keras' MultiWorkerMirroredStrategy; --batch-size is the "
      + "global batch. Without it, a TF_CONFIG in the environment makes this process one worker of that cluster.")
  Integer workers;

  @Option(names = "--collective-timeout", defaultValue = "60", paramLabel = "SECONDS", description = "With workers: "
      + "how long an all-reduce waits for the other workers before failing (default: ${DEFAULT-VALUE}).")
  long collectiveTimeout;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** Replaced by tests and by a richer reader; see {@link ModelConfigReader}. */
  static ModelConfigReader configReader = ModelConfigReader.DEFAULT;

  @Override
  public Integer call() throws Exception {
    if ((optimizer == null) != (loss == null)) {
      throw new CliException("give --optimizer and --loss together (or neither, to use the config's "
          + "compile_config). Received: --optimizer=" + optimizer + ", --loss=" + loss);
    }
    if (workers != null) {
      if (workers < 1) {
        throw new CliException("--workers must be at least 1. Received: " + workers);
      }
      if (TfConfig.fromEnvironment() != null) {
        throw new CliException("--workers starts its own local cluster, but TF_CONFIG is set in the environment ("
            + System.getenv(TfConfig.ENV) + "). Unset TF_CONFIG, or drop --workers to run as that cluster's worker");
      }
      return LocalWorkers.run(workers, LocalWorkers.withoutWorkersOption(
          spec.commandLine().getParseResult().originalArgs()), spec.commandLine().getOut(),
          spec.commandLine().getErr());
    }
    MultiWorkerMirroredStrategy strategy = null;
    TfConfig cluster = TfConfig.fromEnvironment();
    if (cluster != null) {
      if (collectiveTimeout < 1) {
        throw new CliException("--collective-timeout must be at least 1 second. Received: " + collectiveTimeout);
      }
      strategy = MultiWorkerMirroredStrategy.builder(cluster).collectiveTimeout(Duration.ofSeconds(collectiveTimeout))
          .build();
    }
    List<Callback> callbacks = checkpointAndLogs();
    try (Model model = readModel(strategy)) {
      if (model.inputs().size() != 1 || model.outputs().size() != 1) {
        throw new CliException("train reads one CSV of features and one label column, for a model of one input and "
            + "one output; " + config + " has inputs " + model.inputNames() + " and outputs " + model.outputNames()
            + ". Train it from Java with fit(Map, Map)");
      }
      if (optimizer != null) {
        model.compile(optimizer, loss, metrics.toArray(String[]::new));
      } else if (!model.isCompiled()) {
        throw new CliException(config + " has no compile_config: give --optimizer and --loss (and --metrics)");
      }
      boolean sparse = model.loss() instanceof SparseCategoricalCrossentropy;
      Csv csv = Csv.read(data, labelColumn, model.inputShape(), sparse);
      boolean chief = strategy == null || strategy.isChief();
      History history = model.fit(csv.x, csv.y, FitOptions.builder().epochs(epochs).batchSize(batchSize)
          .validationSplit(validationSplit).shuffle(!noShuffle).seed(seed).verbose(chief ? progress : 0)
          .callbacks(callbacks.toArray(Callback[]::new)).build());
      PrintWriter out = spec.commandLine().getOut();
      Map<String, List<Double>> h = history.history();
      StringBuilder last = new StringBuilder();
      h.forEach((k, v) -> last.append(last.isEmpty() ? "" : ", ").append(k).append('=')
          .append(String.format(java.util.Locale.ROOT, "%.4f", v.get(v.size() - 1))));
      out.println("trained " + history.epochs().size() + " epochs on " + csv.rows + " rows of " + data
          + (strategy == null ? "" : " as worker " + strategy.taskIndex() + " of " + strategy.numReplicasInSync())
          + ": " + last);
      out.flush();
    }
    return Kerasj.EXIT_OK;
  }

  /** The config's model, created inside the strategy's scope when there is one (the reader builds and compiles). */
  private Model readModel(MultiWorkerMirroredStrategy strategy) throws IOException {
    if (strategy == null) {
      return configReader.read(config, seed);
    }
    try (MultiWorkerMirroredStrategy.Scope scope = strategy.scope()) {
      return configReader.read(config, seed);
    }
  }

  private List<Callback> checkpointAndLogs() {
    List<Callback> callbacks = new ArrayList<>();
    if (checkpoint != null) {
      ModelCheckpoint.Builder b = ModelCheckpoint.builder(checkpoint).monitor(monitor).mode(mode)
          .saveBestOnly(saveBestOnly).saveWeightsOnly(saveWeightsOnly).verbose(1);
      if (saveFreq.equals("epoch")) {
        b.saveFreqEpoch();
      } else {
        try {
          b.saveFreq(Integer.parseInt(saveFreq));
        } catch (NumberFormatException e) {
          throw new CliException("--save-freq must be 'epoch' or a number of batches. Received: " + saveFreq);
        }
      }
      callbacks.add(b.build());
    } else if (saveBestOnly || saveWeightsOnly) {
      throw new CliException("--save-best-only/--save-weights-only need --checkpoint FILEPATH");
    }
    if (tensorboard != null) {
      callbacks.add(TensorBoard.builder(tensorboard).build());
    }
    if (backupDir != null) {
      callbacks.add(new BackupAndRestore(backupDir));
    }
    return callbacks;
  }

  /** A numeric CSV with a header row: features reshaped to the model's input shape, and the label column. */
  static final class Csv {
    final FloatNdArray x;
    final Object y;
    final int rows;

    private Csv(FloatNdArray x, Object y, int rows) {
      this.x = x;
      this.y = y;
      this.rows = rows;
    }

    static Csv read(Path file, String labelColumn, long[] inputShape, boolean intLabels) throws IOException {
      List<String> header;
      List<float[]> features = new ArrayList<>();
      List<Float> labels = new ArrayList<>();
      int label;
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String first = r.readLine();
        if (first == null) {
          throw new CliException(file + " is empty: expected a header row and numeric rows");
        }
        header = Arrays.asList(first.split(",", -1));
        label = labelColumn == null ? header.size() - 1 : header.indexOf(labelColumn);
        if (label < 0) {
          throw new CliException(file + " has no column '" + labelColumn + "'. Columns: " + header);
        }
        long perSample = Arrays.stream(inputShape).reduce(1, (a, b) -> a * b);
        if (perSample != header.size() - 1) {
          throw new CliException(file + " has " + (header.size() - 1) + " feature columns, but the model's input "
              + "shape " + Arrays.toString(inputShape) + " takes " + perSample + " values per sample");
        }
        String line;
        int lineNo = 1;
        while ((line = r.readLine()) != null) {
          lineNo++;
          if (line.isBlank()) {
            continue;
          }
          String[] cells = line.split(",", -1);
          if (cells.length != header.size()) {
            throw new CliException(file + " line " + lineNo + ": " + cells.length + " columns, expected "
                + header.size());
          }
          float[] row = new float[cells.length - 1];
          for (int c = 0, j = 0; c < cells.length; c++) {
            float v;
            try {
              v = Float.parseFloat(cells[c].trim());
            } catch (NumberFormatException e) {
              throw new CliException(file + " line " + lineNo + ", column '" + header.get(c) + "': not a number: '"
                  + cells[c] + "'");
            }
            if (c == label) {
              labels.add(v);
            } else {
              row[j++] = v;
            }
          }
          features.add(row);
        }
      }
      int n = features.size();
      if (n == 0) {
        throw new CliException(file + " has a header but no rows");
      }
      long[] dims = new long[inputShape.length + 1];
      dims[0] = n;
      System.arraycopy(inputShape, 0, dims, 1, inputShape.length);
      FloatNdArray x = NdArrays.ofFloats(Shape.of(dims));
      int width = features.get(0).length;
      float[] flat = new float[n * width];
      for (int i = 0; i < n; i++) {
        System.arraycopy(features.get(i), 0, flat, i * width, width);
      }
      x.copyFrom(org.tensorflow.ndarray.buffer.DataBuffers.of(flat, true, false));
      Object y;
      if (intLabels) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
          float v = labels.get(i);
          if (v != Math.rint(v)) {
            throw new CliException(file + " row " + (i + 1) + ": label " + v + " is not an integer class id, as "
                + "sparse_categorical_crossentropy needs");
          }
          ids[i] = (int) v;
        }
        y = ids;
      } else {
        float[][] ys = new float[n][1];
        for (int i = 0; i < n; i++) {
          ys[i][0] = labels.get(i);
        }
        y = ys;
      }
      return new Csv(x, y, n);
    }
  }
}
