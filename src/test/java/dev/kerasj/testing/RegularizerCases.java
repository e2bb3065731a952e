package dev.kerasj.testing;

import dev.kerasj.Sequential;
import dev.kerasj.constraints.Constraint;
import dev.kerasj.constraints.MaxNorm;
import dev.kerasj.constraints.MinMaxNorm;
import dev.kerasj.constraints.NonNeg;
import dev.kerasj.constraints.UnitNorm;
import dev.kerasj.layers.BatchNormalization;
import dev.kerasj.layers.Conv2D;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Embedding;
import dev.kerasj.layers.Flatten;
import dev.kerasj.layers.Input;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.regularizers.L1;
import dev.kerasj.regularizers.L1L2;
import dev.kerasj.regularizers.L2;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The cases of {@code testdata/regularizers/} built in Java as {@code python-interop/make_regularizer_fixtures.py}
 * builds them in Keras: the regularizer or constraint of each value case, and the compiled model of each training
 * case (loss {@code "mse"}).
 */
public final class RegularizerCases {
  public static final Path DIR = Path.of("testdata", "regularizers");

  private RegularizerCases() {}

  /** One training case: its model, before weights are set; {@code intIds} when its x holds int32 token ids. */
  public record Case(String name, Supplier<Sequential> model, boolean intIds) {
    public Case(String name, Supplier<Sequential> model) {
      this(name, model, false);
    }

    /** The dtype of the bundle's {@code x} and {@code x_val}. */
    public Class<? extends org.tensorflow.types.family.TType> xDtype() {
      return intIds ? org.tensorflow.types.TInt32.class : org.tensorflow.types.TFloat32.class;
    }

    public Path bundle() {
      return DIR.resolve("train").resolve(name);
    }

    /** The Python-written {@code .keras} file of this case (after fit). */
    public Path kerasFile() {
      return DIR.resolve("keras").resolve(name + ".keras");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Sequential compiled(Optimizer optimizer, Input input, dev.kerasj.layers.Layer... layers) {
    dev.kerasj.layers.Layer[] all = new dev.kerasj.layers.Layer[layers.length + 1];
    all[0] = input;
    System.arraycopy(layers, 0, all, 1, layers.length);
    Sequential model = new Sequential(all);
    model.setSeed(1);
    model.compile(optimizer, "mse");
    return model;
  }

  /** The training cases, in the generator's order. */
  public static final List<Case> CASES = List.of(
      new Case("dense_l2_kernel", () -> compiled(new SGD(0.05), Input.of(4),
          Dense.builder(6).activation("relu").kernelRegularizer(new L2(0.05)).build(),
          Dense.builder(3).kernelRegularizer(new L2(0.01)).build())),
      new Case("dense_l1_l1l2_bias", () -> compiled(new SGD(0.05), Input.of(4),
          Dense.builder(3).kernelRegularizer(new L1(0.02)).biasRegularizer(new L1L2(0.01, 0.03)).build())),
      new Case("dense_activity", () -> compiled(new Adam(0.01), Input.of(4),
          Dense.builder(6).activation("relu").activityRegularizer(new L1(0.01)).build(),
          Dense.builder(3).activityRegularizer(new L2(0.02)).build())),
      new Case("dense_constraints", () -> compiled(new SGD(0.1), Input.of(4),
          Dense.builder(6).activation("tanh").kernelConstraint(new MaxNorm(0.6)).biasConstraint(new NonNeg()).build(),
          Dense.builder(3).kernelConstraint(new UnitNorm())
              .biasConstraint(MinMaxNorm.builder().minValue(0.1).maxValue(0.5).rate(0.7).build()).build())),
      new Case("conv2d", () -> compiled(new Adam(0.01), Input.of(5, 5, 1),
          Conv2D.builder(2, 3, 3).activation("relu").kernelRegularizer(new L2(0.01)).biasRegularizer(new L1(0.01))
              .activityRegularizer(new L2(0.001)).kernelConstraint(new MaxNorm(1.0, 0, 1, 2))
              .biasConstraint(new NonNeg()).build(),
          new Flatten(),
          Dense.builder(3).kernelRegularizer(new L1L2(0.001, 0.01))
              .kernelConstraint(MinMaxNorm.builder().minValue(0.2).maxValue(0.8).rate(0.5).build()).build())),
      new Case("batch_norm", () -> compiled(new SGD(0.1), Input.of(4), new Dense(6),
          BatchNormalization.builder().betaRegularizer(new L1(0.01)).gammaRegularizer(new L2(0.02))
              .betaConstraint(new MaxNorm(0.1)).gammaConstraint(new MinMaxNorm(0.5, 2.0)).build(),
          new Dense(3))),
      new Case("embedding", () -> compiled(new Adam(0.01), Input.of(Input.DType.INT32, 5),
          Embedding.builder(10, 4).embeddingsRegularizer(new L2(0.05)).activityRegularizer(new L1(0.01))
              .embeddingsConstraint(new UnitNorm(1)).build(),
          new Flatten(), new Dense(3)), true));

  /** The value cases: a {@link dev.kerasj.regularizers.Regularizer} or a {@link Constraint}, by case name. */
  public static Map<String, Supplier<Object>> valueCases() {
    Map<String, Supplier<Object>> m = new LinkedHashMap<>();
    m.put("l1", () -> new L1(0.03));
    m.put("l1_default", L1::new);
    m.put("l2", () -> new L2(0.2));
    m.put("l2_default", L2::new);
    m.put("l1l2", () -> new L1L2(0.01, 0.05));
    m.put("l1l2_l1_only", () -> new L1L2(0.3, 0));
    m.put("max_norm", () -> new MaxNorm(1.5));
    m.put("max_norm_axis1", () -> new MaxNorm(0.7, 1));
    m.put("max_norm_conv_axes", () -> new MaxNorm(1.0, 0, 1, 2));
    m.put("non_neg", NonNeg::new);
    m.put("unit_norm", UnitNorm::new);
    m.put("unit_norm_axis1", () -> new UnitNorm(1));
    m.put("min_max_norm", () -> MinMaxNorm.builder().minValue(0.5).maxValue(1.2).rate(0.6).build());
    m.put("min_max_norm_axis1", () -> MinMaxNorm.builder().minValue(1.0).maxValue(2.0).rate(1.0).axis(1).build());
    return m;
  }
}
