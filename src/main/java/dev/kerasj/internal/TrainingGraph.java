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
  /**
   * What {@code compile} says about one model output: its name (the producing layer's), loss, loss weight (null:
   * none, as Keras' {@code loss_weights=None}), metrics and per-sample shape.
   */
  public record OutputSpec(String name, Loss loss, Double lossWeight, List<Metric> metrics, long[] shape) {
    public OutputSpec {
      metrics = List.copyOf(metrics);
      shape = shape.clone();
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
  private final Op trainOp;
  private final Op emaFinalize;
  private Operand<TInt64> optimizerIterations;
  private final Operand<TFloat32> learningRate;
  private final Operand<TFloat32> learningRateVariable;
  private final dev.kerasj.optimizers.schedules.LearningRateSchedule schedule;
  private final Operand<TInt64> iterations;
  private final List<String> optimizerVariables = new ArrayList<>();

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
    List<Operand<TFloat32>> trainOuts = network.forward(true, layerUpdates, lookups, step, activityLosses);
    List<Weight> trainable = network.weights().stream().filter(Weight::trainable).toList();
    Ops trainScope = compileScope.withSubScope("train");
    Ops evalScope = compileScope.withSubScope("eval");
    Map<Weight, Operand<TFloat32>> penalized = new IdentityHashMap<>();
    Operand<TFloat32> trainLoss = addLossAndMetrics(trainScope, outputs, trainOuts,
        penalties(trainScope, activityLosses, trainable, penalized), trainFetches, stateSizes);
    addLossAndMetrics(evalScope, outputs, network.inferenceOutputs(),
        penalties(evalScope, network.inferenceLosses(), trainable, new IdentityHashMap<>()), evalFetches,
        new ArrayList<>());

    Gradient[] grads = gradients(tf.withSubScope("optimizer_gradients"), trainLoss, trainable, lookups, penalized);

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
   * loss.
   */
  private Operand<TFloat32> addLossAndMetrics(Ops tf, List<OutputSpec> outputs, List<Operand<TFloat32>> outs,
      List<Operand<TFloat32>> penalties, List<Operand<TFloat32>> fetches, List<Integer> sizes) {
    Operand<TFloat32> total = null;
    List<Operand<TFloat32>> perOutput = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      OutputSpec o = outputs.get(i);
      Operand<TFloat32> value = o.loss().call(tf, ys.get(i), outs.get(i));
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
        List<Operand<TFloat32>> state = m.update(tf, ys.get(i), outs.get(i));
        fetches.addAll(state);
        sizes.add(state.size());
      }
    }
    return total;
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
   * every input and label array; returns {{loss}, each metric's state tensors flattened, in order}.
   */
  public float[][] trainStep(List<HostArray> xs, List<HostArray> labels, int[] order, int from, int to) {
    return run(xs, labels, order, from, to, trainFetches, trainOp);
  }

  /** Computes loss and metrics of rows {@code from..to} with the inference pass; updates nothing. */
  public float[][] evalStep(List<HostArray> xs, List<HostArray> labels, int from, int to) {
    return run(xs, labels, null, from, to, evalFetches, null);
  }

  /**
   * Runs one training step on tensors already shaped and typed for the model (a {@link dev.kerasj.data} batch),
   * fed without any copy; returns what {@link #trainStep(List, List, int[], int, int)} returns.
   */
  public float[][] trainStep(List<? extends Tensor> xs, List<? extends Tensor> labels) {
    return runFed(xs, labels, trainFetches, trainOp);
  }

  /** Computes loss and metrics of a batch of tensors with the inference pass; updates nothing. */
  public float[][] evalStep(List<? extends Tensor> xs, List<? extends Tensor> labels) {
    return runFed(xs, labels, evalFetches, null);
  }

  /** The label placeholders, one per output with a loss, in output order. */
  public List<Placeholder<?>> labelPlaceholders() {
    return List.copyOf(ys);
  }

  private float[][] runFed(List<? extends Tensor> xs, List<? extends Tensor> labels, List<Operand<TFloat32>> fetches,
      Op target) {
    Session.Runner runner = graph.session().runner();
    for (int i = 0; i < inputs.size(); i++) {
      runner.feed(inputs.get(i), xs.get(i));
    }
    for (int i = 0; i < ys.size(); i++) {
      runner.feed(ys.get(i), labels.get(i));
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

  private float[][] run(List<HostArray> xs, List<HostArray> labels, int[] order, int from, int to,
      List<Operand<TFloat32>> fetches, Op target) {
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner runner = graph.session().runner();
      List<Placeholder<?>> xPlaceholders = inputs;
      List<Class<? extends TType>> xDtypes = inputDtypes;
      for (int i = 0; i < xPlaceholders.size(); i++) {
        Tensor t = Tensors.batch(xs.get(i), order, from, to, xDtypes.get(i));
        fed.add(t);
        runner.feed(xPlaceholders.get(i), t);
      }
      for (int i = 0; i < ys.size(); i++) {
        Tensor t = Tensors.batch(labels.get(i), order, from, to, labelDtypes.get(i));
        fed.add(t);
        runner.feed(ys.get(i), t);
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
    } finally {
      fed.forEach(Tensor::close);
    }
  }
}
