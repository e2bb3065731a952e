package dev.kerasj.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;

/**
 * Calls SavedModels written by real Python TensorFlow 2.21 / Keras 3.15.1 ({@code testdata/serving}) and compares
 * every output with what Python got for the same inputs.
 */
class ServedModelTest {
  /** Java runs TF 2.18's kernels, Python 2.21's; float32 softmax outputs differ by at most a few ulps. */
  static final double FLOAT32_ATOL = 1e-6;
  static final double FLOAT64_ATOL = 1e-12;

  @Test
  void kerasExport_listsSignatureAndMatchesPython() throws Exception {
    JsonNode expected = ServingFixtures.expected();
    try (ServedModel m = ServedModel.open(ServingFixtures.DIR.resolve("keras_export"))) {
      assertEquals(0, m.restoredVariables(), "model.export() needs no repair");
      SignatureSpec s = m.signature("serving_default");
      assertEquals(List.of("features"), List.copyOf(s.inputs().keySet()));
      assertEquals("float32", s.inputs().get("features").dtype());
      assertArrayEquals(new long[] {-1, 4}, s.inputs().get("features").shape());
      assertEquals(List.of("output_0"), List.copyOf(s.outputs().keySet()));
      assertArrayEquals(new long[] {-1, 3}, s.outputs().get("output_0").shape());
      for (JsonNode call : expected.get("keras_export")) {
        Map<String, NdArray<?>> out = m.call("serving_default", ServingFixtures.inputs(call));
        double d = ServingFixtures.assertOutput("output_0", call.get("outputs").get("output_0"), out.get("output_0"),
            FLOAT32_ATOL);
        System.out.printf("[serving] keras_export batch %d max|diff|=%.3e%n", out.get("output_0").shape().get(0), d);
      }
    }
  }

  @Test
  void moduleWithSeveralDtypes_listsSignaturesAndMatchesPython() throws Exception {
    JsonNode expected = ServingFixtures.expected();
    try (ServedModel m = ServedModel.open(ServingFixtures.DIR.resolve("module_multi_io"))) {
      assertEquals(List.of("scale", "serving_default"), List.copyOf(m.signatures().keySet()));
      assertEquals("serving_default(ids: int32[?], names: string[?], x: float32[?, 3]) -> (greeting: string[?], "
          + "logits: float32[?, 2], positive: bool[?], shifted_ids: int64[?])", m.signature("serving_default").describe());
      assertEquals("scale(factor: int64[], mask: bool[?], values: float64[?, 2]) -> (kept: int64[], "
          + "scaled: float64[?, 2])", m.signature("scale").describe());
      for (JsonNode call : expected.get("module_multi_io")) {
        String sig = call.get("signature").asText();
        Map<String, NdArray<?>> out = m.call(sig, ServingFixtures.inputs(call));
        assertEquals(List.copyOf(m.signature(sig).outputs().keySet()), List.copyOf(out.keySet()));
        call.get("outputs").fields().forEachRemaining(e -> ServingFixtures.assertOutput(sig + "/" + e.getKey(),
            e.getValue(), out.get(e.getKey()), e.getValue().get("dtype").asText().equals("float64")
                ? FLOAT64_ATOL : FLOAT32_ATOL));
      }
    }
  }

  @Test
  void call_takesNdArraysAndScalars() throws Exception {
    try (ServedModel m = ServedModel.open(ServingFixtures.DIR.resolve("module_multi_io"))) {
      Map<String, NdArray<?>> out = m.call("scale", Map.of("values", NdArrays.wrap(Shape.of(1, 2),
          org.tensorflow.ndarray.buffer.DataBuffers.of(1.0, 2.0)), "mask", NdArrays.vectorOf(true), "factor", 2L));
      assertEquals(1L, out.get("kept").getObject());
      // 1*2 + 0.125, 2*2 - 3 (the module's float64 bias comes from variables/)
      assertEquals(2.125, (Double) out.get("scaled").getObject(0, 0), 0.0);
      assertEquals(1.0, (Double) out.get("scaled").getObject(0, 1), 0.0);
      FloatNdArray x = NdArrays.ofFloats(Shape.of(1, 3));
      x.setFloat(1f, 0, 0);
      Map<String, NdArray<?>> s = m.call("serving_default", Map.of("x", x, "ids", new int[] {5},
          "names", NdArrays.vectorOfObjects("jó")));
      assertEquals("hello, jó", s.get("greeting").getObject(0));
      assertEquals(1010L, s.get("shifted_ids").getObject(0));
    }
  }

  @Test
  void kerasSavedModelSave_issue80191_variablesRestoredAndMatchesKerasPredict() throws Exception {
    JsonNode expected = ServingFixtures.expected();
    try (ServedModel m = ServedModel.open(ServingFixtures.DIR.resolve("keras_saved_model"))) {
      assertEquals(4, m.restoredVariables(), "two Dense layers: kernel and bias each, left empty by TF's loader");
      SignatureSpec s = m.signature("serving_default");
      assertEquals(List.of("inputs"), List.copyOf(s.inputs().keySet()));
      JsonNode calls = expected.get("keras_export");
      for (int i = 0; i < calls.size(); i++) {
        Object x = ServingFixtures.inputs(calls.get(i)).get("features");
        NdArray<?> out = m.call("serving_default", Map.of("inputs", x)).get("output_0");
        double d = ServingFixtures.assertOutput("predict", expected.get("keras_predict").get(i == 0 ? "batch1"
            : "batch5"), out, FLOAT32_ATOL);
        System.out.printf("[serving] tf.saved_model.save(keras) vs keras predict max|diff|=%.3e%n", d);
      }
    }
  }

  @Test
  void kerasSavedModelSave_withoutKerasjRestore_failsAsUpstreamIssue80191Says() {
    // The fixture reproduces the upstream bug: TF Java's own loader gives a model whose every call fails.
    try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(
        fixture("keras_saved_model").toAbsolutePath().toString(), "serve");
        org.tensorflow.types.TFloat32 x = org.tensorflow.types.TFloat32.tensorOf(Shape.of(1, 4))) {
      Exception e = assertThrows(Exception.class, () -> b.function("serving_default").call(Map.of("inputs", x)));
      assertTrue(e.getMessage().contains("Could not find variable sequential/dense"), e.getMessage());
    }
  }

  @Test
  void manyThreads_shareOneModel_andGetTheirOwnResults() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (ServedModel m = ServedModel.open(ServingFixtures.DIR.resolve("module_multi_io"))) {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            long n = id * 1000L + i;
            Map<String, NdArray<?>> out = m.call("scale", Map.of("values", new double[][] {{n, 0}},
                "mask", new boolean[] {true}, "factor", 1L));
            assertEquals(n + 0.125, (Double) out.get("scaled").getObject(0, 0), 0.0);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void close_isIdempotent_andCallAfterCloseThrows() throws Exception {
    ServedModel m = ServedModel.open(ServingFixtures.DIR.resolve("keras_export"));
    m.close();
    m.close();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> m.call("serving_default", Map.of("features", new float[][] {{1, 2, 3, 4}})));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  static Path fixture(String name) {
    return ServingFixtures.DIR.resolve(name);
  }
}
