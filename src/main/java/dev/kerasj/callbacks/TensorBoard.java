package dev.kerasj.callbacks;

import dev.kerasj.internal.SummaryFileWriter;
import dev.kerasj.layers.Weight;
import dev.kerasj.models.KerasModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.proto.DataClass;
import org.tensorflow.proto.SummaryMetadata;

/**
 * Keras' {@code TensorBoard} callback: writes event files that TensorBoard shows exactly as it shows a Keras run,
 * with the same directories, tags and steps as Keras 3.15's {@code keras.callbacks.TensorBoard}. The events are
 * written by TensorFlow's own summary ops ({@code CreateSummaryFileWriter}, {@code WriteSummary},
 * {@code WriteGraphSummary}) in the tensor-summary format of Python's {@code tf.summary.scalar}/{@code histogram}.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.builder().epochs(10).validationSplit(0.1)
 *     .callbacks(TensorBoard.builder(Path.of("logs")).histogramFreq(1).updateFreq(10).build()).build());
 * // then: tensorboard --logdir logs
 * }</pre>
 *
 * <p>What is written, as Keras does:
 *
 * <ul>
 *   <li>{@code logDir/train}: {@code keras} (the model's Keras config JSON, plugin {@code graph_keras_model}, step
 *       0) and the model's TensorFlow graph when {@code writeGraph}; {@code epoch_loss}, {@code epoch_<metric>} and
 *       {@code epoch_learning_rate} at step = epoch (0-based); {@code batch_loss}, {@code batch_<metric>} (running
 *       means) at step = global batch number (1-based) every {@code updateFreq} batches when batch logging is on;
 *       {@code <model name>/<weight path>/histogram} (e.g. {@code sequential/dense/kernel/histogram}) every
 *       {@code histogramFreq} epochs.
 *   <li>{@code logDir/validation}: {@code epoch_loss}, {@code epoch_<metric>} (the {@code val_} results) at step =
 *       epoch, and {@code evaluation_loss_vs_iterations}, {@code evaluation_<metric>_vs_iterations} at step =
 *       optimizer iterations after each validation.
 * </ul>
 *
 * <p>The graph written is kerasj's whole training graph (Keras writes its {@code train_function} graph): both open in
 * TensorBoard's Graphs tab. Event files are streamed by TensorFlow's writer (not staged like checkpoints) and flushed
 * at every epoch end; a write failure throws out of {@code fit}.
 */
public final class TensorBoard implements Callback {
  /** Keras' default {@code histogram_freq=0}: no weight histograms. */
  public static final int DEFAULT_HISTOGRAM_FREQ = 0;
  /** Keras' default {@code write_graph=True}. */
  public static final boolean DEFAULT_WRITE_GRAPH = true;
  /** Keras' default {@code update_freq="epoch"}: no batch-level scalars (0 here). */
  public static final int EPOCH_ONLY = 0;
  /** Buckets per histogram, {@code tf.summary.histogram}'s default. */
  public static final int HISTOGRAM_BUCKETS = 30;

  private static final SummaryMetadata SCALAR = plugin("scalars", DataClass.DATA_CLASS_SCALAR, new byte[0]);
  private static final SummaryMetadata HISTOGRAM = plugin("histograms", DataClass.DATA_CLASS_TENSOR, new byte[0]);
  private static final SummaryMetadata KERAS_MODEL = plugin("graph_keras_model", DataClass.DATA_CLASS_UNKNOWN,
      "1".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  private final Path logDir;
  private final int histogramFreq;
  private final boolean writeGraph;
  private final int updateFreq;
  private KerasModel model;
  private SummaryFileWriter train;
  private SummaryFileWriter validation;
  private boolean graphPending;
  private long globalTrainBatch;

  private TensorBoard(Builder b) {
    this.logDir = b.logDir;
    this.histogramFreq = b.histogramFreq;
    this.writeGraph = b.writeGraph;
    this.updateFreq = b.updateFreq;
  }

  /** Starts options for logs under {@code logDir} (Keras' {@code log_dir}). */
  public static Builder builder(Path logDir) {
    return new Builder(logDir);
  }

  /** The directory holding {@code train/} and {@code validation/}. */
  public Path logDir() {
    return logDir;
  }

  @Override
  public void setModel(KerasModel model) {
    closeWriters();
    this.model = model;
    graphPending = false;
    if (writeGraph) {
      trainWriter().text("keras", model.toJson(), 0, KERAS_MODEL);
      graphPending = true;
    }
  }

  @Override
  public void onTrainBegin(Map<String, Double> logs) {
    globalTrainBatch = 0;
  }

  @Override
  public void onTrainBatchBegin(int batch, Map<String, Double> logs) {
    globalTrainBatch++;
  }

  @Override
  public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
    if (graphPending) {
      trainWriter().graph(model.graphForInternalUse().graph().toGraphDef().toByteArray(), 0);
      graphPending = false;
    }
    if (updateFreq != EPOCH_ONLY && globalTrainBatch % updateFreq == 0) {
      for (Map.Entry<String, Double> e : logs.entrySet()) {
        trainWriter().scalar("batch_" + e.getKey(), e.getValue(), globalTrainBatch, SCALAR);
      }
    }
  }

  @Override
  public void onTestEnd(Map<String, Double> logs) {
    if (model == null || !model.isCompiled()) {
      return;
    }
    long iterations = model.iterations();
    for (Map.Entry<String, Double> e : logs.entrySet()) {
      validationWriter().scalar("evaluation_" + e.getKey() + "_vs_iterations", e.getValue(), iterations, SCALAR);
    }
    validationWriter().flush();
  }

  @Override
  public void onEpochEnd(int epoch, Map<String, Double> logs) {
    Map<String, Double> trainLogs = new LinkedHashMap<>();
    Map<String, Double> valLogs = new LinkedHashMap<>();
    logs.forEach((k, v) -> (k.startsWith("val_") ? valLogs : trainLogs).put(k, v));
    if (model != null && model.isCompiled()) {
      trainLogs.put("learning_rate", learningRate());
    }
    for (Map.Entry<String, Double> e : trainLogs.entrySet()) {
      trainWriter().scalar("epoch_" + e.getKey(), e.getValue(), epoch, SCALAR);
    }
    for (Map.Entry<String, Double> e : valLogs.entrySet()) {
      validationWriter().scalar("epoch_" + e.getKey().substring(4), e.getValue(), epoch, SCALAR);
    }
    if (histogramFreq > 0 && epoch % histogramFreq == 0) {
      logWeights(epoch);
    }
    if (train != null) {
      train.flush();
    }
    if (validation != null) {
      validation.flush();
    }
  }

  @Override
  public void onTrainEnd(Map<String, Double> logs) {
    closeWriters();
  }

  private void logWeights(int epoch) {
    List<Weight> weights = model.weights();
    List<FloatNdArray> values = model.getWeights();
    for (int i = 0; i < weights.size(); i++) {
      // Keras 3's weight.path includes the model's name: "sequential/dense/kernel".
      String tag = (model.name() + "/" + weights.get(i).path()).replace(':', '_') + "/histogram";
      trainWriter().matrix(tag, Histogram.buckets(values.get(i), HISTOGRAM_BUCKETS), epoch, HISTOGRAM);
    }
  }

  /** The rate the next step uses, as Keras' {@code optimizer.learning_rate}: a schedule's value when there is one. */
  private double learningRate() {
    return model.isCompiled() ? model.learningRate() : 0;
  }

  private SummaryFileWriter trainWriter() {
    if (train == null) {
      train = new SummaryFileWriter(logDir.resolve("train"));
    }
    return train;
  }

  private SummaryFileWriter validationWriter() {
    if (validation == null) {
      validation = new SummaryFileWriter(logDir.resolve("validation"));
    }
    return validation;
  }

  private void closeWriters() {
    try {
      if (train != null) {
        train.close();
      }
    } finally {
      train = null;
      if (validation != null) {
        validation.close();
      }
      validation = null;
    }
  }

  private static SummaryMetadata plugin(String name, DataClass dataClass, byte[] content) {
    return SummaryMetadata.newBuilder()
        .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(name)
            .setContent(com.google.protobuf.ByteString.copyFrom(content)))
        .setDataClass(dataClass)
        .build();
  }

  /** Options for {@link TensorBoard}; Keras' names and defaults. */
  public static final class Builder {
    private final Path logDir;
    private int histogramFreq = DEFAULT_HISTOGRAM_FREQ;
    private boolean writeGraph = DEFAULT_WRITE_GRAPH;
    private int updateFreq = EPOCH_ONLY;

    private Builder(Path logDir) {
      if (logDir == null) {
        throw new IllegalArgumentException("TensorBoard needs a log directory. Received: logDir=null");
      }
      this.logDir = logDir;
    }

    /** Weight histograms every {@code n} epochs (Keras' {@code histogram_freq}); 0 turns them off. */
    public Builder histogramFreq(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("histogramFreq must be >= 0. Received: histogramFreq=" + n);
      }
      this.histogramFreq = n;
      return this;
    }

    /** Whether to write the model config and graph (Keras' {@code write_graph}). */
    public Builder writeGraph(boolean write) {
      this.writeGraph = write;
      return this;
    }

    /**
     * Batch-level scalars every {@code n} batches (Keras' {@code update_freq=n}; 1 is {@code "batch"}); 0, the
     * default, is Keras' {@code "epoch"}: epoch-level scalars only.
     */
    public Builder updateFreq(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("updateFreq must be >= 0 (0 = \"epoch\", 1 = \"batch\"). Received: "
            + "updateFreq=" + n);
      }
      this.updateFreq = n;
      return this;
    }

    /** The callback. */
    public TensorBoard build() {
      return new TensorBoard(this);
    }
  }
}
