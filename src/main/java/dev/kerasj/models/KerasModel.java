package dev.kerasj.models;

import dev.kerasj.internal.ModelGraph;
import dev.kerasj.internal.Network;
import dev.kerasj.internal.Topology;
import dev.kerasj.internal.TrainingGraph;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.Layer;
import dev.kerasj.layers.Weight;
import dev.kerasj.losses.Loss;
import dev.kerasj.metrics.Metric;
import dev.kerasj.optimizers.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * What callbacks and file formats know of a model: the one contract they depend on, fulfilled by
 * {@link dev.kerasj.Model} (Functional) and {@link dev.kerasj.Sequential}. Users build, compile and fit those
 * classes; a callback's {@code setModel} and a format's {@code write} receive the model as this interface, which has
 * every method of theirs except the ones that take or return callbacks and fit options ({@code fit},
 * {@code evaluate}). Each method is documented on {@link dev.kerasj.Model}.
 */
public interface KerasModel extends AutoCloseable {
  /** The model's name ({@code sequential}, {@code functional} or the one given). */
  String name();

  /** Keras' class name in configs: {@code Sequential} or {@code Functional}. */
  String className();

  /** Whether this is a Sequential model, whose checkpoints and SavedModels Keras lays out differently. */
  default boolean isSequential() {
    return "Sequential".equals(className());
  }

  /** This model as the {@link Layer} it also is (a model can be a layer of another model). */
  Layer asLayer();

  List<Layer> layers();

  Layer getLayer(String name);

  List<KerasTensor> inputs();

  List<KerasTensor> outputs();

  List<String> inputNames();

  List<String> outputNames();

  /** The per-sample input shape of a single-input model, or null while unknown. */
  long[] inputShape();

  KerasModel setSeed(long seed);

  KerasModel setDevice(String device);

  long seed();

  boolean isCompiled();

  Optimizer optimizer();

  Loss loss();

  List<Loss> losses();

  List<Double> lossWeights();

  List<List<Metric>> metricsByOutput();

  /**
   * Each output's weighted metrics (Keras' {@code weighted_metrics}), in output order; empty lists (the default)
   * when compile gave none.
   */
  default List<List<Metric>> weightedMetricsByOutput() {
    return List.of();
  }

  List<Metric> metrics();

  /** Whether a log key is better lower or higher (null when the model logs no such key). */
  Metric.Direction logDirection(String key);

  void build();

  /** Whether the model's layers train (Keras' {@code model.trainable}). */
  boolean trainable();

  List<Weight> weights();

  List<Weight> trainableWeights();

  List<Weight> nonTrainableWeights();

  List<FloatNdArray> getWeights();

  Map<String, FloatNdArray> getWeightsByPath();

  void setWeights(List<?> values);

  void setWeights(Map<String, ?> valuesByPath);

  FloatNdArray predict(Object x);

  Map<String, FloatNdArray> predictOutputs(Object x);

  void saveWeights(Path path) throws IOException;

  void loadWeights(Path path) throws IOException;

  void save(Path path) throws IOException;

  boolean stopTraining();

  /** Asks {@code fit} to stop after the current batch (Keras' {@code model.stop_training = True}). */
  void setStopTraining(boolean stop);

  double learningRate();

  void setLearningRate(double value);

  long iterations();

  /**
   * This process's place in a data-parallel group ({@code MultiWorkerMirroredStrategy}): callbacks that write files
   * write real files only on the chief. {@link WorkerRole#SINGLE} outside a group.
   */
  default WorkerRole workerRole() {
    return WorkerRole.SINGLE;
  }

  String toJson();

  long countParams();

  String summary();

  /** The model graph owner; used by the formats. Not part of the user API. */
  ModelGraph graphForInternalUse();

  /** The layer graph (layers, calls); used by the config writers. Not part of the user API. */
  Topology topologyForInternalUse();

  /** The built layers' input placeholders and inference outputs; used by the SavedModel writer. Not user API. */
  Network networkForInternalUse();

  /** The training graph once compiled and built; used by the checkpoint formats. Not user API. */
  TrainingGraph trainingForInternalUse();

  /** Frees the TensorFlow graph and session; idempotent. */
  @Override
  void close();
}
