package dev.kerasj.layers;

import dev.kerasj.Sequential;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;

/** Helpers shared by the layer tests. */
final class LayerTesting {
  private LayerTesting() {}

  /** Values of {@code a} in row-major order. */
  static float[] flat(FloatNdArray a) {
    float[] out = new float[Math.toIntExact(a.size())];
    a.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** A {@code [1, 4, 4, channels]} image: channel c of pixel (r, k) is {@code (c == 0 ? 1 : -1) * (4r + k + 1)}. */
  static float[][][][] image4x4(int channels) {
    float[][][][] x = new float[1][4][4][channels];
    for (int r = 0; r < 4; r++) {
      for (int k = 0; k < 4; k++) {
        for (int c = 0; c < channels; c++) {
          x[0][r][k][c] = (c == 0 ? 1 : -1) * (4 * r + k + 1);
        }
      }
    }
    return x;
  }

  /** Runs {@code predict} on a model made of {@code layers}, closing it. */
  static FloatNdArray predict(Object x, Layer... layers) {
    try (Sequential model = new Sequential(layers)) {
      model.setSeed(1);
      return model.predict(x);
    }
  }
}
