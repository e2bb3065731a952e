package dev.kerasj.saving.savedmodel;

import dev.kerasj.FitOptions;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.internal.ModelGraph;
import dev.kerasj.layers.AveragePooling2D;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.GlobalAveragePooling2D;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.MaxPooling2D;
import dev.kerasj.losses.BinaryCrossentropy;
import dev.kerasj.losses.SparseCategoricalCrossentropy;
import dev.kerasj.optimizers.Adam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The three architectures the SavedModel tests cover (the same as KerasParityTest's {@code mlp_adam_sparse},
 * {@code cnn_bn} and {@code embedding} fixtures), with seeded synthetic data. Every random draw derives from
 * {@link #SEED}.
 */
enum ModelCases {
  MLP, CNN_BN, EMBEDDING;

  static final long SEED = 20240611L;
  static final int SAMPLES = 96;

  /** A fresh, compiled model of this case. */
  Sequential build() {
    Sequential model = switch (this) {
      case MLP -> new Sequential(Input.of(64), new Dense(32, "relu"), new Dense(10, "softmax"));
      case CNN_BN -> new Sequential(Input.of(8, 8, 1),
          Conv2D.builder(8, 3, 3).padding("same").activation("relu").build(), new BatchNormalization(),
          new MaxPooling2D(2), Conv2D.builder(16, 3, 3).padding("same").activation("relu").build(),
          new AveragePooling2D(2), new GlobalAveragePooling2D(), new Dense(10, "softmax"));
      case EMBEDDING -> new Sequential(Input.of(Input.DType.INT32, 10), new Embedding(50, 8), new Flatten(),
          new Dense(1, "sigmoid"));
    };
    model.setSeed(SEED);
    if (this == EMBEDDING) {
      model.compile(new Adam(1e-2), new BinaryCrossentropy(), "accuracy");
    } else {
      model.compile(new Adam(1e-3), new SparseCategoricalCrossentropy(), "accuracy");
    }
    return model;
  }

  /** Inputs: floats in [0, 1) shaped like the model input, or token ids in [0, 50) for the Embedding case. */
  Object x(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return switch (this) {
      case MLP -> {
        float[][] x = new float[n][64];
        for (float[] row : x) {
          for (int j = 0; j < row.length; j++) {
            row[j] = (float) r.nextDouble();
          }
        }
        yield x;
      }
      case CNN_BN -> {
        float[][][][] x = new float[n][8][8][1];
        for (float[][][] img : x) {
          for (float[][] row : img) {
            for (float[] px : row) {
              px[0] = (float) r.nextDouble();
            }
          }
        }
        yield x;
      }
      case EMBEDDING -> {
        int[][] x = new int[n][10];
        for (int[] row : x) {
          for (int j = 0; j < row.length; j++) {
            row[j] = r.nextInt(50);
          }
        }
        yield x;
      }
    };
  }

  /** Labels: class ids in [0, 10), or 0/1 targets shaped {@code [n][1]} for the Embedding case. */
  Object y(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    if (this == EMBEDDING) {
      float[][] y = new float[n][1];
      for (float[] row : y) {
        row[0] = r.nextInt(2);
      }
      return y;
    }
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(10);
    }
    return y;
  }

  /** Trains {@code model} on this case's data, epochs {@code [from, to)}, batch 16, seeded shuffle. */
  void fit(Sequential model, int from, int to) {
    model.fit(x(SAMPLES, SEED), y(SAMPLES, SEED), FitOptions.builder().epochs(to).initialEpoch(from).batchSize(16)
        .seed(SEED).verbose(0).build());
  }

  /** Every variable of the model graph (weights and optimizer state) by key. */
  static Map<String, HostArray> variables(Sequential model) {
    ModelGraph graph = model.graphForInternalUse();
    List<ModelGraph.VariableSlot> slots = graph.variables();
    List<HostArray> values = graph.read(slots);
    Map<String, HostArray> out = new LinkedHashMap<>();
    for (int i = 0; i < slots.size(); i++) {
      out.put(slots.get(i).name(), values.get(i));
    }
    return out;
  }
}
