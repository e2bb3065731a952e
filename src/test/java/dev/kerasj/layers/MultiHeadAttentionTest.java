package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** MultiHeadAttention's arguments, shapes and weights, and its Keras-style errors for bad arguments. */
class MultiHeadAttentionTest {
  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void builder_numHeadsZero_isRefusedWithKerasMessage() {
    String m = message(() -> MultiHeadAttention.builder(0, 4).build());
    assertEquals("Received an invalid value for argument `num_heads`, expected a positive integer. Received: "
        + "num_heads=0", m);
  }

  @Test
  void builder_keyDimZero_isRefusedWithKerasMessage() {
    String m = message(() -> MultiHeadAttention.builder(2, 0).build());
    assertEquals("Received an invalid value for argument `key_dim`, expected a positive integer. Received: "
        + "key_dim=0", m);
  }

  @Test
  void builder_valueDimZero_isRefusedWithKerasMessage() {
    assertTrue(message(() -> MultiHeadAttention.builder(2, 4).valueDim(0).build()).contains("value_dim=0"));
  }

  @Test
  void builder_dropoutOutsideZeroToOne_isRefusedWithTheValue() {
    assertTrue(message(() -> MultiHeadAttention.builder(2, 4).dropout(1.0).build()).contains("dropout=1.0"));
    assertTrue(message(() -> MultiHeadAttention.builder(2, 4).dropout(-0.1).build()).contains("dropout=-0.1"));
    assertEquals(0.25, MultiHeadAttention.builder(2, 4).dropout(0.25).build().dropout());
  }

  @Test
  void builder_defaults_areKeras() {
    MultiHeadAttention m = MultiHeadAttention.builder(2, 4).build();
    assertEquals(4, m.valueDim());
    assertEquals(0.0, m.dropout());
    assertTrue(m.useBias());
    assertEquals(null, m.outputShapeOption());
    assertEquals(false, m.useCausalMask());
    assertTrue(m.kernelInitializer() instanceof dev.kerasj.initializers.VarianceScaling);
    assertTrue(m.biasInitializer() instanceof dev.kerasj.initializers.Constant);
  }

  @Test
  void apply_oneInput_isRefusedNamingQueryAndValue() {
    KerasTensor x = Input.tensor(8, 16);
    String m = message(() -> MultiHeadAttention.builder(2, 4).build().apply(x));
    assertTrue(m.contains("apply(query, value)") && m.contains("(None, 8, 16)"), m);
  }

  @Test
  void apply_fiveInputs_isRefused() { // query, value, key and attention_mask at most
    KerasTensor x = Input.tensor(8, 16);
    String m = message(() -> MultiHeadAttention.builder(2, 4).build().apply(x, x, x, x, x));
    assertTrue(m.contains("Expected: 2 to 4 inputs. Received: 5 inputs"), m);
  }

  @Test
  void apply_fourthInputNotAnAttentionMaskShape_isRefusedNamingTheExpectedShape() {
    KerasTensor x = Input.tensor(8, 16);
    String m = message(() -> MultiHeadAttention.builder(2, 4).build().apply(x, x, x, x));
    assertTrue(m.contains("attention_mask of shape (batch, T, S) = (None, 8, 8)")
        && m.contains("Received: attention_mask shape (None, 8, 16)"), m);
  }

  @Test
  void apply_queryAndValueOfDifferentRank_isRefusedNamingTheShape() {
    KerasTensor q = Input.tensor(8, 16);
    KerasTensor v = Input.tensor(16);
    String m = message(() -> MultiHeadAttention.builder(2, 4).build().apply(q, v));
    assertTrue(m.contains("value shape (None, 16)") && m.contains("rank 3"), m);
  }

  @Test
  void apply_valueAndKeyOfDifferentLength_isRefusedWithKerasMessage() {
    KerasTensor q = Input.tensor(8, 16);
    KerasTensor v = Input.tensor(5, 16);
    KerasTensor k = Input.tensor(6, 16);
    String m = message(() -> MultiHeadAttention.builder(2, 4).build().apply(q, v, k));
    assertEquals("All dimensions of `value` and `key`, except the last one, must be equal. Received: "
        + "value_shape=(None, 5, 16) and key_shape=(None, 6, 16)", m);
  }

  @Test
  void weightShapes_areKerasEinsumDenseShapes() {
    MultiHeadAttention m = MultiHeadAttention.builder(3, 4).valueDim(2).outputShape(12).build();
    List<long[]> in = List.of(new long[] {8, 6}, new long[] {4, 5}, new long[] {4, 3});
    m.resolveShapes(in);
    List<Layer.WeightShape> ws = m.weightShapes(in);
    assertEquals(List.of("query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
        "attention_output/kernel", "attention_output/bias"), ws.stream().map(Layer.WeightShape::name).toList());
    assertArrayEquals(new long[] {6, 3, 4}, ws.get(0).shape());
    assertArrayEquals(new long[] {3, 4}, ws.get(1).shape());
    assertArrayEquals(new long[] {3, 3, 4}, ws.get(2).shape());
    assertArrayEquals(new long[] {5, 3, 2}, ws.get(4).shape());
    assertArrayEquals(new long[] {3, 2}, ws.get(5).shape());
    assertArrayEquals(new long[] {3, 2, 12}, ws.get(6).shape());
    assertArrayEquals(new long[] {12}, ws.get(7).shape());
    assertArrayEquals(new long[] {8, 12}, m.outputShape());
  }
}
