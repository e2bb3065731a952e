package dev.kerasj.saving.savedmodel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.Layer;
import dev.kerasj.saving.keras.KerasConfigParityTest;
import dev.kerasj.saving.keras.KerasJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;

/** Save, load and compare: same layers, same predictions, same weights and optimizer state, bit for bit. */
class SavedModelRoundTripTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @EnumSource(ModelCases.class)
  void load_afterSave_givesIdenticalPredictionsWeightsAndOptimizerState(ModelCases c) throws IOException {
    Path dir = tmp.resolve(c.name().toLowerCase());
    Object xTest = c.x(40, 99);
    try (Sequential model = c.build()) {
      c.fit(model, 0, 2);
      long t0 = System.nanoTime();
      SavedModelWriter.write(model, dir, TrainingState.afterEpoch(2));
      long t1 = System.nanoTime();
      try (Sequential loaded = Sequential.load(dir)) {
        long t2 = System.nanoTime();
        System.out.printf("[savedmodel] %s: %d params, save %.1f ms, load %.1f ms%n", c, model.countParams(),
            (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        assertEquals(layerSummary(model), layerSummary(loaded));
        assertEquals(model.optimizer().getClass(), loaded.optimizer().getClass());
        assertEquals(model.loss().getClass(), loaded.loss().getClass());
        assertEquals(List.of("accuracy"), loaded.metrics().stream().map(m -> m.name()).toList());
        assertBitwiseEqual(ModelCases.variables(model), ModelCases.variables(loaded));
        assertArrayEquals(floats(model.predict(xTest)), floats(loaded.predict(xTest)),
            "predictions must be identical (seed " + ModelCases.SEED + ")");
      }
    }
    TrainingState state = SavedModelLoader.readTrainingState(dir);
    assertEquals(2, state.epoch());
    assertEquals(2 * (ModelCases.SAMPLES / 16), state.step(), "step = optimizer iterations");
  }

  @ParameterizedTest
  @EnumSource(ModelCases.class)
  void save_writesSavedModelLayout(ModelCases c) throws IOException {
    Path dir = tmp.resolve("m");
    try (Sequential model = c.build()) {
      SavedModelWriter.write(model, dir);
    }
    for (String f : List.of("saved_model.pb", "variables/variables.index", "variables/variables.data-00000-of-00001",
        "assets/config.json", "assets/kerasj.json")) {
      assertTrue(Files.isRegularFile(dir.resolve(f)), "missing " + f);
    }
    try (var entries = Files.list(tmp)) {
      assertEquals(List.of(dir), entries.toList(), "no staging leftovers next to the SavedModel");
    }
  }

  @ParameterizedTest
  @EnumSource(ModelCases.class)
  void save_configJson_equalsKerasReferenceForSameArchitecture(ModelCases c) throws IOException {
    Path dir = tmp.resolve("m");
    try (Sequential model = c.build()) {
      c.fit(model, 0, 1);
      SavedModelWriter.write(model, dir);
    }
    String reference = c == ModelCases.CNN_BN ? "cnn_bn" : c.name().toLowerCase();
    KerasConfigParityTest.assertEquivalent(
        KerasJson.parse(Files.readAllBytes(KerasConfigParityTest.CONFIGS.resolve(reference + ".json"))),
        KerasJson.parse(Files.readAllBytes(dir.resolve("assets/config.json"))), "$");
  }

  @Test
  void load_ofUncompiledModel_givesUncompiledModelWithSameWeights() throws IOException {
    Path dir = tmp.resolve("m");
    try (Sequential model = new Sequential(Input.of(3), new Dense(2, "softplus"))) {
      model.setSeed(5);
      model.build();
      SavedModelWriter.write(model, dir);
      try (Sequential loaded = Sequential.load(dir)) {
        assertFalse(loaded.isCompiled());
        assertBitwiseEqual(ModelCases.variables(model), ModelCases.variables(loaded));
      }
    }
    assertNull(SavedModelLoader.readTrainingState(dir).epoch());
  }

  @Test
  void readTrainingState_returnsEpochBatchStepAndCallbackStateAsWritten() throws IOException {
    Path dir = tmp.resolve("m");
    Map<String, Object> callbacks = new java.util.LinkedHashMap<>();
    callbacks.put("model_checkpoint", Map.of("monitor", "val_loss", "best", 0.25));
    callbacks.put("early_stopping", java.util.Arrays.asList(1, null, "x"));
    try (Sequential model = ModelCases.MLP.build()) {
      ModelCases.MLP.fit(model, 0, 1);
      SavedModelWriter.write(model, dir, new TrainingState(1, 3, 999, callbacks));
    }
    TrainingState s = SavedModelLoader.readTrainingState(dir);
    assertEquals(1, s.epoch());
    assertEquals(3, s.batch());
    assertEquals(ModelCases.SAMPLES / 16, s.step(), "the model's iteration count, not the caller's 999");
    assertEquals(callbacks, s.callbacks());
  }

  static String layerSummary(Sequential m) {
    StringBuilder sb = new StringBuilder(m.name());
    for (Layer l : m.layers()) {
      sb.append(" | ").append(l.className()).append(' ').append(l.name()).append(' ')
          .append(java.util.Arrays.toString(l.outputShape()));
    }
    return sb.toString();
  }

  static void assertBitwiseEqual(Map<String, HostArray> expected, Map<String, HostArray> actual) {
    assertEquals(expected.keySet(), actual.keySet(), "variable names");
    for (String k : expected.keySet()) {
      HostArray e = expected.get(k);
      HostArray a = actual.get(k);
      assertArrayEquals(e.shape(), a.shape(), k + ": shape");
      if (e.isFloat()) {
        float[] ef = e.floats();
        float[] af = a.floats();
        for (int i = 0; i < ef.length; i++) {
          if (Float.floatToRawIntBits(ef[i]) != Float.floatToRawIntBits(af[i])) {
            throw new AssertionError(k + "[" + i + "]: expected " + ef[i] + " but was " + af[i]
                + " (bitwise comparison, seed " + ModelCases.SEED + ")");
          }
        }
      } else {
        assertArrayEquals(e.ints(), a.ints(), k);
      }
    }
  }

  static float[] floats(FloatNdArray nd) {
    float[] out = new float[Math.toIntExact(nd.size())];
    nd.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
