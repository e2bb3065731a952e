package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.FloatNdArray;

/** Flatten and Reshape keep the row-major order of each sample and only change its shape. */
class FlattenReshapeTest {
  /** {@code [2, 2, 3, 4]}: value {@code 100*sample + index within the sample}. */
  static float[][][][] samples() {
    float[][][][] x = new float[2][2][3][4];
    for (int s = 0; s < 2; s++) {
      int i = 0;
      for (int a = 0; a < 2; a++) {
        for (int b = 0; b < 3; b++) {
          for (int c = 0; c < 4; c++) {
            x[s][a][b][c] = 100 * s + i++;
          }
        }
      }
    }
    return x;
  }

  static float[] expectedFlat() {
    float[] out = new float[48];
    for (int i = 0; i < 48; i++) {
      out[i] = 100 * (i / 24) + i % 24;
    }
    return out;
  }

  @Test
  void flatten_keepsRowMajorOrderPerSample() {
    FloatNdArray out = LayerTesting.predict(samples(), Input.of(2, 3, 4), new Flatten());

    assertArrayEquals(new long[] {2, 24}, out.shape().asArray());
    assertArrayEquals(expectedFlat(), LayerTesting.flat(out));
  }

  @Test
  void reshape_withMinusOne_infersThatDimension() {
    FloatNdArray out = LayerTesting.predict(samples(), Input.of(2, 3, 4), new Reshape(-1, 4));

    assertArrayEquals(new long[] {2, 6, 4}, out.shape().asArray());
    assertArrayEquals(expectedFlat(), LayerTesting.flat(out));
  }

  @Test
  void reshape_withMinusOneFirst_infersLeadingDimension() {
    FloatNdArray out = LayerTesting.predict(samples(), Input.of(2, 3, 4), new Reshape(4, -1));

    assertArrayEquals(new long[] {2, 4, 6}, out.shape().asArray());
    assertArrayEquals(expectedFlat(), LayerTesting.flat(out));
  }

  @Test
  void reshape_toExplicitShape_keepsValues() {
    FloatNdArray out = LayerTesting.predict(samples(), Input.of(2, 3, 4), new Reshape(3, 2, 4));

    assertArrayEquals(new long[] {2, 3, 2, 4}, out.shape().asArray());
    assertArrayEquals(expectedFlat(), LayerTesting.flat(out));
  }
}
