package dev.kerasj.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * Pooling shapes and values on the hand-computed 4x4 image of {@link LayerTesting#image4x4}: channel 0 holds
 * 1..16 row by row, channel 1 the same values negated.
 *
 * <pre>
 *  1  2  3  4
 *  5  6  7  8
 *  9 10 11 12
 * 13 14 15 16
 * </pre>
 */
class Pooling2DTest {
  static final float[][][][] IMAGE = LayerTesting.image4x4(2);
  static final float[][][][] IMAGE_1 = LayerTesting.image4x4(1);

  static void assertPooled(long[] shape, float[] values, FloatNdArray out) {
    assertArrayEquals(shape, out.shape().asArray(), "shape");
    assertArrayEquals(values, LayerTesting.flat(out), 1e-6f, "values, channels interleaved");
  }

  @Test
  void maxPooling2d_defaults_take2x2MaximaPerChannel() {
    FloatNdArray out = LayerTesting.predict(IMAGE, Input.of(4, 4, 2), new MaxPooling2D());

    assertPooled(new long[] {1, 2, 2, 2}, new float[] {6, -1, 8, -3, 14, -9, 16, -11}, out);
  }

  @Test
  void averagePooling2d_defaults_take2x2MeansPerChannel() {
    FloatNdArray out = LayerTesting.predict(IMAGE, Input.of(4, 4, 2), new AveragePooling2D());

    assertPooled(new long[] {1, 2, 2, 2}, new float[] {3.5f, -3.5f, 5.5f, -5.5f, 11.5f, -11.5f, 13.5f, -13.5f}, out);
  }

  @Test
  void maxPooling2d_stride1_slidesOverlappingWindows() {
    FloatNdArray out = LayerTesting.predict(IMAGE_1, Input.of(4, 4, 1),
        new MaxPooling2D(new int[] {2, 2}, new int[] {1, 1}, "valid", null));

    assertPooled(new long[] {1, 3, 3, 1}, new float[] {6, 7, 8, 10, 11, 12, 14, 15, 16},
        out);
  }

  @Test
  void maxPooling2d_samePadding_padsBottomAndRight() {
    // Pool 3, stride 2, same: output ceil(4/2)=2, one padded row/column at the bottom/right.
    FloatNdArray out = LayerTesting.predict(IMAGE_1, Input.of(4, 4, 1),
        new MaxPooling2D(new int[] {3, 3}, new int[] {2, 2}, "same", null));

    assertPooled(new long[] {1, 2, 2, 1}, new float[] {11, 12, 15, 16}, out);
  }

  @Test
  void averagePooling2d_samePadding_averagesOnlyRealValues() {
    // Windows: rows/cols {0,1,2} and {2,3}: (1+2+3+5+6+7+9+10+11)/9, (3+4+7+8+11+12)/6, (9+10+11+13+14+15)/6,
    // (11+12+15+16)/4; TensorFlow (and so Keras) leaves padding out of the count.
    FloatNdArray out = LayerTesting.predict(IMAGE_1, Input.of(4, 4, 1),
        new AveragePooling2D(new int[] {3, 3}, new int[] {2, 2}, "same", null));

    assertPooled(new long[] {1, 2, 2, 1}, new float[] {6, 7.5f, 12, 13.5f}, out);
  }

  @Test
  void globalAveragePooling2d_meansEachChannelOverHeightAndWidth() {
    FloatNdArray out = LayerTesting.predict(IMAGE, Input.of(4, 4, 2), new GlobalAveragePooling2D());

    assertPooled(new long[] {1, 2}, new float[] {8.5f, -8.5f}, out);
  }
}
