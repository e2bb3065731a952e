package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.callbacks.BackupAndRestore;
import dev.kerasj.callbacks.Callback;
import dev.kerasj.callbacks.History;
import dev.kerasj.callbacks.ModelCheckpoint;
import dev.kerasj.callbacks.TrainingOutcome;
import dev.kerasj.data.Dataset;
import dev.kerasj.data.DatasetException;
import dev.kerasj.data.Feature;
import dev.kerasj.data.Transforms;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.Interrupts;
import dev.kerasj.testing.LogCapture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * {@code fit}/{@code evaluate}/{@code predict} over a {@link Dataset}: the same numbers as the array path, Keras'
 * {@code steps_per_epoch} semantics, bitwise resume with {@link BackupAndRestore} (shuffle order included), and
 * clear errors on bad files and records. The records are {@code testdata/datasets/digits_train.tfrecord} (150
 * examples: 4 batches of 32 and one of 22).
 */
class DatasetFitTest {
  @TempDir
  Path tmp;

  static Sequential model() {
    Sequential m = new Sequential(Input.of(64), new Dense(16, "relu"), new Dense(10, "softmax"));
    m.setSeed(5);
    m.compile(new Adam(0.01), new SparseCategoricalCrossentropy(), "accuracy");
    return m;
  }

  static Dataset records(Path file) {
    return Dataset.fromTFRecord(file, Feature.floats("pixels", 64), Feature.int64s("label")).inputs("pixels")
        .targets("label");
  }

  static Dataset shuffled(Path file) {
    return records(file).shuffle(64, 9).batch(32).map("pixels", Transforms.normalize(8, 16));
  }

  static List<float[]> weights(Model m) {
    List<float[]> out = new ArrayList<>();
    for (FloatNdArray w : m.getWeights()) {
      out.add(KerasParityTest.toFloats(w));
    }
    return out;
  }

  static void assertBitwise(List<float[]> expected, List<float[]> actual) {
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 0f, "weight " + i + " (bitwise)");
    }
  }

  @Test
  void fitOnArrayDataset_equalsFitOnTheSameArrays_bitwise() {
    SplittableRandom r = new SplittableRandom(4);
    float[][] x = new float[70][64];
    int[] y = new int[70];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 64; j++) {
        x[i][j] = (float) r.nextDouble(-1, 1);
      }
      y[i] = r.nextInt(10);
    }
    try (Sequential a = model(); Sequential b = model()) {
      History ha = a.fit(x, y, FitOptions.builder().epochs(2).batchSize(16).shuffle(false).verbose(0)
          .validationData(x, y).build());
      History hb = b.fit(Dataset.fromArrays(x, y).batch(16), FitOptions.builder().epochs(2).verbose(0)
          .validationData(Dataset.fromArrays(x, y).batch(16)).build());
      assertEquals(ha.history(), hb.history());
      assertBitwise(weights(a), weights(b));
      assertEquals(a.evaluate(x, y, 16), b.evaluate(Dataset.fromArrays(x, y).batch(16)));
      assertArrayEquals(KerasParityTest.toFloats(a.predict(x)),
          KerasParityTest.toFloats(b.predict(Dataset.fromArrays(x, y).batch(7))), 0f);
    }
  }

  static Sequential weightedModel() {
    Sequential m = new Sequential(Input.of(64), new Dense(16, "relu"), new Dense(10, "softmax"));
    m.setSeed(5);
    m.compile(CompileOptions.builder(new Adam(0.01), new SparseCategoricalCrossentropy()).metrics("accuracy")
        .weightedMetrics("accuracy").build());
    return m;
  }

  @Test
  void weightedArrayDataset_equalsFitOnTheSameArraysWithSampleWeights_bitwise() {
    SplittableRandom r = new SplittableRandom(6);
    float[][] x = new float[70][64];
    int[] y = new int[70];
    float[] w = new float[70];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < 64; j++) {
        x[i][j] = (float) r.nextDouble(-1, 1);
      }
      y[i] = r.nextInt(10);
      w[i] = i % 5 == 0 ? 0f : (float) r.nextDouble(0.1, 3);
    }
    float[][] w2 = new float[70][1]; // (samples, 1) weights: flattened, as the array path takes them
    for (int i = 0; i < w.length; i++) {
      w2[i][0] = w[i];
    }
    try (Sequential a = weightedModel(); Sequential b = weightedModel(); Sequential c = weightedModel();
        Sequential unweighted = weightedModel()) {
      History ha = a.fit(x, y, FitOptions.builder().epochs(2).batchSize(16).shuffle(false).verbose(0)
          .sampleWeight(w).validationData(x, y, w).build());
      History hb = b.fit(Dataset.fromArrays(x, y, w).batch(16), FitOptions.builder().epochs(2).verbose(0)
          .validationData(Dataset.fromArrays(x, y, w2).batch(16)).build());
      History hc = c.fit(Dataset.fromGenerator(weightedBatches(x, y, w, 16), "x", "y", "w").inputs("x").targets("y")
          .sampleWeights("w"), FitOptions.builder().epochs(2).verbose(0).validationData(x, y, w).batchSize(16)
          .build());
      History hu = unweighted.fit(Dataset.fromArrays(x, y).batch(16), FitOptions.builder().epochs(2).verbose(0)
          .build());
      assertEquals(ha.history(), hb.history());
      assertEquals(ha.history(), hc.history());
      assertBitwise(weights(a), weights(b));
      assertBitwise(weights(a), weights(c));
      assertNotEquals(ha.history().get("loss"), hu.history().get("loss"));
      assertEquals(a.evaluate(x, y, w, 16), b.evaluate(Dataset.fromArrays(x, y, w).batch(16)));
    }
  }

  @Test
  void classWeightOnADataset_equalsClassWeightOnTheSameArrays_bitwise() {
    dev.kerasj.examples.Digits d = dev.kerasj.examples.Digits.load(dev.kerasj.examples.Digits.DEFAULT_CSV)
        .slice(0, 100);
    Map<Integer, Double> cw = new java.util.HashMap<>();
    for (int k = 0; k < 10; k++) {
      cw.put(k, 0.2 + 0.3 * k);
    }
    try (Sequential a = weightedModel(); Sequential b = weightedModel(); Sequential c = weightedModel()) {
      History ha = a.fit(d.pixels(), d.labels(), FitOptions.builder().epochs(2).batchSize(32).shuffle(false)
          .verbose(0).classWeight(cw).build());
      History hb = b.fit(Dataset.fromArrays(d.pixels(), d.labels()).batch(32), FitOptions.builder().epochs(2)
          .verbose(0).classWeight(cw).build());
      History hc = c.fit(Dataset.fromGenerator(batches(d.pixels(), d.labels(), 32, -1), "x", "y").inputs("x")
          .targets("y"), FitOptions.builder().epochs(2).verbose(0).classWeight(cw).build());
      assertEquals(ha.history(), hb.history());
      assertEquals(ha.history(), hc.history());
      assertBitwise(weights(a), weights(b));
      assertBitwise(weights(a), weights(c));
    }
  }

  @Test
  void badSampleWeights_failNamingTheFeature() {
    float[][] x = new float[40][64];
    int[] y = new int[40];
    float[] w = new float[40];
    java.util.Arrays.fill(w, 1f);
    w[35] = -0.5f;
    Map<Integer, Double> cw = Map.of(0, 1.0, 1, 2.0);
    FitOptions quiet = FitOptions.builder().verbose(0).build();
    try (Sequential m = weightedModel()) {
      DatasetException negative = assertThrows(DatasetException.class, () -> m.fit(Dataset.fromArrays(x, y, w)
          .batch(16), quiet));
      assertTrue(negative.getMessage().contains("non-negative sample weights in feature sample_weight")
          && negative.getMessage().contains("-0.5"), negative.getMessage());
      assertEquals(2, m.iterations()); // the batch holding the negative weight failed in its pull, before any update
      w[35] = Float.NaN;
      assertThrows(DatasetException.class, () -> m.evaluate(Dataset.fromArrays(x, y, w).batch(16)));
      Feature[] f = {Feature.floats("pixels", 64), Feature.int64s("label"), Feature.bytes("id")};
      IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromTFRecord(
          DatasetTrainingParityTest.TRAIN, f).inputs("pixels").targets("label").sampleWeights("pixels").batch(32),
          quiet));
      assertTrue(shape.getMessage().contains("'pixels'") && shape.getMessage().contains("sample weights"),
          shape.getMessage());
      IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class, () -> m.fit(
          Dataset.fromTFRecord(DatasetTrainingParityTest.TRAIN, f).inputs("pixels").targets("label")
              .sampleWeights("id").batch(32), quiet));
      assertTrue(bytes.getMessage().contains("'id'") && bytes.getMessage().contains("bytes"), bytes.getMessage());
      IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> m.fit(
          Dataset.fromArrays(x, y, new float[40]).batch(16), FitOptions.builder().classWeight(cw).verbose(0).build()));
      assertTrue(both.getMessage().contains("You cannot `class_weight` and `sample_weight` at the same time"),
          both.getMessage());
      assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromArrays(x, y).batch(16),
          FitOptions.builder().sampleWeight(new float[40]).verbose(0).build()));
      y[37] = 3; // a class classWeight does not name
      long before = m.iterations();
      DatasetException missing = assertThrows(DatasetException.class, () -> m.fit(Dataset.fromArrays(x, y)
          .batch(16), FitOptions.builder().classWeight(cw).verbose(0).build()));
      assertTrue(missing.getMessage().contains("`classWeight` must contain all classes")
          && missing.getMessage().contains("feature y"), missing.getMessage());
      assertEquals(before + 2, m.iterations());
      float[] negativeGenerated = new float[40];
      negativeGenerated[3] = -1f;
      IllegalArgumentException generated = assertThrows(IllegalArgumentException.class, () -> m.fit(
          Dataset.fromGenerator(weightedBatches(x, y, negativeGenerated, 16), "x", "y", "w").inputs("x")
              .targets("y").sampleWeights("w"), quiet));
      assertTrue(generated.getMessage().contains("'w'") && generated.getMessage().contains("non-negative"),
          generated.getMessage());
    }
  }

  @Test
  void shardedIterator_keepsEachWorkersContiguousSliceOfEveryGlobalBatch_asTheArrayPathCutsIt() {
    float[][] x = new float[23][2];
    int[] y = new int[23];
    float[] w = new float[23];
    for (int i = 0; i < 23; i++) {
      x[i][0] = i;
      y[i] = i;
      w[i] = i / 2f;
    }
    try (org.tensorflow.Graph g = new org.tensorflow.Graph(); org.tensorflow.Session session =
        new org.tensorflow.Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      for (boolean generated : new boolean[] {false, true}) {
        for (int worker = 0; worker < 3; worker++) {
          Dataset data = generated ? Dataset.fromGenerator(weightedBatches(x, y, w, 10), "x", "y", "w").inputs("x")
              .targets("y").sampleWeights("w") : Dataset.fromArrays(x, y, w).batch(10);
          List<Long> rows = new ArrayList<>();
          List<Integer> sizes = new ArrayList<>();
          List<Float> shares = new ArrayList<>();
          try (dev.kerasj.data.BatchIterator it = data.open(tf, session, List.of(new dev.kerasj.data.BatchIterator
              .Slot("x", org.tensorflow.types.TFloat32.class, new long[] {-1, 2})), List.of(
              new dev.kerasj.data.BatchIterator.Slot("y", org.tensorflow.types.TInt32.class, new long[] {-1})),
              List.of(new dev.kerasj.data.BatchIterator.Slot("w", org.tensorflow.types.TFloat32.class,
              new long[] {-1})), null, new dev.kerasj.data.BatchIterator.Shard(worker, 3), 1)) {
            it.start(0);
            for (dev.kerasj.data.BatchIterator.Batch next = it.next(); next != null; next = it.next()) {
              try (dev.kerasj.data.BatchIterator.Batch b = next) {
                int[] ids = dev.kerasj.internal.Tensors.toHost(b.targets().get(0)).ints();
                float[] ws = dev.kerasj.internal.Tensors.toHost(b.weights().get(0)).floats();
                for (int k = 0; k < ids.length; k++) {
                  rows.add((long) ids[k]);
                  assertEquals(ids[k] / 2f, ws[k]); // the weight travels with its row
                }
                sizes.add(b.size());
                shares.add(((org.tensorflow.types.TFloat32) b.share()).getFloat());
              }
            }
          }
          // Global batches 10, 10, 3: worker i keeps FitLoop.shard's rows of each, and each batch counts whole.
          List<Long> expected = new ArrayList<>();
          List<Float> expectedShares = new ArrayList<>();
          for (int from = 0; from < 23; from += 10) {
            int to = Math.min(23, from + 10);
            int[] slice = FitLoop.shard(from, to, worker, 3);
            for (int r = slice[0]; r < slice[1]; r++) {
              expected.add((long) r);
            }
            expectedShares.add((float) ((double) (slice[1] - slice[0]) / (to - from)));
          }
          assertEquals(expected, rows, "worker " + worker + (generated ? " (generator)" : ""));
          assertEquals(List.of(10, 10, 3), sizes);
          assertEquals(expectedShares, shares);
        }
      }
      // A global batch smaller than the group: refused, not a worker without rows.
      try (dev.kerasj.data.BatchIterator it = Dataset.fromArrays(x, y).batch(2).open(tf, session, List.of(
          new dev.kerasj.data.BatchIterator.Slot("x", org.tensorflow.types.TFloat32.class, new long[] {-1, 2})),
          List.of(new dev.kerasj.data.BatchIterator.Slot("y", org.tensorflow.types.TInt32.class, new long[] {-1})),
          List.of(), null, new dev.kerasj.data.BatchIterator.Shard(0, 3), 1)) {
        it.start(0);
        DatasetException e = assertThrows(DatasetException.class, it::next);
        assertTrue(e.getMessage().contains("across 3 workers"), e.getMessage());
      }
    }
  }

  /** Batches of {@code size} rows of x, y and sample weights w, a new iterator per call. */
  static java.util.function.Supplier<java.util.Iterator<Map<String, Object>>> weightedBatches(float[][] x, int[] y,
      float[] w, int size) {
    return () -> java.util.stream.IntStream.iterate(0, from -> from < x.length, from -> from + size)
        .mapToObj(from -> Map.<String, Object>of("x", java.util.Arrays.copyOfRange(x, from, Math.min(x.length,
            from + size)), "y", java.util.Arrays.copyOfRange(y, from, Math.min(x.length, from + size)), "w",
            java.util.Arrays.copyOfRange(w, from, Math.min(x.length, from + size)))).iterator();
  }

  @Test
  void shuffledPipeline_sameOrderOnEveryRun_newOrderEachEpoch() {
    Path file = DatasetTrainingParityTest.TRAIN;
    List<List<Double>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (Sequential m = model()) {
        runs.add(m.fit(shuffled(file), FitOptions.builder().epochs(3).verbose(0).build()).history().get("loss"));
      }
    }
    assertEquals(runs.get(0), runs.get(1), "a seeded pipeline repeats exactly");
    try (Sequential m = model()) {
      // Without shuffle the first epoch's loss differs: the shuffle really reorders.
      double unshuffled = m.fit(records(file).batch(32).map("pixels", Transforms.normalize(8, 16)),
          FitOptions.builder().epochs(1).verbose(0).build()).history().get("loss").get(0);
      assertNotEquals(unshuffled, runs.get(0).get(0));
    }
  }

  @Test
  void transformations_takeSkipRepeatCachePrefetch_yieldTheExpectedExamples() {
    Path file = DatasetTrainingParityTest.TRAIN;
    Dataset base = records(file);
    try (Sequential m = model()) {
      float[] all = KerasParityTest.toFloats(m.predict(base.batch(32)));
      assertEquals(150 * 10, all.length);
      assertEquals(64, m.predict(base.batch(32).take(2)).shape().get(0), "take counts batches after batch()");
      assertEquals(20, m.predict(base.take(20).batch(32)).shape().get(0), "take counts records before batch()");
      float[] skipped = KerasParityTest.toFloats(m.predict(base.skip(100).batch(32)));
      assertArrayEquals(java.util.Arrays.copyOfRange(all, 1000, 1500), skipped, 0f);
      float[] twice = KerasParityTest.toFloats(m.predict(base.repeat(2).batch(32)));
      assertArrayEquals(all, java.util.Arrays.copyOfRange(twice, 1500, 3000), 0f);
      assertArrayEquals(twice, KerasParityTest.toFloats(m.predict(base.cache().repeat(2).batch(32)
          .prefetch(Dataset.AUTOTUNE))), 0f);
      assertEquals(128, m.predict(base.batch(32, true)).shape().get(0), "dropRemainder drops the batch of 22");
      // A seeded shuffle is a permutation: the same rows, another order.
      float[] shuffled = KerasParityTest.toFloats(m.predict(base.shuffle(150, 3).batch(32)));
      assertNotEquals(java.util.Arrays.toString(all), java.util.Arrays.toString(shuffled));
      float[] a = all.clone();
      float[] b = shuffled.clone();
      java.util.Arrays.sort(a);
      java.util.Arrays.sort(b);
      assertArrayEquals(a, b, 0f);
    }
  }

  static Feature[] digitsColumns() {
    Feature[] columns = new Feature[65];
    for (int i = 0; i < 64; i++) {
      columns[i] = Feature.floats("p" + i);
    }
    columns[64] = Feature.int64s("label");
    return columns;
  }

  static String[] pixelColumns() {
    String[] names = new String[64];
    for (int i = 0; i < 64; i++) {
      names[i] = "p" + i;
    }
    return names;
  }

  @Test
  void csvDataset_ofTheShippedDigits_equalsTheSameArrays() {
    dev.kerasj.examples.Digits d = dev.kerasj.examples.Digits.load(dev.kerasj.examples.Digits.DEFAULT_CSV);
    Dataset csv = Dataset.fromCsv(List.of(dev.kerasj.examples.Digits.DEFAULT_CSV), true, digitsColumns())
        .stack("pixels", pixelColumns()).inputs("pixels").targets("label").batch(64)
        .map("pixels", Transforms.rescale(1 / 16.0)); // Digits.load scales by 1/16 (exact: a power of two)
    try (Sequential a = model(); Sequential b = model()) {
      assertArrayEquals(KerasParityTest.toFloats(a.predict(d.pixels())), KerasParityTest.toFloats(b.predict(csv)),
          0f);
      History ha = a.fit(d.pixels(), d.labels(), FitOptions.builder().batchSize(64).shuffle(false).verbose(0)
          .build());
      History hb = b.fit(csv, FitOptions.builder().verbose(0).build());
      assertEquals(ha.history(), hb.history());
      assertBitwise(weights(a), weights(b));
    }
  }

  @Test
  void csvWithABadField_failsNamingTheFile() throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(dev.kerasj.examples.Digits.DEFAULT_CSV).subList(0, 40));
    lines.set(30, lines.get(30).replaceFirst("^[0-9]+,", "x,"));
    Path bad = tmp.resolve("bad.csv");
    Files.write(bad, lines);
    Dataset csv = Dataset.fromCsv(List.of(bad), true, digitsColumns()).stack("pixels", pixelColumns())
        .inputs("pixels").targets("label").batch(8);
    try (Sequential m = model()) {
      DatasetException e = assertThrows(DatasetException.class, () -> m.fit(csv, FitOptions.builder().verbose(0)
          .build()));
      assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }
  }

  /** Batches of {@code size} rows of x and y, a new iterator per call, optionally throwing at batch {@code failAt}. */
  static java.util.function.Supplier<java.util.Iterator<Map<String, Object>>> batches(float[][] x, int[] y, int size,
      int failAt) {
    return () -> new java.util.Iterator<>() {
      int from;
      int index;

      @Override
      public boolean hasNext() {
        return from < x.length;
      }

      @Override
      public Map<String, Object> next() {
        if (index++ == failAt) {
          throw new IllegalStateException("sensor offline");
        }
        int to = Math.min(x.length, from + size);
        Map<String, Object> b = Map.of("x", java.util.Arrays.copyOfRange(x, from, to),
            "y", java.util.Arrays.copyOfRange(y, from, to));
        from = to;
        return b;
      }
    };
  }

  @Test
  void generatorDataset_equalsFitOnTheSameArrays_andItsFailureIsNamed() {
    dev.kerasj.examples.Digits d = dev.kerasj.examples.Digits.load(dev.kerasj.examples.Digits.DEFAULT_CSV)
        .slice(0, 200);
    try (Sequential a = model(); Sequential b = model()) {
      History ha = a.fit(d.pixels(), d.labels(), FitOptions.builder().epochs(2).batchSize(32).shuffle(false)
          .verbose(0).build());
      History hb = b.fit(Dataset.fromGenerator(batches(d.pixels(), d.labels(), 32, -1), "x", "y").inputs("x")
          .targets("y"), FitOptions.builder().epochs(2).verbose(0).build());
      assertEquals(ha.history(), hb.history());
      assertBitwise(weights(a), weights(b));
      DatasetException e = assertThrows(DatasetException.class, () -> b.fit(Dataset.fromGenerator(
          batches(d.pixels(), d.labels(), 32, 3), "x", "y").inputs("x").targets("y"), FitOptions.builder()
          .verbose(0).build()));
      assertTrue(e.getMessage().contains("batch 3") && e.getMessage().contains("sensor offline"), e.getMessage());
      IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> b.fit(
          Dataset.fromGenerator(() -> List.of(Map.<String, Object>of("x", new float[4][63], "y", new int[4]))
              .iterator(), "x", "y").inputs("x").targets("y"), FitOptions.builder().verbose(0).build()));
      assertTrue(shape.getMessage().contains("'x'") && shape.getMessage().contains("[64]"), shape.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Dataset.fromGenerator(batches(d.pixels(), d.labels(), 32,
          -1), "x", "y").batch(4));
    }
  }

  @Test
  void stepsPerEpoch_carriesTheIteratorAcrossEpochs_andWarnsWhenTheDataRunsOut() {
    try (Sequential m = model(); LogCapture logs = LogCapture.start()) {
      // 5 batches per pass, 3 per epoch: epoch 1 takes batches 0-2, epoch 2 batches 3-4 and runs out (a warning,
      // as Keras), epoch 3 starts a new pass.
      List<Integer> batchesPerEpoch = new ArrayList<>();
      AtomicInteger count = new AtomicInteger();
      Callback counter = new Callback() {
        @Override
        public void onTrainBatchEnd(int batch, Map<String, Double> l) {
          count.incrementAndGet();
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> l) {
          batchesPerEpoch.add(count.getAndSet(0));
        }
      };
      History h = m.fit(shuffled(DatasetTrainingParityTest.TRAIN), FitOptions.builder().epochs(3).stepsPerEpoch(3)
          .verbose(0).callbacks(counter).build());
      assertEquals(List.of(3, 2, 3), batchesPerEpoch);
      assertEquals(8, m.iterations());
      assertEquals(TrainingOutcome.COMPLETED, h.outcome());
      assertEquals(1, logs.messages(Level.WARN, FitLoop.class).stream()
          .filter(s -> s.startsWith("Your input ran out of data; interrupting training")).count());
    }
  }

  @Test
  void progressBar_showsUnknownLength_untilTheFirstPassCountedIt() {
    java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    dev.kerasj.callbacks.ProgbarLogger bar = new dev.kerasj.callbacks.ProgbarLogger(1,
        new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8), true);
    try (Sequential m = model()) {
      m.fit(shuffled(DatasetTrainingParityTest.TRAIN), FitOptions.builder().epochs(2).verbose(0).callbacks(bar)
          .build());
    }
    String out = buffer.toString(java.nio.charset.StandardCharsets.UTF_8);
    String epoch2 = out.substring(out.indexOf("Epoch 2/2"));
    assertTrue(out.substring(0, out.indexOf("Epoch 2/2")).contains("1/Unknown"), out);
    assertTrue(epoch2.contains("1/5") && !epoch2.contains("Unknown"), out);
  }

  @Test
  void stepsPerEpoch_equalToThePassLength_startsANewPassEachEpoch_withoutWarning() {
    try (Sequential m = model(); LogCapture logs = LogCapture.start()) {
      m.fit(shuffled(DatasetTrainingParityTest.TRAIN), FitOptions.builder().epochs(3).stepsPerEpoch(5).verbose(0)
          .build());
      assertEquals(15, m.iterations());
      assertEquals(List.of(), logs.messages(Level.WARN, FitLoop.class));
    }
  }

  @Test
  void repeatedDataset_withoutStepsPerEpoch_isRejectedLikeKeras() {
    try (Sequential m = model()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.fit(
          shuffled(DatasetTrainingParityTest.TRAIN).repeat(), FitOptions.builder().verbose(0).build()));
      assertTrue(e.getMessage().contains("infinite dataset"), e.getMessage());
    }
  }

  /** One fit of 3 epochs over the shuffled records; interrupts after global batch {@code interruptAt} (-1: never). */
  private List<Object> fitWithBackup(Path dir, int interruptAt, Integer stepsPerEpoch, Dataset data) {
    try (Sequential m = model()) {
      BackupAndRestore backup = new BackupAndRestore(dir);
      Callback interrupter = Interrupts.afterBatch(backup, interruptAt);
      FitOptions.Builder o = FitOptions.builder().epochs(3).verbose(0).callbacks(interrupter, backup);
      if (stepsPerEpoch != null) {
        o.stepsPerEpoch(stepsPerEpoch);
      }
      History h = m.fit(data, o.validationData(records(DatasetTrainingParityTest.TRAIN).batch(50)).build());
      return List.of(h.outcome(), weights(m), h.history(), m.iterations());
    }
  }

  @ParameterizedTest(name = "interrupted after global batch {0}")
  @ValueSource(ints = {0, 3, 7, 12})
  void resume_overShuffledRecords_endsBitwiseEqualToUninterruptedRun(int interruptAt) {
    Dataset data = shuffled(DatasetTrainingParityTest.TRAIN);
    List<Object> reference = fitWithBackup(tmp.resolve("reference"), -1, null, data);
    Path dir = tmp.resolve("run");
    assertEquals(TrainingOutcome.INTERRUPTED, fitWithBackup(dir, interruptAt, null, data).get(0));
    List<Object> resumed = fitWithBackup(dir, -1, null, data);
    assertEquals(TrainingOutcome.COMPLETED, resumed.get(0));
    assertRunsEqual(reference, resumed);
  }

  @ParameterizedTest(name = "interrupted after global batch {0}")
  @ValueSource(ints = {1, 4, 6})
  void resume_withStepsPerEpochAcrossPasses_endsBitwiseEqual(int interruptAt) {
    // 3 steps per epoch over 5-batch passes: the iterator spans epochs and runs out in epoch 2; a resume replays it.
    Dataset data = shuffled(DatasetTrainingParityTest.TRAIN);
    List<Object> reference = fitWithBackup(tmp.resolve("reference"), -1, 3, data);
    assertEquals(8L, reference.get(3));
    Path dir = tmp.resolve("run");
    assertEquals(TrainingOutcome.INTERRUPTED, fitWithBackup(dir, interruptAt, 3, data).get(0));
    assertRunsEqual(reference, fitWithBackup(dir, -1, 3, data));
  }

  @SuppressWarnings("unchecked")
  private static void assertRunsEqual(List<Object> expected, List<Object> actual) {
    assertBitwise((List<float[]>) expected.get(1), (List<float[]>) actual.get(1));
    assertEquals(expected.get(2), actual.get(2));
    assertEquals(expected.get(3), actual.get(3));
  }

  // ---- bad input ----

  @Test
  void missingFile_andFifo_areRejectedBeforeAnyRead() throws Exception {
    Path missing = tmp.resolve("nope.tfrecord");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> records(missing));
    assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"),
        e.getMessage());
    Path fifo = tmp.resolve("fifo.tfrecord");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
    e = assertThrows(IllegalArgumentException.class, () -> records(fifo));
    assertTrue(e.getMessage().contains(fifo.toString()) && e.getMessage().contains("FIFO"), e.getMessage());
  }

  /** Offsets of each record's header in a TFRecord file: u64 length, u32 masked crc, payload, u32 masked crc. */
  static List<Long> recordOffsets(byte[] file) {
    List<Long> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    for (long at = 0; at < file.length; ) {
      out.add(at);
      at += 8 + 4 + b.getLong((int) at) + 4;
    }
    return out;
  }

  private Path corrupted(boolean inLength, int record) throws IOException {
    byte[] bytes = Files.readAllBytes(DatasetTrainingParityTest.TRAIN);
    List<Long> offsets = recordOffsets(bytes);
    assertEquals(150, offsets.size());
    int at = (int) (long) offsets.get(record) + (inLength ? 1 : 12 + 20);
    bytes[at] ^= 0x5A;
    Path f = tmp.resolve((inLength ? "bad_length" : "bad_payload") + ".tfrecord");
    Files.write(f, bytes);
    return f;
  }

  @ParameterizedTest(name = "flipped byte in the {0}")
  @ValueSource(strings = {"length", "payload"})
  @Timeout(60)
  void corruptRecord_failsWithTheFileNamed_andKeepsTheEarlierEpochsCheckpoint(String where) throws IOException {
    // Record 140 sits in the 5th batch: epoch 1 (3 steps) reads clean records, epoch 2 meets the corruption.
    Path file = corrupted(where.equals("length"), 140);
    Path ckpt = tmp.resolve("ckpt").resolve("epoch{epoch:02d}.weights");
    try (Sequential m = model()) {
      DatasetException e = assertThrows(DatasetException.class, () -> m.fit(records(file).batch(32),
          FitOptions.builder().epochs(2).stepsPerEpoch(3).verbose(0)
              .callbacks(ModelCheckpoint.builder(ckpt.toString()).saveWeightsOnly(true).build()).build()));
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().toLowerCase().contains("corrupted record"), e.getMessage());
    }
    try (var files = Files.list(tmp.resolve("ckpt"))) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.stream().anyMatch(n -> n.startsWith("epoch01.weights")), "epoch 1's checkpoint: " + names);
      assertTrue(names.stream().noneMatch(n -> n.startsWith("epoch02")), "no epoch 2 checkpoint: " + names);
    }
  }

  @Test
  @Timeout(60)
  void corruptRecord_pulledAheadDuringAStep_failsOnlyWhenItsBatchIsAskedFor() throws IOException {
    // Record 140 sits in the 5th batch of 32, pulled on the iterator's thread while step 4 trains: the four clean
    // batches train, then the fit fails, as when each batch is pulled on demand.
    Path file = corrupted(false, 140);
    try (Sequential bad = model(); Sequential clean = model()) {
      int[] steps = {0};
      Callback count = new Callback() {
        @Override
        public void onTrainBatchEnd(int batch, Map<String, Double> logs) {
          steps[0]++;
        }
      };
      DatasetException e = assertThrows(DatasetException.class, () -> bad.fit(records(file).batch(32),
          FitOptions.builder().epochs(1).verbose(0).callbacks(count).build()));
      assertTrue(e.getMessage().toLowerCase().contains("corrupted record"), e.getMessage());
      assertEquals(4, steps[0], "the four clean batches train before the error");
      clean.fit(records(DatasetTrainingParityTest.TRAIN).batch(32).take(4), FitOptions.builder().epochs(1).verbose(0)
          .build());
      assertBitwise(weights(clean), weights(bad));
    }
  }

  @Test
  void featureOfTheWrongType_failsNamingTheFeature() {
    // "label" is an int64_list in the records; declared as floats.
    Dataset wrongType = Dataset.fromTFRecord(DatasetTrainingParityTest.TRAIN, Feature.floats("pixels", 64),
        Feature.floats("label")).inputs("pixels").targets("label").batch(32);
    try (Sequential m = model()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.fit(wrongType, FitOptions.builder().verbose(0).build()));
      assertTrue(e.getMessage().contains("'label'") && e.getMessage().contains("int32"), e.getMessage());
    }
    Dataset wrongRecordType = Dataset.fromTFRecord(DatasetTrainingParityTest.TRAIN, Feature.int64s("pixels", 64),
        Feature.int64s("label")).inputs("pixels").targets("label").batch(32);
    try (Sequential m = model()) {
      DatasetException e = assertThrows(DatasetException.class,
          () -> m.fit(wrongRecordType, FitOptions.builder().verbose(0).build()));
      assertTrue(e.getMessage().contains("pixels") && e.getMessage().contains("digits_train.tfrecord"),
          e.getMessage());
    }
  }

  @Test
  void featureOfTheWrongShape_failsNamingTheFeature() {
    Dataset wrongLength = Dataset.fromTFRecord(DatasetTrainingParityTest.TRAIN, Feature.floats("pixels", 32),
        Feature.int64s("label")).inputs("pixels").targets("label").batch(32);
    try (Sequential m = model()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.fit(wrongLength, FitOptions.builder().verbose(0).build()));
      assertTrue(e.getMessage().contains("'pixels'") && e.getMessage().contains("[64]")
          && e.getMessage().contains("[32]"), e.getMessage());
    }
    // Declared as 64 values of which the records hold 64, reshaped to 8x8 at parse: a model of 64 inputs refuses it.
    Dataset wrongModelShape = Dataset.fromTFRecord(DatasetTrainingParityTest.TRAIN, Feature.floats("pixels", 8, 8),
        Feature.int64s("label")).inputs("pixels").targets("label").batch(32);
    try (Sequential m = model()) {
      assertThrows(IllegalArgumentException.class, () -> m.fit(wrongModelShape, FitOptions.builder().verbose(0)
          .build()));
    }
  }

  @Test
  void classIdOutOfRange_failsTheStepNamingTheFeature() {
    float[][] x = new float[40][64];
    int[] y = new int[40];
    y[37] = 10; // a 10-class model: ids 0..9
    try (Sequential m = model()) {
      DatasetException e = assertThrows(DatasetException.class, () -> m.fit(Dataset.fromArrays(x, y).batch(16),
          FitOptions.builder().verbose(0).build()));
      assertTrue(e.getMessage().contains("feature y in [0, 10)") && e.getMessage().contains("10"), e.getMessage());
      // Batches 0 and 1 trained; pulling batch 2 (holding id 10) failed in its own run, before any update.
      assertEquals(2, m.iterations());
    }
  }

  @Test
  void varLenFeature_isPaddedOrCut_andBytesNeedAMap() {
    // "nonzero" holds each digit's non-zero pixel indices (about 30): padded/cut to 64, fed as float input.
    Dataset tokens = Dataset.fromTFRecord(DatasetTrainingParityTest.TRAIN, Feature.varLenInt64s("nonzero", 64),
        Feature.int64s("label"), Feature.bytes("id")).inputs("nonzero").targets("label").batch(32);
    try (Sequential m = model()) {
      FloatNdArray p = m.predict(tokens);
      assertEquals(150, p.shape().get(0));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.predict(tokens.inputs("id")));
      assertTrue(e.getMessage().contains("'id'") && e.getMessage().contains("bytes"), e.getMessage());
    }
  }

  @Test
  void unbatchedDataset_andMissingTargets_areRejected() {
    try (Sequential m = model()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.fit(records(DatasetTrainingParityTest.TRAIN), FitOptions.builder().verbose(0).build()));
      assertTrue(e.getMessage().contains("batch("), e.getMessage());
      Dataset noTargets = Dataset.fromTFRecord(DatasetTrainingParityTest.TRAIN, Feature.floats("pixels", 64))
          .inputs("pixels").batch(8);
      e = assertThrows(IllegalArgumentException.class, () -> m.fit(noTargets, FitOptions.builder().verbose(0)
          .build()));
      assertTrue(e.getMessage().contains("targets"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> m.fit(noTargets, null, FitOptions.defaults()));
    }
  }
}
