package dev.kerasj.testing;

import dev.kerasj.CompileOptions;
import dev.kerasj.Model;
import dev.kerasj.Sequential;
import dev.kerasj.internal.HostArray;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.GRU;
import dev.kerasj.layers.Input;
import dev.kerasj.layers.KerasTensor;
import dev.kerasj.layers.LSTM;
import dev.kerasj.layers.Masking;
import dev.kerasj.metrics.AUC;
import dev.kerasj.metrics.Precision;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.SGD;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The models of {@code testdata/weights/} built and compiled in Java as {@code python-interop/make_weight_fixtures.py}
 * builds them in Keras (layer names, optimizers, losses, metrics and weighted metrics), for the parity and file tests.
 */
public final class WeightCases {
  /** Where the fixtures are, relative to the repository root (the tests' working directory). */
  public static final Path DIR = Path.of("testdata", "weights");
  private static final String SPARSE_CE = "sparse_categorical_crossentropy";

  private WeightCases() {}

  /** The case's tensor bundle prefix. */
  public static Path bundle(String name) {
    return DIR.resolve(name);
  }

  /** The digits MLP, {@code Dense(32, relu)} then {@code Dense(10, softmax)}, uncompiled. */
  public static Sequential mlp() {
    return new Sequential(Input.of(64), new Dense(32, "relu"), new Dense(10, "softmax"));
  }

  /** Case {@code sample_weight}: Adam(1e-3), sparse CE, accuracy unweighted and weighted. */
  public static Sequential sampleWeight() {
    Sequential m = mlp();
    m.compile(CompileOptions.builder(new Adam(1e-3), SPARSE_CE).metrics("accuracy").weightedMetrics("accuracy")
        .build());
    return m;
  }

  /** Case {@code class_weight}: SGD(0.1), categorical CE, accuracy, and weighted accuracy, AUC and Precision. */
  public static Sequential classWeight() {
    Sequential m = mlp();
    m.compile(CompileOptions.builder(new SGD(0.1), "categorical_crossentropy").metrics("accuracy")
        .weightedMetrics("accuracy", AUC.builder().name("auc").build(), Precision.builder().name("precision").build())
        .build());
    return m;
  }

  /** Case {@code two_output}: trunk, digit and value heads, per-output losses, loss weights and weighted metrics. */
  public static Model twoOutput() {
    KerasTensor pixels = Input.tensor("pixels", 64);
    KerasTensor h = Dense.builder(32).activation("relu").name("trunk").build().apply(pixels);
    KerasTensor digit = Dense.builder(10).activation("softmax").name("digit").build().apply(h);
    KerasTensor value = Dense.builder(1).name("value").build().apply(h);
    Model m = new Model(List.of(pixels), List.of(digit, value));
    m.compile(CompileOptions.builder(new SGD(0.05, 0.9, false), Map.of("digit", SPARSE_CE, "value", "mse"))
        .lossWeights(Map.of("digit", 1.0, "value", 0.5)).metrics(Map.of("digit", List.of("accuracy")))
        .weightedMetrics(Map.of("digit", List.of("accuracy"), "value", List.of("mae"))).build());
    return m;
  }

  /** Case {@code sequence}: 8 steps of 8 pixels, Dense(8, tanh), Dense(1), SGD(0.1), mse, mae both ways. */
  public static Sequential sequence() {
    Sequential m = new Sequential(Input.of(8, 8), new Dense(8, "tanh"), new Dense(1));
    m.compile(CompileOptions.builder(new SGD(0.1), "mse").metrics("mae").weightedMetrics("mae").build());
    return m;
  }

  /**
   * Case {@code masked_sequence}: Embedding(20, 6, maskZero) -> LSTM(5, returnSequences) -> Dense(3, softmax) per
   * step, Adam(1e-2), sparse CE, accuracy unweighted and weighted: the output carries the Embedding's mask.
   */
  public static Sequential maskedSequence() {
    Sequential m = new Sequential(Input.of(Input.DType.INT32, 10), Embedding.builder(20, 6).maskZero(true).build(),
        LSTM.builder(5).returnSequences(true).build(), new Dense(3, "softmax"));
    m.compile(CompileOptions.builder(new Adam(1e-2), SPARSE_CE).metrics("accuracy").weightedMetrics("accuracy")
        .build());
    return m;
  }

  /**
   * Case {@code masked_binary_steps}: Masking -> GRU(4, returnSequences) -> Dense(1, sigmoid) per step, Adam(1e-2),
   * binary CE, accuracy unweighted, weighted accuracy and Precision: the output carries the Masking mask.
   */
  public static Sequential maskedBinarySteps() {
    Sequential m = new Sequential(Input.of(10, 3), new Masking(), GRU.builder(4).returnSequences(true).build(),
        new Dense(1, "sigmoid"));
    m.compile(CompileOptions.builder(new Adam(1e-2), "binary_crossentropy").metrics("accuracy")
        .weightedMetrics("accuracy", Precision.builder().name("precision").build()).build());
    return m;
  }

  /** One-hot rows of 10 classes. */
  public static float[][] oneHot(int[] labels) {
    float[][] out = new float[labels.length][10];
    for (int i = 0; i < labels.length; i++) {
      out[i][labels[i]] = 1f;
    }
    return out;
  }

  /** label / 9 as float32, shaped [n, 1], as the generator computes it (float64 division, then float32). */
  public static float[][] scaled(HostArray labels) {
    int[] v = labels.ints();
    float[][] out = new float[v.length][1];
    for (int i = 0; i < v.length; i++) {
      out[i][0] = (float) (v[i] / 9.0);
    }
    return out;
  }
}
