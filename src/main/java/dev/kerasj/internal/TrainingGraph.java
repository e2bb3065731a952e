package dev.kerasj.internal;

import dev.kerasj.layers.Weight;
import dev.kerasj.losses.Loss;
import dev.kerasj.metrics.Metric;
import dev.kerasj.optimizers.Gradient;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.OptimizerContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Snapshot;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * What {@code compile} adds to a {@link Network}: the label placeholder {@code y}, the training forward pass, loss,
 * metrics, gradients and optimizer updates gathered in one {@code train_step} op, and the same loss and metrics on
 * the inference pass for {@code evaluate}.
 *
 * <p>One training step is one {@code Session.run}: feed a batch, fetch the loss and each metric's batch state
 * ({@link Metric#update}: a mean metric's (sum, count), AUC's confusion counts ...), target {@code train_step}. Ordering inside the step (all via control dependencies): every gradient, then gradient clipping, then weight
 * decay, then every variable update, then {@code iterations += 1}, exactly Keras' {@code apply_gradients} order.
 */
public final class TrainingGraph {
  // Sample weights: each output's loss values are multiplied by one float32 tensor per pass
  // (sampleWeightInput(output, training)), a PlaceholderWithDefault that reads ones unless a step feeds it; the
  // weighted metrics read the same tensor. trainStep/evalStep feed it from host arrays; a data pipeline can feed it
  // like the x and y placeholders.

  /**
   * What {@code compile} says about one model output: its name (the producing layer's), loss, loss weight (null:
   * none, as Keras' {@code loss_weights=None}), metrics, weighted metrics (Keras' {@code weighted_metrics}) and
   * per-sample shape.
   */
  public record OutputSpec(String name, Loss loss, Double lossWeight, List<Metric> metrics,
      List<Metric> weightedMetrics, long[] shape) {
    public OutputSpec {
      metrics = List.copyOf(metrics);
      weightedMetrics = List.copyOf(weightedMetrics);
      shape = shape.clone();
    }

    /** An output without weighted metrics. */
    public OutputSpec(String name, Loss loss, Double lossWeight, List<Metric> metrics, long[] shape) {
      this(name, loss, lossWeight, metrics, List.of(), shape);
    }
  }

  private final ModelGraph graph;
  private final List<Placeholder<?>> inputs;
  private final List<Class<? extends TType>> inputDtypes;
  private final List<Placeholder<?>> ys = new ArrayList<>();
  private final List<Class<? extends TType>> labelDtypes = new ArrayList<>();
  private final List<String> metricNames = new ArrayList<>();
  private final List<Metric> metrics = new ArrayList<>();
  private final List<Integer> stateSizes = new ArrayList<>();
  private final List<Operand<TFloat32>> trainFetches = new ArrayList<>();
  private final List<Operand<TFloat32>> evalFetches = new ArrayList<>();
  /** Per output, the sample-weight feed of the training pass, or null for a loss without per-sample values. */
  private final List<Operand<TFloat32>> trainWeights = new ArrayList<>();
  /** The same for the inference pass ({@code evaluate}, validation). */
  private final List<Operand<TFloat32>> evalWeights = new ArrayList<>();
  private final Op trainOp;
  private final Op emaFinalize;
  private Operand<TInt64> optimizerIterations;
  private final Operand<TFloat32> learningRate;
  private final Operand<TFloat32> learningRateVariable;
  private final dev.kerasj.optimizers.schedules.LearningRateSchedule schedule;
  private final Operand<TInt64> iterations;
  private final List<String> optimizerVariables = new ArrayList<>();
  /** With a {@link Replication}: this worker's share of the global batch, {@code local samples / global samples}. */
  private final Placeholder<TFloat32> replicaShare;
  private long allReduceElements;
  /** {@link #syncFromChief}'s seed feed and result, and how many variables it covers. */
  private Placeholder<TInt64> syncSeed;
  private Operand<TInt64> syncedSeed;
  private int syncedVariables;

  /**
   * @param outputs one spec per model output, in output order; with several, the total loss is the sum of each
   *     output's loss times its weight, and each output's unweighted loss is logged as {@code <name>_loss}, as Keras
   *     3 does
   */
  public TrainingGraph(ModelGraph graph, Network network, List<OutputSpec> outputs, Optimizer optimizer) {
    this.graph = graph;
    this.inputs = network.inputs();
    this.inputDtypes = network.inputDtypes();
    Ops tf = graph.tf();
    Ops compileScope = tf.withSubScope("compile");
    boolean several = outputs.size() > 1;
    for (OutputSpec out : outputs) {
      Loss loss = out.loss();
      long[] outputShape = out.shape();
      Class<? extends TType> labelDtype = loss.sparseLabels() ? TInt32.class : TFloat32.class;
      long[] yShape;
      if (loss.sparseLabels()) {
        yShape = new long[outputShape.length];
        yShape[0] = -1;
        System.arraycopy(outputShape, 0, yShape, 1, outputShape.length - 1);
      } else {
        yShape = new long[outputShape.length + 1];
        yShape[0] = -1;
        System.arraycopy(outputShape, 0, yShape, 1, outputShape.length);
      }
      labelDtypes.add(labelDtype);
      ys.add(compileScope.withName(several ? "y_" + out.name() : "y").placeholder(labelDtype,
          Placeholder.shape(Shape.of(yShape))));
    }
    if (several) {
      outputs.forEach(o -> {
        metricNames.add(o.name() + "_loss");
        metrics.add(new OutputLoss(o.name() + "_loss"));
      });
    }
    for (OutputSpec o : outputs) {
      for (Metric m : o.metrics()) {
        if (!m.scalar()) {
          throw new IllegalArgumentException("Metric '" + m.name() + "' (" + m + ") gives one value per threshold "
              + "or class, and fit/evaluate log one number per metric. Use a single threshold, or an average such "
              + "as F1Score.Average.MACRO");
        }
        metricNames.add(several ? o.name() + "_" + m.name() : m.name());
        metrics.add(m);
      }
    }
    for (OutputSpec o : outputs) {
      for (Metric m : o.weightedMetrics()) {
        if (!m.scalar()) {
          throw new IllegalArgumentException("Weighted metric '" + m.name() + "' (" + m + ") gives one value per "
              + "threshold or class, and fit/evaluate log one number per metric");
        }
        metricNames.add(weightedName(several ? o.name() + "_" : "", m.name()));
        metrics.add(m);
      }
    }

    // The step counter exists before the forward pass: Dropout keys its masks on it (see Dropout).
    Ops optScope = tf.withSubScope(optimizer.name());
    int before = graph.variables().size();
    this.learningRateVariable = graph.addVariable(optScope, "learning_rate", optimizer.name() + "/learning_rate",
        new long[0], TFloat32.class, () -> HostArray.ofFloats(new long[0], new float[] {(float) optimizer.learningRate()}));
    this.iterations = graph.addVariable(optScope, "iterations", optimizer.name() + "/iterations", new long[0],
        TInt64.class, () -> HostArray.ofInts(new long[0], new int[] {0}));
    // One read of the counter per step, a copy (Snapshot): a ref variable's readers alias its buffer, so without it
    // a reader that nothing orders before the increment (Dropout in a model without weights) could see step + 1.
    Snapshot<TInt64> step = optScope.withName("step").snapshot(iterations);
    this.schedule = optimizer.learningRateSchedule();
    this.learningRate = schedule == null ? learningRateVariable
        : schedule.call(optScope.withSubScope("learning_rate_schedule"), step);

    List<Op> layerUpdates = new ArrayList<>();
    List<Network.Lookup> lookups = new ArrayList<>();
    List<Operand<TFloat32>> activityLosses = new ArrayList<>();
    List<Operand<org.tensorflow.types.TBool>> trainMasks = new ArrayList<>();
    List<Operand<TFloat32>> trainOuts = network.forward(true, layerUpdates, lookups, step, activityLosses,
        trainMasks);
    List<Weight> trainable = network.weights().stream().filter(Weight::trainable).toList();
    Ops trainScope = compileScope.withSubScope("train");
    Ops evalScope = compileScope.withSubScope("eval");
    Map<Weight, Operand<TFloat32>> penalized = new IdentityHashMap<>();
    Operand<TFloat32> trainLoss = addLossAndMetrics(trainScope, outputs, trainOuts, trainMasks,
        penalties(trainScope, activityLosses, trainable, penalized), trainFetches, stateSizes, trainWeights);
    addLossAndMetrics(evalScope, outputs, network.inferenceOutputs(), network.inferenceMasks(),
        penalties(evalScope, network.inferenceLosses(), trainable, new IdentityHashMap<>()), evalFetches,
        new ArrayList<>(), evalWeights);

    Gradient[] grads = gradients(tf.withSubScope("optimizer_gradients"), trainLoss, trainable, lookups, penalized);
    Replication replication = graph.replication();
    if (replication != null) {
      // Non-trainable state a layer updates in the step (BatchNormalization's moving statistics) stays local to
      // each worker, as in Keras: Keras creates it with aggregation "none" (synchronization "auto", ON_WRITE), and
      // tf.distribute's MirroredVariable assigns such a variable in replica context on the local copy only
      // (values._on_write_update_replica), from the worker's own slice. Only the chief's copy reaches its files.
      this.replicaShare = compileScope.withName("replica_share").placeholder(TFloat32.class,
          Placeholder.shape(Shape.scalar()));
      grads = allReduce(tf.withSubScope("replica_all_reduce"), replication, grads);
    } else {
      this.replicaShare = null;
    }

    // Keras' base build creates the EMA averages (zeros) before the optimizer's own slots.
    List<Operand<TFloat32>> averages = new ArrayList<>();
    if (optimizer.useEma()) {
      OptimizerContext base = context(optScope, optimizer);
      for (Weight w : trainable) {
        averages.add(base.addSlot(w, "average", 0f));
      }
    }
    Integer accumulation = optimizer.gradientAccumulationSteps();
    List<Operand<TFloat32>> accumulators = new ArrayList<>();
    if (accumulation != null) {
      OptimizerContext base = context(optScope, optimizer);
      for (Weight w : trainable) {
        accumulators.add(base.addSlot(w, "gradient_accumulator", 0f));
      }
      // Keras' optimizer.iterations with accumulation: applied updates, floor(iterations / steps).
      this.optimizerIterations = optScope.math.floorDiv(iterations, optScope.constant((long) accumulation));
    } else {
      this.optimizerIterations = iterations;
    }
    int beforeSlots = graph.variables().size();
    optimizer.buildFor(context(optScope, optimizer), trainable);
    List<Operand<TFloat32>> slots = new ArrayList<>();
    for (ModelGraph.VariableSlot s : graph.variables().subList(beforeSlots, graph.variables().size())) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> v = (Operand<TFloat32>) s.variable();
      slots.add(v);
    }

    List<Operation> gradOps = new ArrayList<>();
    // The step's loss is computed from the weights before the update: a penalty such as sum(square(kernel)) is not
    // an input of any gradient op, so without this edge it could read the kernel after its update.
    gradOps.add(trainLoss.op());
    for (Gradient g : grads) {
      if (g != null) {
        gradOps.add(g.value().op());
        gradOps.add(g.squared().op());
      }
    }
    // One barrier carries the dependency on every gradient. Giving each update op a control input per gradient
    // instead made the graph quadratic in the number of weights (a 125-Dense-layer model: ~1.9 million control edges,
    // most of the time its compile and first Session.run took).
    // With accumulation every step runs the update, and a step that is not an update step puts the weights and the
    // optimizer's slots back (Keras' ops.cond, without a functional If): copies taken before any update.
    List<Operand<TFloat32>> touched = new ArrayList<>();
    List<Operand<TFloat32>> copies = new ArrayList<>();
    Operand<org.tensorflow.types.TBool> isUpdateStep = null;
    if (accumulation != null) {
      trainable.forEach(w -> touched.add(w.value()));
      touched.addAll(slots);
      for (Operand<TFloat32> v : touched) {
        Snapshot<TFloat32> copy = optScope.snapshot(v);
        copies.add(copy);
        gradOps.add(copy.op());
      }
      isUpdateStep = optScope.math.equal(optScope.math.floorMod(optScope.math.add(step, optScope.constant(1L)),
          optScope.constant((long) accumulation)), optScope.constant(0L));
    }
    Op gradientsReady = optScope.withControlDependencyOps(gradOps).withName("gradients_ready").noOp();
    Ops afterGrads = optScope.withControlDependencies(List.of(gradientsReady));
    Gradient[] rawGrads = grads;
    if (accumulation != null) {
      grads = accumulated(afterGrads, grads, accumulators, accumulation);
    }
    // Keras' _clip_gradients: after the gradients, before weight decay and the updates (a no-op without clipping).
    grads = optimizer.clipGradients(afterGrads, grads);
    optimizer.prepareUpdates(context(afterGrads, optimizer), learningRate);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      if (grads[i] == null) {
        continue; // Like Keras, a variable the loss does not reach is left alone.
      }
      Weight w = trainable.get(i);
      Gradient g = grads[i];
      Ops stepTf = afterGrads;
      if (optimizer.weightDecay() != null) {
        Op decay = afterGrads.assignSub(w.value(),
            afterGrads.math.mul(afterGrads.math.mul(w.value(), afterGrads.constant(optimizer.weightDecay().floatValue())),
                learningRate));
        stepTf = afterGrads.withControlDependencies(List.of(decay));
      }
      updates.addAll(optimizer.update(context(stepTf, optimizer), g, w, i, learningRate));
    }
    if (accumulation != null) {
      Ops afterUpdates = optScope.withControlDependencies(new ArrayList<>(updates));
      List<Op> settle = new ArrayList<>();
      for (int k = 0; k < touched.size(); k++) {
        settle.add(afterUpdates.assign(touched.get(k), afterUpdates.select(isUpdateStep, touched.get(k), copies.get(k))));
      }
      // The accumulator: reset after an update step, else plus this step's gradient.
      for (int i = 0; i < trainable.size(); i++) {
        if (rawGrads[i] != null) {
          Operand<TFloat32> acc = accumulators.get(i);
          settle.add(afterUpdates.assign(acc, afterUpdates.select(isUpdateStep, afterUpdates.zerosLike(acc),
              afterUpdates.math.add(rawGrads[i].value(), acc))));
        }
      }
      updates.addAll(settle);
    }
    if (optimizer.useEma()) {
      updates.addAll(movingAverages(optScope.withControlDependencies(new ArrayList<>(updates)), optimizer,
          trainable, averages, accumulation == null ? step : optimizerIterations));
      this.emaFinalize = optScope.withName("ema_finalize").withControlDependencies(
          assignAll(optScope, trainable, averages)).noOp();
    } else {
      this.emaFinalize = null;
    }
    // Keras' BaseOptimizer.apply: variable.assign(constraint(variable)) for every variable with a gradient, after
    // _backend_apply_gradients (the update, the accumulation branch and the moving averages), on every step.
    Ops afterAll = optScope.withControlDependencies(new ArrayList<>(updates));
    List<Op> constrained = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      Weight w = trainable.get(i);
      if (rawGrads[i] != null && w.constraint() != null) {
        constrained.add(afterAll.assign(w.value(), w.constraint().call(afterAll, w.value())));
      }
    }
    updates.addAll(constrained);
    // The increment also waits for every reader of this step's counter (the forward pass, through Dropout's masks,
    // and the learning rate), which updates alone do not order in a model without weights.
    List<Op> beforeIncrement = new ArrayList<>(updates);
    beforeIncrement.add(step);
    beforeIncrement.addAll(trainOuts);
    beforeIncrement.add(learningRate);
    Op increment = optScope.withControlDependencies(beforeIncrement).assignAdd(iterations, optScope.constant(1L));
    List<Op> all = new ArrayList<>(layerUpdates);
    all.add(increment);
    this.trainOp = tf.withControlDependencies(all).withName("train_step").noOp();
    for (ModelGraph.VariableSlot s : graph.variables().subList(before, graph.variables().size())) {
      optimizerVariables.add(s.name());
    }
  }

  /**
   * Keras' {@code _update_model_variables_moving_average}, then (with {@code ema_overwrite_frequency}) its overwrite
   * of the weights by their averages when {@code (iterations + 1) % frequency == 0}, as a select instead of
   * Keras' cond. {@code tf} orders everything after the step's updates; {@code step} is the counter before the
   * increment, Keras' {@code self.iterations} there.
   */
  private static List<Op> movingAverages(Ops tf, Optimizer optimizer, List<Weight> trainable,
      List<Operand<TFloat32>> averages, Operand<TInt64> step) {
    Operand<TFloat32> momentum = tf.math.mul(
        tf.dtypes.cast(tf.math.notEqual(step, tf.constant(0L)), TFloat32.class),
        tf.constant((float) optimizer.emaMomentum()));
    Operand<TFloat32> oneMinus = tf.math.sub(tf.constant(1f), momentum);
    List<Op> ops = new ArrayList<>();
    List<Operand<TFloat32>> newAverages = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      Operand<TFloat32> average = averages.get(i);
      Operand<TFloat32> assigned = tf.assign(average, tf.math.add(tf.math.mul(momentum, average),
          tf.math.mul(oneMinus, trainable.get(i).value())));
      ops.add(assigned);
      newAverages.add(assigned);
    }
    Integer frequency = optimizer.emaOverwriteFrequency();
    if (frequency == null) {
      return ops;
    }
    Ops after = tf.withControlDependencies(new ArrayList<>(ops));
    Operand<org.tensorflow.types.TBool> overwrite = after.math.equal(
        after.math.floorMod(after.math.add(step, after.constant(1L)), after.constant((long) frequency)),
        after.constant(0L));
    for (int i = 0; i < trainable.size(); i++) {
      Operand<TFloat32> w = trainable.get(i).value();
      ops.add(after.assign(w, after.select(overwrite, newAverages.get(i), w)));
    }
    return ops;
  }

  /**
   * The data-parallel step: one {@code CollectiveReduceV2} sum over every worker of a flat vector packing this
   * worker's loss and gradients, each times its share of the global batch (so the sums are the global batch's mean
   * loss and gradients, as one process computes them over the whole batch), and the metric states as they are
   * (sums over the global batch). The training fetches become the reduced values; the returned gradients are the
   * reduced ones. A lookup table's per-lookup squares and absolute values are reduced too (times share squared, and
   * share), so an Embedding's optimizer sees what it sees in one process.
   */
  private Gradient[] allReduce(Ops tf, Replication replication, Gradient[] grads) {
    List<Operand<TFloat32>> parts = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    Operand<TFloat32> share2 = tf.math.square(replicaShare);
    for (int i = 0; i < trainFetches.size(); i++) {
      Operand<TFloat32> f = trainFetches.get(i);
      parts.add(i == 0 ? tf.math.mul(f, replicaShare) : f);
    }
    for (Gradient g : grads) {
      if (g != null) {
        parts.add(tf.math.mul(g.value(), replicaShare));
        if (g.fromLookups()) {
          parts.add(tf.math.mul(g.squared(), share2));
          parts.add(tf.math.mul(g.absolute(), replicaShare));
        }
      }
    }
    List<Operand<TFloat32>> flat = new ArrayList<>();
    for (Operand<TFloat32> p : parts) {
      long n = p.shape().size();
      if (n < 0) {
        throw new IllegalStateException("MultiWorkerMirroredStrategy needs static shapes for what it all-reduces; "
            + p.op().name() + " has shape " + p.shape());
      }
      sizes.add(n);
      flat.add(tf.reshape(p, tf.constant(new long[] {n})));
    }
    allReduceElements = sizes.stream().mapToLong(Long::longValue).sum();
    Operand<TFloat32> packed = tf.withName("packed").concat(flat, tf.constant(0));
    Operand<TFloat32> reduced = replication.allReduceSum(tf, packed, Replication.nextInstanceKey());
    List<Operand<TFloat32>> pieces = Replication.split(tf, reduced, sizes);
    int k = 0;
    for (int i = 0; i < trainFetches.size(); i++) {
      trainFetches.set(i, pieces.get(k++));
    }
    Gradient[] out = new Gradient[grads.length];
    for (int i = 0; i < grads.length; i++) {
      Gradient g = grads[i];
      if (g == null) {
        continue;
      }
      Operand<org.tensorflow.types.TInt64> shape = tf.constant(g.value().shape().asArray());
      Operand<TFloat32> value = tf.reshape(pieces.get(k++), shape);
      if (g.fromLookups()) {
        Operand<TFloat32> squared = tf.reshape(pieces.get(k++), shape);
        Operand<TFloat32> absolute = tf.reshape(pieces.get(k++), shape);
        out[i] = new Gradient(value, squared, absolute, true);
      } else {
        out[i] = new Gradient(value, tf.math.square(value), tf.math.abs(value), false);
      }
    }
    return out;
  }

  /**
   * Makes every worker start from the chief's state, as Keras' strategy broadcasts initial values from worker 0:
   * every variable of the model graph (weights and optimizer state) takes task 0's value, and task 0's
   * {@code shuffleSeed} is returned, so all workers cut the same global batches even when each drew its own seed.
   * Every worker must call it at the same point (it is a collective).
   */
  public long syncFromChief(long shuffleSeed) {
    if (syncSeed == null || syncedVariables != graph.variables().size()) {
      buildSyncFromChief();
    }
    try (TInt64 fed = TInt64.scalarOf(shuffleSeed);
        Result r = graph.session().runner().feed(syncSeed, fed).fetch(syncedSeed).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  /** The ops of {@link #syncFromChief}, built once for the variables the graph has (again if it gained some). */
  private void buildSyncFromChief() {
    Replication replication = graph.replication();
    Ops tf = graph.tf().withSubScope("replica_sync");
    List<ModelGraph.VariableSlot> floats = new ArrayList<>();
    List<ModelGraph.VariableSlot> longs = new ArrayList<>();
    for (ModelGraph.VariableSlot s : graph.variables()) {
      if (s.dtype() == TFloat32.class) {
        floats.add(s);
      } else if (s.dtype() == TInt64.class) {
        longs.add(s);
      } else {
        throw new IllegalStateException("MultiWorkerMirroredStrategy broadcasts float32 and int64 variables; "
            + s.name() + " is " + s.dtype().getSimpleName());
      }
    }
    List<Op> assigns = new ArrayList<>();
    @SuppressWarnings("unchecked")
    List<Operand<TFloat32>> fv = floats.stream().map(s -> (Operand<TFloat32>) s.variable()).toList();
    @SuppressWarnings("unchecked")
    List<Operand<TInt64>> lv = longs.stream().map(s -> (Operand<TInt64>) s.variable()).toList();
    Placeholder<TInt64> seed = tf.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    List<Operand<TInt64>> longParts = new ArrayList<>(lv);
    longParts.add(seed);
    Operand<TInt64> reducedLongs = replication.fromChief(tf, packed(tf, longParts), Replication.nextInstanceKey());
    List<Operand<TInt64>> longPieces = unpack(tf, reducedLongs, longParts);
    for (int i = 0; i < lv.size(); i++) {
      assigns.add(tf.assign(lv.get(i), longPieces.get(i)));
    }
    if (!fv.isEmpty()) {
      Operand<TFloat32> reducedFloats = replication.fromChief(tf, packed(tf, fv), Replication.nextInstanceKey());
      List<Operand<TFloat32>> floatPieces = unpack(tf, reducedFloats, fv);
      for (int i = 0; i < fv.size(); i++) {
        assigns.add(tf.assign(fv.get(i), floatPieces.get(i)));
      }
    }
    this.syncSeed = seed;
    this.syncedSeed = tf.withControlDependencies(assigns).identity(longPieces.get(lv.size()));
    this.syncedVariables = graph.variables().size();
  }

  private static <T extends TType> Operand<T> packed(Ops tf, List<Operand<T>> parts) {
    List<Operand<T>> flat = new ArrayList<>();
    for (Operand<T> p : parts) {
      flat.add(tf.reshape(p, tf.constant(new long[] {-1})));
    }
    return tf.concat(flat, tf.constant(0));
  }

  private static <T extends TType> List<Operand<T>> unpack(Ops tf, Operand<T> flat, List<Operand<T>> like) {
    List<Operand<T>> out = new ArrayList<>();
    long offset = 0;
    for (Operand<T> p : like) {
      long n = p.shape().size();
      out.add(tf.reshape(tf.slice(flat, tf.constant(new long[] {offset}), tf.constant(new long[] {n})),
          tf.constant(p.shape().asArray())));
      offset += n;
    }
    return out;
  }

  /** {@link #chiefValues}' feed and result, by the number of values, built on first use. */
  private final Map<Integer, Operand<?>[]> chiefValueOps = new java.util.HashMap<>();

  /**
   * Task 0's {@code values} on every worker (a collective: every worker must call it at the same point with as many
   * values). Validation runs on every worker with its own non-trainable state (BatchNormalization's moving
   * statistics are local, as in Keras), so its logs can differ between workers; callbacks that act on them
   * (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint) must decide the same everywhere, or a worker stops alone and
   * the others wait for it, or one worker's learning rate changes.
   */
  public double[] chiefValues(double[] values) {
    Replication replication = graph.replication();
    if (replication == null) {
      throw new IllegalStateException("This training graph is not replicated");
    }
    Operand<?>[] ops = chiefValueOps.computeIfAbsent(values.length, n -> {
      Ops tf = graph.tf().withSubScope("replica_chief_values");
      Placeholder<org.tensorflow.types.TFloat64> in = tf.placeholder(org.tensorflow.types.TFloat64.class,
          Placeholder.shape(Shape.of(n)));
      return new Operand<?>[] {in, replication.fromChief(tf, in, Replication.nextInstanceKey())};
    });
    try (org.tensorflow.types.TFloat64 fed = org.tensorflow.types.TFloat64.vectorOf(values);
        Result r = graph.session().runner().feed(ops[0], fed).fetch(ops[1]).run()) {
      org.tensorflow.types.TFloat64 out = (org.tensorflow.types.TFloat64) r.get(0);
      double[] chief = new double[values.length];
      for (int i = 0; i < chief.length; i++) {
        chief[i] = out.getDouble(i);
      }
      return chief;
    }
  }

  /** Floats each worker all-reduces per training step (0 without replication). */
  public long allReduceElements() {
    return allReduceElements;
  }

  /**
   * Keras' {@code (g + acc_g) / steps} for every gradient; dense, as Keras' sum of an {@code IndexedSlices} and the
   * dense accumulator is.
   */
  private static Gradient[] accumulated(Ops tf, Gradient[] grads, List<Operand<TFloat32>> accumulators, int steps) {
    Gradient[] out = new Gradient[grads.length];
    for (int i = 0; i < grads.length; i++) {
      if (grads[i] != null) {
        Operand<TFloat32> v = tf.math.div(tf.math.add(grads[i].value(), accumulators.get(i)),
            tf.constant((float) steps));
        out[i] = new Gradient(v, tf.math.square(v), tf.math.abs(v), false);
      }
    }
    return out;
  }

  private static List<Op> assignAll(Ops tf, List<Weight> trainable, List<Operand<TFloat32>> averages) {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      ops.add(tf.assign(trainable.get(i).value(), averages.get(i)));
    }
    return ops;
  }

  /**
   * Keras' {@code optimizer.finalize_variable_values} at the end of {@code fit}: with {@code use_ema}, every
   * trainable weight takes its moving average; nothing otherwise.
   */
  public void finalizeVariableValues() {
    if (emaFinalize != null) {
      graph.session().runner().addTarget(emaFinalize).run();
    }
  }

  /**
   * Gradients of the loss for every trainable weight, in one {@code addGradients} call. A weight read by table
   * lookups is differentiated through its looked-up rows instead, so the per-lookup rows are available, as Keras'
   * IndexedSlices are (see {@link Gradient}). Null where the loss does not depend on the weight. A looked-up table that
   * also has a regularizer gets the penalty's dense gradient added, through the penalty's read of the table
   * ({@code penalized}); TensorFlow then hands Keras one dense gradient, so its square is the square of the sum.
   */
  private Gradient[] gradients(Ops tf, Operand<TFloat32> loss, List<Weight> trainable, List<Network.Lookup> lookups,
      Map<Weight, Operand<TFloat32>> penalized) {
    Map<Weight, List<Network.Lookup>> lookupsOf = new IdentityHashMap<>();
    for (Network.Lookup l : lookups) {
      lookupsOf.computeIfAbsent(l.table(), t -> new ArrayList<>()).add(l);
    }
    List<Output<?>> targets = new ArrayList<>();
    List<int[]> targetIndex = new ArrayList<>();
    for (Weight w : trainable) {
      List<Network.Lookup> own = lookupsOf.getOrDefault(w, List.of());
      int start = targets.size();
      if (own.isEmpty()) {
        targets.add(w.value().asOutput());
      } else {
        own.forEach(l -> targets.add(l.rows().asOutput()));
        if (penalized.containsKey(w)) {
          targets.add(penalized.get(w).asOutput()); // the last target of this weight's range
        }
      }
      targetIndex.add(new int[] {start, targets.size()});
    }
    Output<?>[] raw = graph.graph().addGradients(loss.asOutput(), targets.toArray(Output<?>[]::new));
    Gradient[] out = new Gradient[trainable.size()];
    for (int i = 0; i < trainable.size(); i++) {
      Weight w = trainable.get(i);
      int[] range = targetIndex.get(i);
      List<Network.Lookup> own = lookupsOf.getOrDefault(w, List.of());
      if (own.isEmpty()) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> g = (Operand<TFloat32>) raw[range[0]];
        // Unused derived ops (abs for all but Adamax) are pruned by TensorFlow before the first step.
        out[i] = g == null ? null : new Gradient(g, tf.math.square(g), tf.math.abs(g), false);
        continue;
      }
      long[] shape = w.shape();
      Operand<org.tensorflow.types.TInt32> rows = tf.constant((int) shape[0]);
      Operand<org.tensorflow.types.TInt64> flatShape = tf.constant(new long[] {-1, shape[1]});
      Operand<TFloat32> value = null;
      Operand<TFloat32> squared = null;
      Operand<TFloat32> absolute = null;
      int lookupEnd = penalized.containsKey(w) ? range[1] - 1 : range[1];
      for (int k = range[0]; k < lookupEnd; k++) {
        if (raw[k] == null) {
          continue;
        }
        Network.Lookup l = own.get(k - range[0]);
        @SuppressWarnings("unchecked")
        Operand<TFloat32> perLookup = tf.reshape((Operand<TFloat32>) raw[k], flatShape);
        Operand<org.tensorflow.types.TInt32> ids = tf.reshape(
            tf.dtypes.cast(l.ids(), org.tensorflow.types.TInt32.class), tf.constant(new int[] {-1}));
        Operand<TFloat32> v = tf.math.unsortedSegmentSum(perLookup, ids, rows);
        Operand<TFloat32> sq = tf.math.unsortedSegmentSum(tf.math.square(perLookup), ids, rows);
        Operand<TFloat32> abs = tf.math.unsortedSegmentSum(tf.math.abs(perLookup), ids, rows);
        value = value == null ? v : tf.math.add(value, v);
        squared = squared == null ? sq : tf.math.add(squared, sq);
        absolute = absolute == null ? abs : tf.math.add(absolute, abs);
      }
      if (lookupEnd < range[1] && raw[lookupEnd] != null) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> dense = (Operand<TFloat32>) raw[lookupEnd];
        value = value == null ? dense : tf.math.add(value, dense);
        // TensorFlow densifies IndexedSlices + dense into one tensor: Keras' square and abs see the sum.
        out[i] = new Gradient(value, tf.math.square(value), tf.math.abs(value), false);
        continue;
      }
      out[i] = value == null ? null : new Gradient(value, squared, absolute, true);
    }
    return out;
  }

  private OptimizerContext context(Ops scoped, Optimizer optimizer) {
    return new OptimizerContext() {
      @Override
      public Ops tf() {
        return scoped;
      }

      @Override
      public Operand<TFloat32> addSlot(Weight variable, String slotName, float initialValue) {
        String name = variable.layerName() + "_" + variable.name() + "_" + slotName;
        long[] shape = variable.shape();
        // Inside a nested model the layer name is a path (encoder/dense), which TF refuses in an op name.
        return graph.addVariable(scoped, name.replace('/', '_'), optimizer.name() + "/" + name, shape, TFloat32.class, () -> {
          float[] v = new float[Math.toIntExact(variable.size())];
          java.util.Arrays.fill(v, initialValue);
          return HostArray.ofFloats(shape, v);
        });
      }

      @Override
      public Operand<TFloat32> addScalar(String name, float initialValue) {
        return graph.addVariable(scoped, name, optimizer.name() + "/" + name, new long[0], TFloat32.class,
            () -> HostArray.ofFloats(new long[0], new float[] {initialValue}));
      }

      @Override
      public Operand<TInt64> iterations() {
        return optimizerIterations;
      }

      @Override
      public Operand<TFloat32> learningRate() {
        return learningRate;
      }
    };
  }

  /**
   * The losses Keras' {@code model.losses} adds to the outputs' losses: the layers' added losses (activity
   * regularizers, already divided by the batch size), then each trainable weight's regularizer penalty, in weight
   * order. Each regularized weight's penalty reads it through its own Identity, recorded in {@code inputs}.
   */
  private static List<Operand<TFloat32>> penalties(Ops tf, List<Operand<TFloat32>> added, List<Weight> trainable,
      Map<Weight, Operand<TFloat32>> inputs) {
    List<Operand<TFloat32>> out = new ArrayList<>(added);
    for (Weight w : trainable) {
      if (w.regularizer() != null) {
        // Through an Identity: TF's C++ SquareGrad crashes (SIGSEGV in ConjugateHelper) on a ref-typed input such as
        // a VariableV2's output; the Identity's float output is differentiated like the variable.
        Operand<TFloat32> read = tf.identity(w.value());
        inputs.put(w, read);
        out.add(w.regularizer().call(tf, read));
      }
    }
    return out;
  }

  /**
   * Adds the total loss (the outputs' losses, then {@code penalties}), then each output's loss (when there are
   * several) as a (sum, count) pair and each metric's batch state ({@link Metric#update}), to {@code fetches}, in
   * {@link #metricNames()} order, and the number of state tensors of each entry to {@code sizes}; returns the total
   * loss. An output that carries a mask ({@code masks}, null entries where none) has its loss and mean metrics
   * weighed by it, as Keras does ({@link OutputMask}).
   */
  private Operand<TFloat32> addLossAndMetrics(Ops tf, List<OutputSpec> outputs, List<Operand<TFloat32>> outs,
      List<Operand<org.tensorflow.types.TBool>> masks, List<Operand<TFloat32>> penalties,
      List<Operand<TFloat32>> fetches, List<Integer> sizes, List<Operand<TFloat32>> weights) {
    Operand<TFloat32> total = null;
    List<Operand<TFloat32>> perOutput = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      OutputSpec o = outputs.get(i);
      Operand<TFloat32> values = o.loss().unreduced(tf, ys.get(i), outs.get(i));
      Operand<TFloat32> value;
      if (values == null || values.shape().isUnknown() || values.shape().numDimensions() == 0) {
        if (masks.get(i) != null) {
          throw OutputMask.lossWithoutValues(o.loss(), o.name());
        }
        value = o.loss().call(tf, ys.get(i), outs.get(i)); // a loss that only gives its reduced value
        weights.add(null);
      } else {
        Operand<TFloat32> w = sampleWeight(tf, outputs.size() > 1 ? o.name() : null, values, ys.get(i));
        weights.add(w);
        value = weightedLoss(tf, values, masks.get(i) == null ? w
            : OutputMask.lossWeights(tf, w, values, masks.get(i), "loss '" + o.loss().name() + "'", o.name()));
      }
      perOutput.add(value);
      Operand<TFloat32> weighted = o.lossWeight() == null ? value
          : tf.math.mul(value, tf.constant(o.lossWeight().floatValue()));
      total = total == null ? weighted : tf.math.add(total, weighted);
    }
    if (!penalties.isEmpty()) {
      // Keras' compute_loss: ops.sum([compile loss, *model.losses]), a sum over one stacked vector.
      List<Operand<TFloat32>> terms = new ArrayList<>();
      terms.add(total);
      terms.addAll(penalties);
      total = tf.sum(tf.stack(terms), tf.constant(0));
    }
    fetches.add(total);
    if (outputs.size() > 1) {
      // Keras 3.15 tracks each unweighted output loss with a Mean whose sample weight is the batch's static size,
      // which is unknown (None) in its traced train step: every batch counts once, a partial last batch included.
      // Matched, not "fixed": history must equal Keras'. (Keras' total loss is weighted by batch size.)
      for (Operand<TFloat32> value : perOutput) {
        fetches.add(value);
        fetches.add(tf.constant(1f));
        sizes.add(2);
      }
    }
    for (int i = 0; i < outputs.size(); i++) {
      for (Metric m : outputs.get(i).metrics()) {
        List<Operand<TFloat32>> state = masks.get(i) == null ? m.update(tf, ys.get(i), outs.get(i))
            : OutputMask.metric(tf, m, ys.get(i), outs.get(i), masks.get(i), outputs.get(i).name());
        fetches.addAll(state);
        sizes.add(state.size());
      }
    }
    for (int i = 0; i < outputs.size(); i++) {
      for (Metric m : outputs.get(i).weightedMetrics()) {
        if (weights.get(i) == null) {
          throw new IllegalArgumentException("Output '" + outputs.get(i).name() + "' has weighted metrics, but its "
              + "loss " + outputs.get(i).loss().name() + " gives no per-sample values (Loss.unreduced) to take "
              + "sample weights");
        }
        List<Operand<TFloat32>> state = masks.get(i) == null ? m.update(tf, ys.get(i), outs.get(i), weights.get(i))
            : OutputMask.weightedMetric(tf, m, ys.get(i), outs.get(i), weights.get(i), masks.get(i));
        fetches.addAll(state);
        sizes.add(state.size());
      }
    }
    return total;
  }

  /**
   * The sample-weight tensor of one output in one pass: a placeholder a step may feed, shaped like the loss values
   * ({@code [batch]} or {@code [batch, timesteps]}), that reads ones when nothing is fed. Ones leave the loss and
   * every gradient bit-identical to the unweighted ones (x * 1 is exact), so one graph serves weighted and
   * unweighted steps.
   */
  private static Operand<TFloat32> sampleWeight(Ops tf, String output, Operand<TFloat32> values,
      Operand<?> labels) {
    long[] dims = values.shape().asArray().clone();
    dims[0] = -1;
    // The ones never take their shape from the forward pass: the default then lies on no path from a weight to the
    // loss, which would need a gradient for PlaceholderWithDefault. The batch size comes from the labels, the other
    // sizes from the values' static shape, or, where one is unknown (timesteps of None), from the labels' leading
    // axes, which are the values' shape for every loss that reduces the last axis.
    Operand<TInt32> batch = tf.slice(tf.shape(labels), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    boolean known = java.util.Arrays.stream(dims, 1, dims.length).allMatch(d -> d >= 0);
    Operand<TInt32> shape;
    if (known) {
      int[] rest = java.util.Arrays.stream(dims, 1, dims.length).mapToInt(Math::toIntExact).toArray();
      shape = tf.concat(List.of(batch, tf.constant(rest)), tf.constant(0));
    } else {
      shape = tf.slice(tf.shape(labels), tf.constant(new int[] {0}), tf.constant(new int[] {dims.length}));
    }
    return tf.withName(output == null ? "sample_weight" : "sample_weight_" + output)
        .placeholderWithDefault(tf.fill(shape, tf.constant(1f)), Shape.of(dims));
  }

  /**
   * Keras' {@code reduce_weighted_values} with {@code sum_over_batch_size}: {@code sum(values * w)} divided by the
   * number of values (not by the sum of the weights, which is Keras' other reduction, {@code mean_with_sample_weight}),
   * with {@code divide_no_nan}.
   */
  private static Operand<TFloat32> weightedLoss(Ops tf, Operand<TFloat32> values, Operand<TFloat32> w) {
    Operand<TFloat32> weighted = tf.math.mul(values, w);
    Operand<TFloat32> count = tf.dtypes.cast(tf.size(weighted), TFloat32.class);
    return tf.math.divNoNan(tf.sum(weighted, tf.range(tf.constant(0), tf.rank(weighted), tf.constant(1))), count);
  }

  /**
   * Keras' {@code CompileMetrics.result} name of a weighted metric: its plain name unless an unweighted metric of
   * the same output already logs under it, then {@code weighted_<name>}, then {@code weighted_<name>_1} ...
   */
  private String weightedName(String prefix, String name) {
    String plain = prefix + name;
    if (!metricNames.contains(plain)) {
      return plain;
    }
    String weighted = prefix + "weighted_" + name;
    if (!metricNames.contains(weighted)) {
      return weighted;
    }
    int k = 1;
    while (metricNames.contains(weighted + "_" + k)) {
      k++;
    }
    return weighted + "_" + k;
  }

  /** The learning rate the next step uses: the variable's value, or the schedule's at the current iteration. */
  public double currentLearningRate() {
    try (Result r = graph.session().runner().fetch(learningRate).run()) {
      return Tensors.scalar(r.get(0));
    }
  }

  /** Assigns the learning-rate variable; rejected when a schedule drives the learning rate (as Keras does). */
  public void setLearningRate(double value) {
    if (schedule != null) {
      throw new IllegalStateException("The optimizer's learning rate follows a schedule (" + schedule.getClass()
          .getSimpleName() + "); it cannot be set. Use a plain learning rate with ReduceLROnPlateau or "
          + "LearningRateScheduler");
    }
    graph.assign(Map.of(slot(learningRateVariable), HostArray.ofFloats(new long[0], new float[] {(float) value})));
  }

  /** The step counter's value: training steps applied so far. */
  public long currentIterations() {
    try (Result r = graph.session().runner().fetch(iterations).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  private ModelGraph.VariableSlot slot(Operand<?> variable) {
    for (ModelGraph.VariableSlot s : graph.variables()) {
      if (s.variable().op().equals(variable.op())) {
        return s;
      }
    }
    throw new IllegalStateException("No variable slot for " + variable.op().name());
  }

  /** The names of the entries a step returns after the loss: per-output losses, then metrics. */
  public List<String> metricNames() {
    return List.copyOf(metricNames);
  }

  /**
   * The metric behind each of {@link #metricNames()}, whose {@link Metric#result} turns accumulated state into the
   * logged value (a per-output loss is a mean: its state is (sum, count)).
   */
  public List<Metric> metrics() {
    return List.copyOf(metrics);
  }

  /** How many state tensors each of {@link #metricNames()} returns per step. */
  public List<Integer> stateSizes() {
    return List.copyOf(stateSizes);
  }

  /** A per-output loss, logged as Keras does: the mean of its per-batch values. */
  private record OutputLoss(String name) implements Metric {
    @Override
    public Direction direction() {
      return Direction.MIN;
    }
  }

  /** Names of the optimizer's variables (learning rate, iterations, slots) in the model graph. */
  public List<String> optimizerVariables() {
    return List.copyOf(optimizerVariables);
  }

  /**
   * Runs one training step on the rows {@code order[from..to)} (or {@code from..to} when {@code order} is null) of
   * every input and label array, with sample weights per output: an array shaped
   * {@code [samples, ...sampleWeightShape(i)]} (see {@link #sampleWeightShape}), or null (the whole list or one
   * entry) for weights of 1. Returns {{loss}, each metric's state tensors flattened, in order}.
   */
  public float[][] trainStep(List<HostArray> xs, List<HostArray> labels, List<HostArray> sampleWeights, int[] order,
      int from, int to) {
    if (replicaShare != null) {
      throw new IllegalStateException("This training graph is replicated; call trainStep with the worker's share");
    }
    return run(xs, labels, sampleWeights, trainWeights, order, from, to, trainFetches, trainOp, null);
  }

  /**
   * One data-parallel training step on this worker's rows {@code order[from..to)} of a global batch of
   * {@code globalSamples}, with sample weights as {@link #trainStep(List, List, List, int[], int, int)} takes them;
   * returns what that does, for the global batch (the same on every worker).
   */
  public float[][] trainStep(List<HostArray> xs, List<HostArray> labels, List<HostArray> sampleWeights, int[] order,
      int from, int to, int globalSamples) {
    if (replicaShare == null) {
      throw new IllegalStateException("This training graph is not replicated");
    }
    return run(xs, labels, sampleWeights, trainWeights, order, from, to, trainFetches, trainOp,
        (float) ((double) (to - from) / globalSamples));
  }

  /** Whether the training step all-reduces over a group of workers. */
  public boolean replicated() {
    return replicaShare != null;
  }

  /**
   * Computes loss and metrics of rows {@code from..to} with the inference pass, with sample weights as
   * {@link #trainStep} takes them; updates nothing.
   */
  public float[][] evalStep(List<HostArray> xs, List<HostArray> labels, List<HostArray> sampleWeights, int from,
      int to) {
    return run(xs, labels, sampleWeights, evalWeights, null, from, to, evalFetches, null, null);
  }

  /**
   * The per-sample shape (without the batch axis) that output {@code i}'s sample weights are fed with: the shape
   * of its loss values, {@code []} for one weight per sample, {@code [timesteps]} for a sequence output; -1 where
   * the graph does not know a size. Null when the output's loss gives no per-sample values (no weights possible).
   */
  public long[] sampleWeightShape(int output) {
    Operand<TFloat32> w = trainWeights.get(output);
    return w == null ? null : java.util.Arrays.copyOfRange(w.shape().asArray(), 1, w.shape().numDimensions());
  }

  /**
   * The tensors that carry output {@code output}'s sample weights into a step, for the training pass
   * ({@code training}) or the inference pass: a {@code PlaceholderWithDefault} float32 shaped
   * {@code [batch, ...sampleWeightShape(output)]} that reads ones when not fed. A data pipeline feeds it like the
   * {@code x} and {@code y} placeholders. Null when the output's loss cannot be weighted.
   */
  public Operand<TFloat32> sampleWeightInput(int output, boolean training) {
    return (training ? trainWeights : evalWeights).get(output);
  }

  /**
   * Runs one training step on tensors already shaped and typed for the model (a {@link dev.kerasj.data} batch), fed
   * without any copy, with sample weights: one float32 tensor per output shaped
   * {@code [batch, ...sampleWeightShape(i)]}, fed to {@link #sampleWeightInput sampleWeightInput(i, true)}; an
   * empty list (or null entries) for weights of 1. Returns what the array step returns.
   */
  public float[][] trainStep(List<? extends Tensor> xs, List<? extends Tensor> labels,
      List<? extends Tensor> sampleWeights) {
    if (replicaShare != null) {
      throw new IllegalStateException("This training graph is replicated; call trainStep with the worker's share");
    }
    return runFed(xs, labels, sampleWeights, trainWeights, trainFetches, trainOp, null);
  }

  /**
   * One data-parallel training step on this worker's slice of a global batch, as tensors ({@link #trainStep(List,
   * List, List)}), weighted by {@code share} (a float32 scalar: the slice's rows / the global batch's); returns
   * what that returns, for the global batch (the same on every worker).
   */
  public float[][] trainStep(List<? extends Tensor> xs, List<? extends Tensor> labels,
      List<? extends Tensor> sampleWeights, Tensor share) {
    if (replicaShare == null) {
      throw new IllegalStateException("This training graph is not replicated");
    }
    return runFed(xs, labels, sampleWeights, trainWeights, trainFetches, trainOp, share);
  }

  /**
   * Computes loss and metrics of a batch of tensors with the inference pass, with sample weights as
   * {@link #trainStep(List, List, List)} takes them; updates nothing.
   */
  public float[][] evalStep(List<? extends Tensor> xs, List<? extends Tensor> labels,
      List<? extends Tensor> sampleWeights) {
    return runFed(xs, labels, sampleWeights, evalWeights, evalFetches, null, null);
  }

  /** The label placeholders, one per output with a loss, in output order. */
  public List<Placeholder<?>> labelPlaceholders() {
    return List.copyOf(ys);
  }

  private float[][] runFed(List<? extends Tensor> xs, List<? extends Tensor> labels,
      List<? extends Tensor> sampleWeights, List<Operand<TFloat32>> weightInputs, List<Operand<TFloat32>> fetches,
      Op target, Tensor share) {
    Session.Runner runner = graph.session().runner();
    if (share != null) {
      runner.feed(replicaShare, share);
    }
    for (int i = 0; i < inputs.size(); i++) {
      runner.feed(inputs.get(i), xs.get(i));
    }
    for (int i = 0; i < ys.size(); i++) {
      runner.feed(ys.get(i), labels.get(i));
    }
    for (int i = 0; i < sampleWeights.size(); i++) {
      if (sampleWeights.get(i) != null) {
        runner.feed(weightInputs.get(i), sampleWeights.get(i));
      }
    }
    for (Operand<TFloat32> f : fetches) {
      runner.fetch(f);
    }
    if (target != null) {
      runner.addTarget(target);
    }
    try (Result r = runner.run()) {
      float[][] out = new float[fetches.size()][];
      for (int i = 0; i < out.length; i++) {
        TFloat32 t = (TFloat32) r.get(i);
        out[i] = new float[Math.toIntExact(t.size())];
        t.asRawTensor().data().asFloats().read(out[i]);
      }
      return out;
    }
  }

  /** Cuts rows {@code order[from..to)} of the host arrays into tensors, runs them with {@link #runFed}, closes them. */
  private float[][] run(List<HostArray> xs, List<HostArray> labels, List<HostArray> sampleWeights,
      List<Operand<TFloat32>> weightInputs, int[] order, int from, int to, List<Operand<TFloat32>> fetches,
      Op target, Float share) {
    List<Tensor> fed = new ArrayList<>();
    try {
      Tensor shareTensor = null;
      if (share != null) {
        shareTensor = TFloat32.scalarOf(share);
        fed.add(shareTensor);
      }
      List<Tensor> xTensors = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i++) {
        Tensor t = Tensors.batch(xs.get(i), order, from, to, inputDtypes.get(i));
        fed.add(t);
        xTensors.add(t);
      }
      List<Tensor> labelTensors = new ArrayList<>();
      for (int i = 0; i < ys.size(); i++) {
        Tensor t = Tensors.batch(labels.get(i), order, from, to, labelDtypes.get(i));
        fed.add(t);
        labelTensors.add(t);
      }
      List<Tensor> weightTensors = new ArrayList<>();
      for (int i = 0; sampleWeights != null && i < sampleWeights.size(); i++) {
        Tensor t = null;
        if (sampleWeights.get(i) != null) {
          t = Tensors.batch(sampleWeights.get(i), order, from, to, TFloat32.class);
          fed.add(t);
        }
        weightTensors.add(t);
      }
      return runFed(xTensors, labelTensors, weightTensors, weightInputs, fetches, target, shareTensor);
    } finally {
      fed.forEach(Tensor::close);
    }
  }
}
