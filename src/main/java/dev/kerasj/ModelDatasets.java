package dev.kerasj;

import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.History;
import dev.kerasj.data.BatchIterator;
import dev.kerasj.data.Dataset;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.internal.Network;
import dev.kerasj.internal.Tensors;
import dev.kerasj.internal.TrainingGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * {@code fit}, {@code evaluate} and {@code predict} over a {@link Dataset}: places the pipeline in the model's graph,
 * matched to the model's input and label placeholders, and drives it. Each call adds its own tf.data ops.
 */
final class ModelDatasets {
  private ModelDatasets() {}

  static History fit(Model model, ModelGraph graph, Network network, TrainingGraph training, Dataset data,
      FitOptions o, long seed) {
    if (o.validationSplit() > 0) {
      throw new IllegalArgumentException("validationSplit is only supported for arrays, not for a Dataset. "
          + "Received: validationSplit=" + o.validationSplit() + "; pass validationData(Dataset) instead");
    }
    if (o.sampleWeight() != null) {
      throw new IllegalArgumentException("`sample_weight` argument is not supported when using a Dataset as input: "
          + "give the Dataset weight features instead, Dataset.sampleWeights(...) (Keras' (x, y, sample_weight) "
          + "elements)");
    }
    if (o.classWeight() != null) {
      // The array path's checks (one output, one loss value per sample), before any op is placed.
      SampleWeights.requireClassWeightable(model, training);
    }
    Dataset valData = o.validationDataset();
    if (valData == null && o.validationX() != null) {
      // Arrays as validation data of a dataset fit: sliced and batched like Keras' array adapter.
      valData = (o.validationSampleWeight() == null ? Dataset.fromArrays(o.validationX(), o.validationY())
          : Dataset.fromArrays(o.validationX(), o.validationY(), o.validationSampleWeight())).batch(o.batchSize());
    }
    List<long[]> shapes = model.outputShapesForData();
    FitLoop loop = new FitLoop(model, training);
    // In a group: the chief's weights and seed before the pipelines exist, so every worker shuffles alike; each
    // keeps its slice of every training batch, and validates on the whole validation data (as for arrays).
    long fitSeed = loop.syncFromChief(seed);
    // Class weights weigh the training batches only, never validation (Keras neither).
    try (BatchIterator train = open(graph, network, training, data, fitSeed, "", shapes, true, o.classWeight(),
        loop.shard());
        BatchIterator val = valData == null ? null : open(graph, network, training, valData, fitSeed, "validation ",
            shapes, false, null, null)) {
      return loop.fit(train, val, o, fitSeed);
    }
  }

  static Map<String, Double> evaluate(Model model, ModelGraph graph, Network network, TrainingGraph training,
      Dataset data, Callback callbacks, long seed) {
    try (BatchIterator it = open(graph, network, training, data, seed, "", model.outputShapesForData(), false,
        null, null)) {
      if (it.cardinality() == -1) {
        throw new IllegalArgumentException("When providing an infinite dataset to evaluate, take(n) a finite part "
            + "of it. Received: " + data);
      }
      return new FitLoop(model, training).evaluate(it, null, callbacks, "");
    }
  }

  static Map<String, FloatNdArray> predict(ModelGraph graph, Network network, Dataset data, List<String> names,
      List<long[]> shapes, long seed) {
    List<Placeholder<?>> inputs = network.inputs();
    List<Operand<TFloat32>> outs = network.inferenceOutputs();
    try (BatchIterator it = data.open(graph.tf(), graph.session(), slots(inputs, "input"), List.of(), seed)) {
      if (it.cardinality() == -1) {
        throw new IllegalArgumentException("When providing an infinite dataset to predict, take(n) a finite part "
            + "of it. Received: " + data);
      }
      it.start(0);
      List<List<float[]>> chunks = new ArrayList<>();
      outs.forEach(o -> chunks.add(new ArrayList<>()));
      long[] rows = new long[outs.size()];
      long samples = 0;
      for (BatchIterator.Batch next = it.next(); next != null; next = it.next()) {
        try (BatchIterator.Batch b = next) {
          Session.Runner r = graph.session().runner();
          List<Tensor> xs = b.inputs();
          for (int i = 0; i < inputs.size(); i++) {
            r.feed(inputs.get(i), xs.get(i));
          }
          outs.forEach(r::fetch);
          try (Result res = r.run()) {
            for (int i = 0; i < outs.size(); i++) {
              chunks.get(i).add(Tensors.toHost(res.get(i)).floats());
            }
          }
          samples += b.size();
        }
      }
      Map<String, FloatNdArray> result = new LinkedHashMap<>();
      for (int i = 0; i < outs.size(); i++) {
        long[] outputShape = shapes.get(i);
        long perSample = Arrays.stream(outputShape).reduce(1, Math::multiplyExact);
        long total = samples * perSample;
        if (total > dev.kerasj.saving.MemoryBudget.MAX_ARRAY_LENGTH) {
          throw new IllegalArgumentException("predict over this dataset returns " + total + " values for output '"
              + names.get(i) + "', more than a Java array holds; predict on take(n)/skip(n) parts of it");
        }
        float[] all = new float[(int) total];
        int at = 0;
        for (float[] c : chunks.get(i)) {
          System.arraycopy(c, 0, all, at, c.length);
          at += c.length;
        }
        long[] shape = new long[outputShape.length + 1];
        shape[0] = samples;
        System.arraycopy(outputShape, 0, shape, 1, outputShape.length);
        result.put(names.get(i), NdArrays.wrap(Shape.of(shape), DataBuffers.of(all, false, false)));
      }
      return result;
    }
  }

  private static BatchIterator open(ModelGraph graph, Network network, TrainingGraph training, Dataset data,
      long seed, String what, List<long[]> outputShapes, boolean forTraining, Map<Integer, Double> classWeight,
      BatchIterator.Shard shard) {
    List<BatchIterator.Slot> targets = new ArrayList<>();
    List<BatchIterator.Slot> plain = slots(training.labelPlaceholders(), what + "target");
    for (int i = 0; i < plain.size(); i++) {
      BatchIterator.Slot s = plain.get(i);
      long[] out = outputShapes.get(i);
      // Class ids (sparse labels, int32) must be below the output's class count, as the array path checks.
      long classes = s.dtype() == org.tensorflow.types.TInt32.class && out.length > 0 ? out[out.length - 1] : 0;
      targets.add(new BatchIterator.Slot(s.what(), s.dtype(), s.shape(), classes));
    }
    List<BatchIterator.Slot> weights = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      // The sample-weight input of the pass the batches feed: a weight fed to the other pass would weigh nothing.
      Operand<TFloat32> w = training.sampleWeightInput(i, forTraining);
      weights.add(w == null ? null : new BatchIterator.Slot("the sample weights of the model's " + what + "output "
          + i + " ('" + w.op().name() + "')", TFloat32.class, w.shape().asArray()));
    }
    return data.open(graph.tf(), graph.session(), slots(network.inputs(), what + "input"), targets, weights,
        classWeight, shard, seed);
  }

  private static List<BatchIterator.Slot> slots(List<Placeholder<?>> placeholders, String what) {
    List<BatchIterator.Slot> out = new ArrayList<>();
    for (int i = 0; i < placeholders.size(); i++) {
      Placeholder<?> p = placeholders.get(i);
      out.add(new BatchIterator.Slot("the model's " + what + " " + i + " ('" + p.op().name() + "')", p.type(),
          p.shape().asArray()));
    }
    return out;
  }
}
