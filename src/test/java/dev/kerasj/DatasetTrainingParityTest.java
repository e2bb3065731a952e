package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.callbacks.History;
import dev.kerasj.data.Dataset;
import dev.kerasj.data.Feature;
import dev.kerasj.data.Transforms;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Weight;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.testing.TensorBundle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * Trains on the TFRecords of {@code testdata/datasets/} (written by {@code python-interop/make_dataset_fixtures.py},
 * see testdata/README.md) through a {@link Dataset} and compares with Keras 3.15.1 trained on the same records with
 * tf.data: per-epoch history, final weights, {@code predict} and {@code evaluate} on the GZIP validation file, within
 * {@link KerasParityTest}'s tolerance ({@value KerasParityTest#RTOL} relative plus {@value KerasParityTest#ATOL}
 * absolute per value).
 */
class DatasetTrainingParityTest {
  static final Path DIR = Path.of("testdata", "datasets");
  static final Path TRAIN = DIR.resolve("digits_train.tfrecord");
  static final Path VAL = DIR.resolve("digits_val.tfrecord.gz");
  /** The fixture's parse: (pixels - 8) / 4. */
  static final double MEAN = 8.0;
  static final double VARIANCE = 16.0;

  static Feature[] features() {
    return new Feature[] {Feature.floats("pixels", 64), Feature.bytes("pixels_u8"), Feature.int64s("label"),
        Feature.varLenInt64s("nonzero", 64), Feature.bytes("id")};
  }

  static Dataset train() {
    return Dataset.fromTFRecord(TRAIN, features()).inputs("pixels").targets("label").batch(32)
        .map("pixels", Transforms.normalize(MEAN, VARIANCE));
  }

  static Dataset val() {
    return Dataset.fromTFRecord(List.of(VAL), Dataset.Compression.GZIP, features()).inputs("pixels")
        .targets("label").batch(32).map("pixels", Transforms.normalize(MEAN, VARIANCE));
  }

  static Sequential model() {
    Sequential model = new Sequential(Input.of(64), new Dense(32, "relu"), new Dense(10, "softmax"));
    model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    return model;
  }

  @Test
  void fit_onKerasTFRecords_matchesKerasTfDataRun() {
    TensorBundle b = new TensorBundle(DIR.resolve("train"));
    int epochs = b.read("meta/epochs", TInt32.class).ints()[0];
    try (Sequential model = model()) {
      List<Weight> ws = model.weights();
      assertEquals(b.readStrings("meta/weight_names"), ws.stream().map(Weight::path).toList());
      model.setWeights(KerasParityTest.stripPrefix(read(b, "initial", ws), "initial/"));
      History h = model.fit(train(), FitOptions.builder().epochs(epochs).validationData(val()).verbose(0).build());
      assertEquals(List.of("loss", "accuracy", "val_loss", "val_accuracy"), List.copyOf(h.history().keySet()));
      KerasParityTest.Diff diff = new KerasParityTest.Diff("datasets/train");
      for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
        diff.compare("history/" + e.getKey(), b.read("history/" + e.getKey(), TFloat32.class).floats(),
            KerasParityTest.toFloats(e.getValue()));
      }
      Map<String, HostArray> finals = read(b, "final", ws);
      for (int i = 0; i < ws.size(); i++) {
        String key = "final/" + ws.get(i).path();
        diff.compare(key, finals.get(key).floats(), KerasParityTest.toFloats(model.getWeights().get(i)));
      }
      diff.compare("predict/val", b.read("predict/val", TFloat32.class).floats(),
          KerasParityTest.toFloats(model.predict(val())));
      Map<String, Double> scores = model.evaluate(val());
      diff.compare("evaluate", new float[] {b.read("evaluate/loss", TFloat32.class).floats()[0],
          b.read("evaluate/accuracy", TFloat32.class).floats()[0]},
          new float[] {scores.get("loss").floatValue(), scores.get("accuracy").floatValue()});
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
      // One optimizer step per batch (5 per epoch), as Keras with the cardinality asserted; Keras without it takes
      // an extra step per epoch (recorded by the fixture), which kerasj does not copy.
      assertEquals(b.read("final/iterations", TInt64.class).ints()[0], model.iterations());
      assertEquals(15, model.iterations());
      assertEquals(18, b.read("keras_bug/iterations_unknown_cardinality", TInt64.class).ints()[0]);
    }
  }

  @Test
  void predict_fromRawBytesFeature_equalsPredictFromFloatFeature() {
    // The bytes feature holds the same pixels as uint8: decoded, cast and normalized they must give the same bits.
    Dataset fromBytes = Dataset.fromTFRecord(List.of(VAL), Dataset.Compression.GZIP, features()).inputs("pixels_u8")
        .batch(16).map("pixels_u8", Transforms.decodeRaw(TUint8.class, 64))
        .map("pixels_u8", Transforms.normalize(MEAN, VARIANCE));
    try (Sequential model = model()) {
      float[] viaFloats = KerasParityTest.toFloats(model.predict(val()));
      float[] viaBytes = KerasParityTest.toFloats(model.predict(fromBytes));
      assertEquals(48 * 10, viaFloats.length);
      assertArrayEquals(viaFloats, viaBytes);
    }
  }

  static final Path WEIGHTED = DIR.resolve("digits_weighted.tfrecord");

  /** The fixture's (x, y, sample_weight) batches: TFRecordDataset(digits_weighted).batch(32).map(parse). */
  static Dataset weighted() {
    return Dataset.fromTFRecord(WEIGHTED, Feature.floats("pixels", 64), Feature.int64s("label"), Feature.floats("w"))
        .inputs("pixels").targets("label").sampleWeights("w").batch(32)
        .map("pixels", Transforms.normalize(MEAN, VARIANCE));
  }

  static Sequential weightedModel() {
    Sequential model = new Sequential(Input.of(64), new Dense(32, "relu"), new Dense(10, "softmax"));
    model.compile(CompileOptions.builder(new Adam(1e-3), new SparseCategoricalCrossentropy()).metrics("accuracy")
        .weightedMetrics("accuracy").build());
    return model;
  }

  @Test
  void fit_onWeightedTFRecords_matchesKerasSampleWeightRun() {
    TensorBundle b = new TensorBundle(DIR.resolve("weighted"));
    try (Sequential model = weightedModel()) {
      List<Weight> ws = model.weights();
      assertEquals(b.readStrings("meta/weight_names"), ws.stream().map(Weight::path).toList());
      model.setWeights(KerasParityTest.stripPrefix(read(b, "sample_weight/initial", ws), "sample_weight/initial/"));
      History h = model.fit(weighted(), FitOptions.builder().epochs(3).validationData(weighted()).verbose(0).build());
      KerasParityTest.Diff diff = new KerasParityTest.Diff("datasets/weighted/sample_weight");
      compareRun(b, "sample_weight", model, h, diff);
      Map<String, Double> scores = model.evaluate(weighted());
      assertEquals(java.util.Set.of("loss", "accuracy", "weighted_accuracy"), scores.keySet());
      for (Map.Entry<String, Double> e : scores.entrySet()) {
        diff.compare("evaluate/" + e.getKey(), b.read("sample_weight/evaluate/" + e.getKey(), TFloat32.class)
            .floats(), new float[] {e.getValue().floatValue()});
      }
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
      // The weights matter: the weighted accuracy differs from the plain one by far more than the tolerance.
      assertTrue(Math.abs(scores.get("weighted_accuracy") - scores.get("accuracy")) > 1e-3, scores.toString());
      assertEquals(b.read("sample_weight/final/iterations", TInt64.class).ints()[0], model.iterations());
    }
  }

  @Test
  void fit_withClassWeight_matchesKerasClassWeightRun() {
    TensorBundle b = new TensorBundle(DIR.resolve("weighted"));
    float[] table = b.read("meta/class_weight", TFloat32.class).floats();
    Map<Integer, Double> classWeight = new LinkedHashMap<>();
    for (int d = 0; d < table.length; d++) {
      classWeight.put(d, 0.25 + 0.1 * d); // the generator's CLASS_WEIGHT, in double as Python holds it
      assertEquals(table[d], (float) (0.25 + 0.1 * d));
    }
    try (Sequential model = weightedModel()) {
      List<Weight> ws = model.weights();
      model.setWeights(KerasParityTest.stripPrefix(read(b, "class_weight/initial", ws), "class_weight/initial/"));
      History h = model.fit(train(), FitOptions.builder().epochs(3).classWeight(classWeight).validationData(val())
          .verbose(0).build());
      KerasParityTest.Diff diff = new KerasParityTest.Diff("datasets/weighted/class_weight");
      compareRun(b, "class_weight", model, h, diff);
      diff.assertWithin(KerasParityTest.RTOL, KerasParityTest.ATOL);
      // Validation is never class-weighted (Keras neither): its weighted accuracy is its plain one.
      assertEquals(h.history().get("val_accuracy"), h.history().get("val_weighted_accuracy"));
      assertEquals(b.read("class_weight/final/iterations", TInt64.class).ints()[0], model.iterations());
    }
  }

  /** History (the same keys as Keras', every value) and final weights of one run of the weighted bundle. */
  private static void compareRun(TensorBundle b, String run, Sequential model, History h,
      KerasParityTest.Diff diff) {
    // Keras' keys for metrics=[accuracy], weighted_metrics=[accuracy] (each read from the bundle below).
    assertEquals(java.util.Set.of("loss", "accuracy", "weighted_accuracy", "val_loss", "val_accuracy",
        "val_weighted_accuracy"), h.history().keySet());
    for (Map.Entry<String, List<Double>> e : h.history().entrySet()) {
      diff.compare("history/" + e.getKey(), b.read(run + "/history/" + e.getKey(), TFloat32.class).floats(),
          KerasParityTest.toFloats(e.getValue()));
    }
    List<Weight> ws = model.weights();
    Map<String, HostArray> finals = read(b, run + "/final", ws);
    for (int i = 0; i < ws.size(); i++) {
      String key = run + "/final/" + ws.get(i).path();
      diff.compare(key, finals.get(key).floats(), KerasParityTest.toFloats(model.getWeights().get(i)));
    }
  }

  private static Map<String, HostArray> read(TensorBundle b, String stage, List<Weight> ws) {
    Map<String, Class<? extends TType>> want = new LinkedHashMap<>();
    ws.forEach(w -> want.put(stage + "/" + w.path(), TFloat32.class));
    return b.read(want);
  }
}
