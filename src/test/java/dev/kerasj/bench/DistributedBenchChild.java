package dev.kerasj.bench;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.distribute.MultiWorkerMirroredStrategy;
import dev.kerasj.distribute.TfConfig;
import dev.kerasj.internal.Replication;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One worker of {@link DistributedBenchmark}: with {@code TF_CONFIG} a worker of that group, without it one plain
 * process. Modes:
 * <ul>
 *   <li>{@code fit <hidden> <globalBatch> <warmup> <steps>}: trains an MLP 64-hidden-hidden-10 (Adam) for
 *       warmup + steps global batches of synthetic data; prints {@code STEP_MS <median> <p90>} (wall time of the
 *       timed steps, onTrainBatchBegin to onTrainBatchEnd) and {@code ALLREDUCE_FLOATS <n>};</li>
 *   <li>{@code allreduce <floats> <warmup> <runs>}: only the collective: one {@code CollectiveReduceV2} of a float
 *       vector, through the same {@link Replication} and session kind as training; prints {@code ALLREDUCE_MS}.</li>
 * </ul>
 */
public final class DistributedBenchChild {
  public static void main(String[] args) throws Exception {
    TfConfig config = TfConfig.fromEnvironment();
    MultiWorkerMirroredStrategy strategy = config == null ? null
        : MultiWorkerMirroredStrategy.builder(config).collectiveTimeout(Duration.ofSeconds(120)).build();
    if (args[0].equals("fit")) {
      fit(strategy, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
          Integer.parseInt(args[4]));
    } else {
      allReduce(strategy, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    }
    System.out.flush();
    Runtime.getRuntime().halt(0); // a TensorFlow server cannot be stopped
  }

  static void fit(MultiWorkerMirroredStrategy strategy, int hidden, int batch, int warmup, int steps) {
    int n = batch * (warmup + steps);
    SplittableRandom rng = new SplittableRandom(7);
    float[][] x = new float[n][64];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 64; j++) {
        x[i][j] = (float) rng.nextDouble();
      }
      y[i] = rng.nextInt(10);
    }
    try (Sequential model = new Sequential(Input.of(64), new Dense(hidden, "relu"), new Dense(hidden, "relu"),
        new Dense(10, "softmax"))) {
      model.setSeed(3);
      if (strategy != null) {
        model.setDistributeStrategy(strategy);
      }
      model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
      List<Double> ms = new ArrayList<>();
      long[] begin = new long[1];
      Callback timer = new Callback() {
        @Override
        public void onTrainBatchBegin(int b, Map<String, Double> logs) {
          begin[0] = System.nanoTime();
        }

        @Override
        public void onTrainBatchEnd(int b, Map<String, Double> logs) {
          if (b >= warmup) {
            ms.add((System.nanoTime() - begin[0]) / 1e6);
          }
        }
      };
      model.fit(x, y, FitOptions.builder().epochs(1).batchSize(batch).shuffle(false).verbose(0).callbacks(timer)
          .build());
      System.out.println("PARAMS " + model.countParams());
      System.out.println("ALLREDUCE_FLOATS " + model.trainingForInternalUse().allReduceElements());
      System.out.printf(java.util.Locale.ROOT, "STEP_MS %.3f %.3f%n", percentile(ms, 50), percentile(ms, 90));
    }
  }

  static void allReduce(MultiWorkerMirroredStrategy strategy, int floats, int warmup, int runs) {
    Replication r = new Replication(strategy.startServer(), strategy.taskIndex(), strategy.numReplicasInSync(),
        strategy.collectiveTimeout().toMillis() / 1000f);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      float[] values = new float[floats];
      Arrays.fill(values, 1f);
      Operand<TFloat32> x = tf.constant(values);
      Operand<TFloat32> sum = tf.reduceSum(r.allReduceSum(tf, x, Replication.nextInstanceKey()), tf.constant(0));
      try (Session s = r.openSession(g)) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
          long t0 = System.nanoTime();
          try (Result res = s.runner().fetch(sum).run()) {
            float got = ((TFloat32) res.get(0)).getFloat();
            if (got != (float) floats * r.workers()) {
              throw new IllegalStateException("all-reduce gave " + got);
            }
          }
          if (i >= warmup) {
            ms.add((System.nanoTime() - t0) / 1e6);
          }
        }
        System.out.printf(java.util.Locale.ROOT, "ALLREDUCE_MS %.3f %.3f%n", percentile(ms, 50), percentile(ms, 90));
      }
    }
  }

  static double percentile(List<Double> values, int p) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
