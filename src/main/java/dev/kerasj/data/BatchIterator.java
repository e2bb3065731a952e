package dev.kerasj.data;

import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.Network;
import dev.kerasj.internal.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.data.MakeIterator;
import org.tensorflow.op.data.ShuffleDataset;
import org.tensorflow.op.random.AnonymousSeedGenerator;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A {@link Dataset} placed in a model's graph: the tf.data ops, one iterator, and the ops after
 * {@code IteratorGetNext} (record parsing, maps, casts to the model's dtypes). {@link #start} (re)creates the
 * iterator for one pass, {@link #next} returns the model-ready tensors of a batch pulled by a {@code Session.run} of
 * its own, which the training step then takes without any copy through Java, and starts pulling the next batch on
 * this iterator's thread while the caller trains. Not user API: {@code fit}, {@code evaluate} and {@code predict}
 * drive it.
 *
 * <p>Owns the tensors holding an array source (fed once per pass), the batch pulled ahead and its thread;
 * {@link #close()} waits for a pull under way and frees them. Not thread-safe: one caller at a time.
 */
public final class BatchIterator implements AutoCloseable {
  /** What one model input or target takes: a name for messages, a dtype and a shape whose first dimension is -1. */
  /**
   * What one model input or target takes: a name for messages, a dtype, a shape whose first dimension is -1, and for
   * class ids the number of classes ({@code idLimit}; 0: no check): ids outside {@code [0, idLimit)} fail the step
   * with a {@link DatasetException} instead of training on a one-hot row of zeros.
   */
  public record Slot(String what, Class<? extends TType> dtype, long[] shape, long idLimit) {
    public Slot {
      shape = shape.clone();
    }

    public Slot(String what, Class<? extends TType> dtype, long[] shape) {
      this(what, dtype, shape, 0);
    }
  }

  /**
   * One worker's part of the data under {@code MultiWorkerMirroredStrategy}: worker {@code index} of
   * {@code workers} keeps its contiguous slice of every global batch (see {@code ShardOps}).
   */
  public record Shard(int index, int workers) {
    public Shard {
      if (workers < 1 || index < 0 || index >= workers) {
        throw new IllegalArgumentException("Expected 0 <= index < workers. Received: index=" + index + ", workers="
            + workers);
      }
    }
  }

  /** One batch: the model's inputs, then its targets, then its sample weights, alive until {@link #close()}. */
  public static final class Batch implements AutoCloseable {
    private final Result result;
    private final int offset;
    private final int inputs;
    private final int targets;
    private final int weights;
    /** Whether the global batch's row count and this worker's share follow the weights (a {@link Shard}). */
    private final boolean sharded;

    private final List<Tensor> owned;

    Batch(Result result, int offset, int inputs, int targets, int weights, boolean sharded) {
      this.result = result;
      this.offset = offset;
      this.inputs = inputs;
      this.targets = targets;
      this.weights = weights;
      this.sharded = sharded;
      this.owned = null;
    }

    /** A batch of tensors made in Java (a generator's), owned by this batch. */
    Batch(List<Tensor> owned, int inputs, int targets, int weights, boolean sharded) {
      this.result = null;
      this.offset = 0;
      this.inputs = inputs;
      this.targets = targets;
      this.weights = weights;
      this.sharded = sharded;
      this.owned = List.copyOf(owned);
    }

    /**
     * This worker's share of the global batch (its rows / the global batch's), a float32 scalar to feed the
     * replicated training step; null when the data is not sharded.
     */
    public Tensor share() {
      return sharded ? get(inputs + targets + weights + 1) : null;
    }

    private Tensor get(int i) {
      return owned != null ? owned.get(i) : result.get(offset + i);
    }

    public List<Tensor> inputs() {
      List<Tensor> out = new ArrayList<>();
      for (int i = 0; i < inputs; i++) {
        out.add(get(i));
      }
      return out;
    }

    public List<Tensor> targets() {
      List<Tensor> out = new ArrayList<>();
      for (int i = 0; i < targets; i++) {
        out.add(get(inputs + i));
      }
      return out;
    }

    /**
     * The sample weights of each output with a loss, in output order, or an empty list when the dataset has none
     * (every sample weighs 1).
     */
    public List<Tensor> weights() {
      List<Tensor> out = new ArrayList<>();
      for (int i = 0; i < weights; i++) {
        out.add(get(inputs + targets + i));
      }
      return out;
    }

    /**
     * The number of examples in this batch (0 for the end-of-pass marker); for a worker's slice, in the global batch
     * it was cut from (what the running means weigh it by, as for arrays).
     */
    public int size() {
      return sharded ? ((TInt32) get(inputs + targets + weights)).getInt() : (int) get(0).shape().get(0);
    }

    @Override
    public void close() {
      if (owned != null) {
        owned.forEach(Tensor::close);
      } else {
        result.close();
      }
    }
  }

  /** tf.data's default TFRecord read buffer (256 KiB). */
  private static final long RECORD_BUFFER_BYTES = 256L * 1024;

  private final Dataset dataset;
  private final Session session;
  private final long seed;
  private final List<Placeholder<?>> arrayFeeds = new ArrayList<>();
  private final List<Tensor> arrayTensors = new ArrayList<>();
  private final List<Placeholder<TInt64>[]> shuffleSeeds = new ArrayList<>();
  private final List<Long> shuffleBaseSeeds = new ArrayList<>();
  /** Null for a generator source (no tf.data ops). */
  private final MakeIterator make;
  private final Operand<TInt64> cardinality;
  private final List<Operand<?>> outputs = new ArrayList<>();
  private final int inputCount;
  private final int targetCount;
  /** Sample-weight tensors per batch: one per weight slot, or 0 when neither weights nor class weights are given. */
  private final int weightCount;
  private final Map<Integer, Double> classWeight;
  /** A generator source with class weights: the labels fed here, the weights fetched from {@code classWeightOut}. */
  private Placeholder<?> classWeightLabels;
  private Operand<TFloat32> classWeightOut;
  /** This worker's part of each global batch, or null for all of it. */
  private final Shard shard;
  private final List<Slot> slots;
  /** A generator source's iterator for the current pass, and the number of batches it gave. */
  private java.util.Iterator<? extends Map<String, ?>> generated;
  private long generatedBatches;
  /**
   * The next batch's pull run, started on {@link #puller} when {@link #next} hands out a batch, so that it runs
   * while the caller trains on that batch; null when none is under way.
   */
  private Future<Batch> ahead;
  private ExecutorService puller;
  private boolean closed;

  BatchIterator(Dataset dataset, Ops graphTf, Session session, List<Slot> inputs, List<Slot> targets,
      List<Slot> weights, Map<Integer, Double> classWeight, Shard shard, long seed) {
    this.dataset = dataset;
    this.session = session;
    this.seed = seed;
    long batches = dataset.steps().stream().filter(s -> s.kind() == Dataset.Kind.BATCH).count();
    if (batches != 1 && dataset.source().generator() == null) {
      throw new IllegalArgumentException("Expected a batched Dataset: call batch(n) once, as Keras expects batched "
          + "datasets. Received: " + dataset);
    }
    if (dataset.inputs().isEmpty()) {
      throw new IllegalArgumentException("The Dataset does not say which features feed the model: call inputs(...) "
          + "with one of " + dataset.featureNames());
    }
    if (dataset.inputs().size() != inputs.size()) {
      throw new IllegalArgumentException("The model has " + inputs.size() + " input(s). Received: a Dataset with "
          + "inputs " + dataset.inputs());
    }
    if (!targets.isEmpty() && dataset.targets().size() != targets.size()) {
      throw new IllegalArgumentException("The model has " + targets.size() + " output(s) with a loss. Received: a "
          + "Dataset with targets " + dataset.targets() + (dataset.targets().isEmpty() ? "; call targets(...)" : ""));
    }
    List<String> weightNames = SampleWeightOps.check(dataset, targets.size(), weights, classWeight);
    this.inputCount = inputs.size();
    this.targetCount = targets.size();
    this.classWeight = classWeight;
    this.shard = shard;
    this.weightCount = classWeight != null ? 1 : weightNames.size();
    this.slots = new ArrayList<>(inputs);
    slots.addAll(targets);
    if (classWeight == null) {
      slots.addAll(weights.subList(0, weightNames.size()));
    }
    if (dataset.source().generator() != null) {
      this.make = null;
      this.cardinality = null;
      if (classWeight != null) {
        Ops cwTf = graphTf.withSubScope("dataset_class_weight");
        Slot label = targets.get(0);
        classWeightLabels = cwTf.placeholder(label.dtype(), Placeholder.shape(Shape.of(label.shape())));
        classWeightOut = SampleWeightOps.classWeights(cwTf, classWeightLabels, classWeight, "the generator's "
            + dataset.targets().get(0));
      }
      return;
    }
    Ops tf = graphTf.withSubScope("dataset").withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU)
        .deviceIndex(0).build());
    List<Class<? extends TType>> types = new ArrayList<>();
    List<Shape> shapes = new ArrayList<>();
    Operand<? extends TType> ds = source(tf, types, shapes);
    for (Dataset.Step s : dataset.steps()) {
      ds = step(tf, ds, s, types, shapes);
    }
    this.cardinality = tf.data.datasetCardinality(ds);
    org.tensorflow.op.data.Iterator iterator = tf.data.iterator("", "", types, shapes);
    this.make = tf.data.makeIterator(ds, iterator);
    List<Operand<?>> components = PipelineOps.nextOrEmpty(tf, iterator, types, shapes);
    List<Operand<?>> shardCounts = List.of();
    if (shard != null) {
      List<Operand<?>> sliced = ShardOps.slice(tf, components, shard);
      components = sliced.subList(0, components.size());
      shardCounts = sliced.subList(components.size(), sliced.size());
    }
    Map<String, Operand<?>> features = PipelineOps.features(tf, dataset.source(), components);
    Ops mapTf = graphTf.withSubScope("dataset_map");
    for (Dataset.Mapping m : dataset.maps()) {
      if (m.fn() == null) {
        features.put(m.feature(), PipelineOps.stack(mapTf, m.sources().stream().map(features::get).toList()));
        continue;
      }
      try {
        features.put(m.feature(), m.fn().apply(mapTf, features.get(m.feature())));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("map over feature '" + m.feature() + "' failed: " + e.getMessage(), e);
      }
    }
    for (int i = 0; i < inputs.size(); i++) {
      outputs.add(conform(mapTf, features, dataset.inputs().get(i), inputs.get(i)));
    }
    for (int i = 0; i < targets.size(); i++) {
      outputs.add(conform(mapTf, features, dataset.targets().get(i), targets.get(i)));
    }
    if (classWeight != null) {
      outputs.add(SampleWeightOps.classWeights(mapTf, outputs.get(inputs.size()), classWeight, "feature "
          + dataset.targets().get(0)));
    }
    for (int i = 0; classWeight == null && i < weightNames.size(); i++) {
      String name = weightNames.get(i);
      Operand<?> w = features.get(name);
      if (w.type() == TString.class) {
        throw new IllegalArgumentException("Sample-weight feature '" + name + "' holds bytes; expected numbers, one "
            + "per example");
      }
      features.put(name, SampleWeightOps.squeezeOne(mapTf, w, weights.get(i)));
      outputs.add(SampleWeightOps.checked(mapTf, conform(mapTf, features, name, weights.get(i)), name));
    }
    outputs.addAll(shardCounts);
  }

  private Operand<? extends TType> source(Ops tf, List<Class<? extends TType>> types, List<Shape> shapes) {
    Dataset.Source src = dataset.source();
    if (src.arrays() != null) {
      List<Operand<?>> components = new ArrayList<>();
      for (Map.Entry<String, HostArray> e : src.arrays().entrySet()) {
        HostArray a = e.getValue();
        Class<? extends TType> dtype = a.isFloat() ? TFloat32.class : TInt32.class;
        long[] full = a.shape();
        full[0] = -1;
        Placeholder<?> p = tf.placeholder(dtype, Placeholder.shape(Shape.of(full)));
        arrayFeeds.add(p);
        arrayTensors.add(Tensors.of(a, dtype));
        components.add(p);
        types.add(dtype);
        shapes.add(Shape.of(a.sampleShape()));
      }
      return tf.data.tensorSliceDataset(components, shapes);
    }
    String[] names = src.files().stream().map(Object::toString).toArray(String[]::new);
    if (src.csvHeader() != null) {
      List<Operand<?>> defaults = new ArrayList<>();
      for (Feature f : src.features()) {
        defaults.add(PipelineOps.empty(tf, f.type())); // no default: a missing field is an error
        types.add(PipelineOps.dtype(f.type()));
        shapes.add(Shape.scalar());
      }
      return tf.data.cSVDataset(PipelineOps.strings(tf, names), tf.constant(""), tf.constant(RECORD_BUFFER_BYTES),
          tf.constant(src.csvHeader()), tf.constant(","), tf.constant(true), tf.constant(""),
          tf.constant(new long[0]), defaults, tf.constant(new long[0]), shapes);
    }
    types.add(TString.class);
    shapes.add(Shape.scalar());
    // The V1 op, which Python's TFRecordDataset uses without byte offsets: TF Java's TFRecordDatasetV2 with empty
    // byte_offsets fails in the 2.18 runtime as soon as tf.data serializes the pipeline for its graph rewrites
    // ("Failed to build TFRecordDatasetV2 op with error 3 inputs specified of 4 inputs").
    org.tensorflow.Operation op = tf.scope().opBuilder("TFRecordDataset", "TFRecordDataset")
        .addInput(PipelineOps.strings(tf, names).asOutput()).addInput(tf.constant(src.compression().tfName).asOutput())
        .addInput(tf.constant(RECORD_BUFFER_BYTES).asOutput()).build();
    return op.output(0);
  }

  @SuppressWarnings("unchecked")
  private Operand<? extends TType> step(Ops tf, Operand<? extends TType> ds, Dataset.Step s,
      List<Class<? extends TType>> types, List<Shape> shapes) {
    switch (s.kind()) {
      case SHUFFLE: {
        Placeholder<TInt64> s1 = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
        Placeholder<TInt64> s2 = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
        shuffleSeeds.add(new Placeholder[] {s1, s2});
        shuffleBaseSeeds.add(s.seed() == null ? seed : s.seed());
        AnonymousSeedGenerator gen = tf.random.anonymousSeedGenerator(s1, s2, tf.constant(true));
        return tf.data.shuffleDataset(ds, tf.constant(s.n()), s1, s2, gen.handle(), types, shapes,
            ShuffleDataset.reshuffleEachIteration(true));
      }
      case BATCH: {
        List<Shape> batched = new ArrayList<>();
        for (Shape sh : shapes) {
          batched.add(Shape.of(s.dropRemainder() ? s.n() : -1).append(sh));
        }
        shapes.clear();
        shapes.addAll(batched);
        return tf.data.batchDataset(ds, tf.constant(s.n()), tf.constant(s.dropRemainder()), types, shapes);
      }
      case REPEAT:
        return tf.data.repeatDataset(ds, tf.constant(s.n()), types, shapes);
      case TAKE:
        return tf.data.takeDataset(ds, tf.constant(s.n()), types, shapes);
      case SKIP:
        return tf.data.skipDataset(ds, tf.constant(s.n()), types, shapes);
      case CACHE:
        return tf.data.cacheDataset(ds, tf.constant(""), tf.data.anonymousMemoryCache().handle(), types, shapes);
      case PREFETCH:
        return tf.data.prefetchDataset(ds, tf.constant(s.n()), types, shapes);
      default:
        throw new IllegalStateException(s.kind().toString());
    }
  }

  /** The feature as the slot takes it: cast to its dtype, its static shape checked. */
  private Operand<?> conform(Ops tf, Map<String, Operand<?>> features, String name, Slot slot) {
    Operand<?> value = features.get(name);
    if (value.type() == TString.class) {
      throw new IllegalArgumentException("Feature '" + name + "' holds bytes and " + slot.what() + " takes "
          + slot.dtype().getSimpleName() + ". Map it to numbers first, for example map(\"" + name
          + "\", Transforms.decodeRaw(TUint8.class, ...))");
    }
    if (value.type() == TFloat32.class && slot.dtype() == TInt32.class) {
      throw new IllegalArgumentException("Feature '" + name + "' holds floats and " + slot.what() + " takes int32 "
          + "(class ids or token ids). Use an int64 feature, or cast explicitly with Transforms.cast");
    }
    if (value.type() != slot.dtype()) {
      value = tf.dtypes.cast(value, slot.dtype());
    }
    Shape got = value.shape();
    long[] want = slot.shape();
    boolean ok = got.isUnknown() || got.numDimensions() == want.length;
    for (int d = 1; ok && !got.isUnknown() && d < want.length; d++) {
      ok = got.size(d) == -1 || got.size(d) == want[d];
    }
    if (!ok) {
      long[] perExample = Arrays.copyOfRange(want, 1, want.length);
      throw new IllegalArgumentException("Feature '" + name + "' does not fit " + slot.what() + ": expected "
          + "per-example shape " + Arrays.toString(perExample) + ". Received: batches of shape " + got
          + " (per-example " + (got.isUnknown() ? "unknown" : Arrays.toString(Arrays.copyOfRange(got.asArray(), 1,
          got.numDimensions()))) + ")");
    }
    if (slot.idLimit() > 0 && value.type() == TInt32.class) {
      @SuppressWarnings("unchecked")
      Operand<TInt32> ids = (Operand<TInt32>) value;
      Operand<TInt32> all = tf.range(tf.constant(0), tf.rank(ids), tf.constant(1));
      Operand<TBool> inRange = tf.math.logicalAnd(
          tf.reduceAll(tf.math.greaterEqual(ids, tf.constant(0)), all),
          tf.reduceAll(tf.math.less(ids, tf.constant((int) slot.idLimit())), all));
      org.tensorflow.op.core.AssertThat check = tf.assertThat(inRange, List.of(tf.constant("Expected the class ids of "
          + "feature " + name + " in [0, " + slot.idLimit() + ") (the model's output has " + slot.idLimit()
          + " classes). Received (first values):"),
          ids), org.tensorflow.op.core.AssertThat.summarize(8L));
      value = tf.withControlDependencies(List.of(check)).identity(ids);
    }
    return value;
  }

  /**
   * Creates the iterator for pass {@code pass}: every shuffle is seeded from its seed and {@code pass}, so one pass
   * always yields the same elements in the same order.
   */
  public void start(long pass) {
    checkOpen();
    if (make == null) {
      try {
        generated = dataset.source().generator().get();
      } catch (RuntimeException e) {
        throw new DatasetException("The generator " + dataset.source().generator() + " failed to start pass " + pass
            + ": " + e, e);
      }
      if (generated == null) {
        throw new DatasetException("The generator " + dataset.source().generator() + " returned a null iterator",
            null);
      }
      generatedBatches = 0;
      return;
    }
    dropAhead();
    List<Tensor> seeds = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (int i = 0; i < arrayFeeds.size(); i++) {
        r.feed(arrayFeeds.get(i), arrayTensors.get(i));
      }
      for (int i = 0; i < shuffleSeeds.size(); i++) {
        long base = shuffleBaseSeeds.get(i);
        long s1 = Network.mix(base, "dataset_shuffle_" + i, pass);
        long s2 = Network.mix(base, "dataset_shuffle2_" + i, pass);
        if (s1 == 0 && s2 == 0) {
          s2 = 1; // both zero means "nondeterministic" to TensorFlow
        }
        Tensor t1 = TInt64.scalarOf(s1);
        Tensor t2 = TInt64.scalarOf(s2);
        seeds.add(t1);
        seeds.add(t2);
        r.feed(shuffleSeeds.get(i)[0], t1);
        r.feed(shuffleSeeds.get(i)[1], t2);
      }
      r.addTarget(make).run();
    } catch (RuntimeException e) {
      if (!fromTensorFlow(e)) {
        throw e;
      }
      throw new DatasetException("Could not start reading " + dataset.describe() + ": " + e.getMessage(), e);
    } finally {
      seeds.forEach(Tensor::close);
    }
  }

  /**
   * The next batch (to be closed by the caller), or null when this pass is exhausted. The batch after it is
   * pulled at once on a thread of this iterator while the caller trains (one pull at a time, in order, so the
   * batches and their order are those of pulling on demand); a pull's error is thrown by the call that asks for
   * that batch, after the batches before it were handed out.
   *
   * @throws DatasetException when a record cannot be read or parsed (naming the files and TensorFlow's report)
   */
  public Batch next() {
    checkOpen();
    if (make == null) {
      return nextGenerated();
    }
    Future<Batch> pending = ahead;
    ahead = null;
    Batch b = pending == null ? pull() : result(pending);
    if (b != null) {
      if (puller == null) {
        puller = Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "kerasj-dataset-pull");
          t.setDaemon(true);
          return t;
        });
      }
      ahead = puller.submit(this::pull);
    }
    return b;
  }

  /** One run that pulls the next batch; null at the end of the pass. */
  private Batch pull() {
    Session.Runner r = session.runner();
    outputs.forEach(r::fetch);
    try {
      return batchOrEnd(r.run(), 0);
    } catch (TFOutOfRangeException e) {
      return null;
    } catch (RuntimeException e) {
      if (!fromTensorFlow(e)) {
        throw e;
      }
      throw new DatasetException("Could not read the next batch of " + dataset.describe() + ": " + e.getMessage(), e);
    }
  }

  /** The pulled batch, or the pull's exception as it was thrown. */
  private static Batch result(Future<Batch> pull) {
    try {
      return uninterruptibly(pull);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Waits for a pull under way (its run uses the session and the iterator) and frees its batch. Its error, if any,
   * belongs to a batch nobody asked for, which pulling on demand would never have read, so it is dropped.
   */
  private void dropAhead() {
    Future<Batch> pending = ahead;
    ahead = null;
    if (pending != null) {
      try {
        Batch b = uninterruptibly(pending);
        if (b != null) {
          b.close();
        }
      } catch (ExecutionException e) {
        // see above
      }
    }
  }

  private static Batch uninterruptibly(Future<Batch> f) throws ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true; // the run cannot be stopped; the session must not be used by two owners
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The generator's next batch, converted and checked against the model's slots; null when it has no more. */
  private Batch nextGenerated() {
    Map<String, ?> batch;
    try {
      if (!generated.hasNext()) {
        return null;
      }
      batch = generated.next();
    } catch (RuntimeException e) {
      throw new DatasetException("The generator " + dataset.source().generator() + " failed at batch "
          + generatedBatches + ": " + e, e);
    }
    List<String> names = new ArrayList<>(dataset.inputs());
    names.addAll(dataset.targets().subList(0, targetCount));
    if (classWeight == null) {
      names.addAll(SampleWeightOps.perOutput(dataset.sampleWeights(), weightCount));
    }
    List<Tensor> tensors = new ArrayList<>();
    int globalRows = 0;
    try {
      int samples = -1;
      for (int i = 0; i < names.size(); i++) {
        String what = "batch " + generatedBatches + " feature '" + names.get(i) + "'";
        Object value = batch == null ? null : batch.get(names.get(i));
        if (value == null) {
          throw new IllegalArgumentException("The generator's " + what + " is missing. Received: keys "
              + (batch == null ? "none (a null batch)" : batch.keySet()));
        }
        HostArray a = HostArray.from(value, what);
        if (shard != null) {
          globalRows = a.samples();
          int[] rows = ShardOps.rows(a.samples(), shard);
          if (a.samples() < shard.workers()) {
            throw new IllegalArgumentException("MultiWorkerMirroredStrategy splits each global batch across "
                + shard.workers() + " workers, and every worker needs at least one example of every batch. "
                + "Received: the generator's batch " + generatedBatches + " of " + a.samples() + " examples");
          }
          a = a.rows(rows[0], rows[1]);
        }
        long[] want = slots.get(i).shape();
        if (i >= inputCount + targetCount) {
          a = SampleWeightOps.checkedHost(a, want, what);
        }
        if (a.rank() != want.length || !Arrays.equals(a.sampleShape(), Arrays.copyOfRange(want, 1, want.length))) {
          throw new IllegalArgumentException("The generator's " + what + " does not fit " + slots.get(i).what()
              + ": expected per-example shape " + Arrays.toString(Arrays.copyOfRange(want, 1, want.length))
              + ". Received: shape " + Arrays.toString(a.shape()));
        }
        if (samples >= 0 && a.samples() != samples) {
          throw new IllegalArgumentException("The generator's batch " + generatedBatches + " holds arrays of "
              + samples + " and " + a.samples() + " samples");
        }
        samples = a.samples();
        tensors.add(Tensors.of(a, slots.get(i).dtype()));
      }
      if (classWeight != null) {
        try (Result r = session.runner().feed(classWeightLabels, tensors.get(inputCount)).fetch(classWeightOut)
            .run()) {
          tensors.add(Tensors.of(Tensors.toHost(r.get(0)), TFloat32.class));
        } catch (RuntimeException e) {
          if (!fromTensorFlow(e)) {
            throw e;
          }
          throw new DatasetException("The generator's batch " + generatedBatches + ": " + e.getMessage(), e);
        }
      }
      if (shard != null) {
        int[] rows = ShardOps.rows(globalRows, shard);
        tensors.add(TInt32.scalarOf(globalRows));
        tensors.add(TFloat32.scalarOf((float) ((double) (rows[1] - rows[0]) / globalRows)));
      }
      generatedBatches++;
      return new Batch(tensors, inputCount, targetCount, weightCount, shard != null);
    } catch (RuntimeException e) {
      tensors.forEach(Tensor::close);
      throw e;
    }
  }

  /** The batch held by {@code result} from {@code offset} on, or null (result closed) for the empty end batch. */
  private Batch batchOrEnd(Result result, int offset) {
    Batch b = new Batch(result, offset, inputCount, targetCount, weightCount, shard != null);
    if (b.size() == 0) {
      b.close();
      return null;
    }
    return b;
  }

  /**
   * Elements (batches) per pass: a count, {@code -1} for an infinite dataset ({@code repeat()}), {@code -2} when
   * unknown before reading (TFRecord files).
   */
  public long cardinality() {
    checkOpen();
    if (make == null) {
      return -2; // a generator's length is unknown
    }
    List<Tensor> seeds = new ArrayList<>();
    Session.Runner r = session.runner();
    for (int i = 0; i < arrayFeeds.size(); i++) {
      r.feed(arrayFeeds.get(i), arrayTensors.get(i));
    }
    for (Placeholder<TInt64>[] pair : shuffleSeeds) {
      for (Placeholder<TInt64> p : pair) {
        Tensor t = TInt64.scalarOf(1L);
        seeds.add(t);
        r.feed(p, t);
      }
    }
    try (Result res = r.fetch(cardinality).run()) {
      return ((TInt64) res.get(0)).getLong();
    } finally {
      seeds.forEach(Tensor::close);
    }
  }

  /**
   * Whether TensorFlow reported {@code e}: its status exceptions ({@code TFInvalidArgumentException} extends
   * IllegalArgumentException, a data-loss error is a plain {@code TensorFlowException} ...) share one package.
   */
  private static boolean fromTensorFlow(RuntimeException e) {
    return e instanceof TensorFlowException || e.getClass().getPackageName().equals("org.tensorflow.exceptions");
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("This BatchIterator over " + dataset.describe() + " is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      dropAhead();
      if (puller != null) {
        puller.shutdown();
      }
      arrayTensors.forEach(Tensor::close);
    }
  }
}
