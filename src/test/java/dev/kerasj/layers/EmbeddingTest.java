package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Sequential;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.FloatNdArray;

/** Embedding: output shape and lookups of the rows set into its table. */
class EmbeddingTest {
  static final int VOCABULARY = 10;
  static final int DIM = 3;
  static final int LENGTH = 5;

  /** Row {@code i} is {@code [10i, 10i+1, 10i+2]}. */
  static float[][] table() {
    float[][] t = new float[VOCABULARY][DIM];
    for (int i = 0; i < VOCABULARY; i++) {
      for (int j = 0; j < DIM; j++) {
        t[i][j] = 10 * i + j;
      }
    }
    return t;
  }

  static Sequential model() {
    Sequential model = new Sequential(Input.of(Input.DType.INT32, LENGTH), new Embedding(VOCABULARY, DIM));
    model.setSeed(3);
    return model;
  }

  @Test
  void embedding_outputShape_appendsOutputDim() {
    try (Sequential model = model()) {
      assertArrayEquals(new long[] {LENGTH, DIM}, model.outputShape());
      assertArrayEquals(new long[] {VOCABULARY, DIM}, model.weights().get(0).shape());
    }
  }

  @Test
  void embedding_lookup_returnsTheTableRowOfEachId() {
    int[][] ids = {{0, 9, 3, 3, 1}, {2, 2, 2, 2, 2}};
    try (Sequential model = model()) {
      model.setWeights(List.of((Object) table()));

      FloatNdArray out = model.predict(ids);

      assertArrayEquals(new long[] {2, LENGTH, DIM}, out.shape().asArray());
      float[] values = LayerTesting.flat(out);
      float[][] t = table();
      for (int s = 0; s < ids.length; s++) {
        for (int p = 0; p < LENGTH; p++) {
          float[] row = java.util.Arrays.copyOfRange(values, (s * LENGTH + p) * DIM, (s * LENGTH + p + 1) * DIM);
          assertArrayEquals(t[ids[s][p]], row, "sample " + s + " position " + p + " id " + ids[s][p]);
        }
      }
    }
  }

  @Test
  void embedding_defaultInitializer_isUniformWithinFiveHundredths() {
    try (Sequential model = model()) {
      float[] values = LayerTesting.flat(model.getWeights().get(0));

      for (float v : values) {
        assertTrue(v >= -0.05f && v <= 0.05f, "embedding value " + v + ", seed=3");
      }
    }
  }

  @Test
  void embedding_idOutOfVocabulary_isRejectedNamingTheId() {
    try (Sequential model = model()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.predict(new int[][] {{0, 1, 2, 3, VOCABULARY}}));

      assertTrue(e.getMessage().contains("Received: " + VOCABULARY), e.getMessage());
    }
  }

  @Test
  void maskZero_defaultsToKerasFalse_andSetsSupportsMasking() {
    assertFalse(new Embedding(VOCABULARY, DIM).maskZero());
    assertFalse(new Embedding(VOCABULARY, DIM).supportsMasking());
    Embedding masked = Embedding.builder(VOCABULARY, DIM).maskZero(true).build();
    assertTrue(masked.maskZero());
    assertTrue(masked.supportsMasking());
  }

  /**
   * With maskZero the mask {@code ids != 0} reaches GlobalAveragePooling1D, which averages the real ids' rows only;
   * without it the padding's row 0 ({@code [0, 1, 2]}) is averaged in.
   */
  @Test
  void maskZero_masksIdZeroForTheLayersDownstream() {
    int[][] ids = {{3, 5, 0, 0, 0}, {0, 0, 0, 7, 1}};
    float[] expectMasked = {40, 41, 42, 40, 41, 42}; // mean of rows 3, 5 and of rows 7, 1
    float[] expectUnmasked = {16, 17, 18, 16, 17, 18}; // mean over 5 positions, padding (row 0) included
    for (boolean maskZero : new boolean[] {true, false}) {
      try (Sequential model = new Sequential(Input.of(Input.DType.INT32, LENGTH),
          Embedding.builder(VOCABULARY, DIM).maskZero(maskZero).build(), new GlobalAveragePooling1D())) {
        model.setWeights(List.of((Object) table()));
        assertArrayEquals(maskZero ? expectMasked : expectUnmasked, LayerTesting.flat(model.predict(ids)), 1e-5f,
            "maskZero=" + maskZero);
      }
    }
  }
}
