package dev.kerasj.callbacks;

import org.tensorflow.ndarray.FloatNdArray;

/**
 * The bucket layout of Python's {@code tf.summary.histogram} (TensorBoard's {@code histogram/summary_v2._buckets}):
 * {@code k} rows of {@code [left edge, right edge, count]} over {@code [min, max]} of the values, as float64.
 */
final class Histogram {
  private Histogram() {}

  /** Buckets of {@code values}, exactly as {@code tf.summary.histogram(..., buckets=bucketCount)} computes them. */
  static double[][] buckets(FloatNdArray values, int bucketCount) {
    double[] data = new double[(int) values.size()];
    int[] n = {0};
    values.scalars().forEach(s -> data[n[0]++] = s.getFloat());
    double[][] rows = new double[bucketCount][3];
    if (data.length == 0 || bucketCount == 0) {
      return rows;
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double d : data) {
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    double range = max - min;
    if (range == 0) {
      for (double[] row : rows) {
        row[0] = max;
        row[1] = max;
      }
      rows[bucketCount - 1][2] = data.length;
      return rows;
    }
    double width = range / bucketCount;
    for (double d : data) {
      int i = Math.min((int) Math.floor((d - min) / width), bucketCount - 1);
      rows[i][2]++;
    }
    double step = (max - min) / bucketCount;   // tf.linspace(min, max, k + 1), last edge pinned to max
    for (int i = 0; i < bucketCount; i++) {
      rows[i][0] = min + i * step;
      rows[i][1] = i + 1 == bucketCount ? max : min + (i + 1) * step;
    }
    return rows;
  }
}
