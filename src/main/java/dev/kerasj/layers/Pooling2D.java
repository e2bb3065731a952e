package dev.kerasj.layers;

import java.util.Arrays;

/** Shared shape logic of {@link MaxPooling2D} and {@link AveragePooling2D} (channels-last). */
abstract class Pooling2D extends Layer {
  final int[] poolSize;
  final int[] strides;
  final Padding padding;

  Pooling2D(int[] poolSize, int[] strides, String padding, String name) {
    super(name, null);
    int[] s = strides == null ? poolSize : strides;
    if (poolSize.length != 2 || s.length != 2 || Arrays.stream(poolSize).anyMatch(v -> v <= 0)
        || Arrays.stream(s).anyMatch(v -> v <= 0)) {
      throw new IllegalArgumentException(
          "Pooling expects two positive pool sizes and strides. Received: poolSize=" + Arrays.toString(poolSize)
              + ", strides=" + Arrays.toString(s));
    }
    this.poolSize = poolSize.clone();
    this.strides = s.clone();
    this.padding = Padding.get(padding);
  }

  public int[] poolSize() {
    return poolSize.clone();
  }

  public int[] strides() {
    return strides.clone();
  }

  public Padding padding() {
    return padding;
  }

  @Override
  public long[] computeOutputShape(long[] in) {
    if (in.length != 3) {
      throw shapeError("expects input of rank 4 (batch, height, width, channels)", in);
    }
    long h = padding.outputLength(in[0], poolSize[0], strides[0]);
    long w = padding.outputLength(in[1], poolSize[1], strides[1]);
    if (h <= 0 || w <= 0) {
      throw shapeError("cannot pool " + poolSize[0] + "x" + poolSize[1] + "; the output would be empty", in);
    }
    return new long[] {h, w, in[2]};
  }
}
