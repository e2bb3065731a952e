package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kerasj.Sequential;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Conv2D output shapes, as declared ({@code outputShape()}) and as the TensorFlow graph produces them. */
class Conv2DTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        // input height/width, kernel, stride, padding, expected height/width
        Arguments.of(8, 3, 1, "valid", 6),
        Arguments.of(8, 3, 1, "same", 8),
        Arguments.of(8, 3, 2, "valid", 3),
        Arguments.of(8, 3, 2, "same", 4),
        Arguments.of(7, 3, 2, "same", 4),
        Arguments.of(7, 2, 3, "valid", 2),
        Arguments.of(3, 3, 1, "valid", 1));
  }

  @ParameterizedTest(name = "{0}x{0} input, {1}x{1} kernel, stride {2}, {3} -> {4}x{4}")
  @MethodSource("cases")
  void conv2d_outputShape_followsPaddingAndStrides(int size, int kernel, int stride, String padding, int expected) {
    long[] declared;
    long[] produced;
    try (Sequential model = new Sequential(Input.of(size, size, 3),
        Conv2D.builder(5, kernel, kernel).strides(stride, stride).padding(padding).build())) {
      model.setSeed(1);
      declared = model.outputShape();
      produced = model.predict(new float[2][size][size][3]).shape().asArray();
    }

    assertArrayEquals(new long[] {expected, expected, 5}, declared, "declared output shape");
    assertArrayEquals(new long[] {2, expected, expected, 5}, produced, "shape of predict's result");
  }

  @ParameterizedTest(name = "{0}x{0} input, {1}x{1} kernel, stride {2}, {3}")
  @MethodSource("cases")
  void conv2d_withOnesKernel_sumsTheReceptiveField(int size, int kernel, int stride, String padding, int expected) {
    // A ones kernel on a ones image counts the in-bounds taps of each window: kernel^2 * 3 channels in valid
    // padding; with same padding the corner window is clipped.
    try (Sequential model = new Sequential(Input.of(size, size, 3),
        Conv2D.builder(1, kernel, kernel).strides(stride, stride).padding(padding).useBias(false).build())) {
      model.setSeed(1);
      float[][][][] k = new float[kernel][kernel][3][1];
      float[][][][] x = new float[1][size][size][3];
      for (float[][][] a : k) {
        for (float[][] b : a) {
          for (float[] c : b) {
            c[0] = 1f;
          }
        }
      }
      for (float[][] row : x[0]) {
        for (float[] pixel : row) {
          java.util.Arrays.fill(pixel, 1f);
        }
      }
      model.setWeights(java.util.List.of((Object) k));

      float[] out = LayerTesting.flat(model.predict(x));

      if (padding.equals("valid")) {
        for (float v : out) {
          assertEquals(kernel * kernel * 3f, v, 0f);
        }
      } else {
        long total = (expected - 1L) * stride + kernel - size;
        long before = Math.max(total, 0) / 2;
        long rows = Math.min(kernel - before, size);
        assertEquals(rows * rows * 3f, out[0], 0f, "top-left window with " + before + " padded rows before");
      }
    }
  }
}
