package dev.kerasj.callbacks;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Tiny models and data shared by the callback tests; every random draw is seeded. */
final class TinyModels {
  static final long SEED = 7;

  private TinyModels() {}

  /** {@code Dense(1)} on one input, MSE, SGD, compiled with {@code metrics} (so its graph is built). */
  static Sequential linear(double learningRate, String... metrics) {
    Sequential model = new Sequential(Input.of(1), new Dense(1));
    model.setSeed(SEED);
    model.compile(new SGD(learningRate), new MeanSquaredError(), (Object[]) metrics);
    return model;
  }

  /** Sets the kernel and bias of a {@link #linear} model to {@code value}, to tag the weights of an epoch. */
  static void tagWeights(Sequential model, float value) {
    model.setWeights(List.of(new float[][] {{value}}, new float[] {value}));
  }

  /** The kernel of a {@link #linear} model. */
  static float kernel(Sequential model) {
    return model.getWeights().get(0).getFloat(0, 0);
  }

  /** {@code n} inputs evenly spread over [-1, 1], shape {@code [n][1]}. */
  static float[][] inputs(int n) {
    float[][] x = new float[n][1];
    for (int i = 0; i < n; i++) {
      x[i][0] = -1f + 2f * i / (n - 1);
    }
    return x;
  }

  /** {@code slope * x}, shape {@code [n][1]}. */
  static float[][] line(float[][] x, float slope) {
    float[][] y = new float[x.length][1];
    for (int i = 0; i < x.length; i++) {
      y[i][0] = slope * x[i][0];
    }
    return y;
  }

  /** Runs {@code action} with {@code System.out} captured; returns what it printed. */
  static String captureOut(Runnable action) {
    PrintStream saved = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setOut(saved);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
