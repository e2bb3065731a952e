package dev.kerasj.testing;

import dev.kerasj.Sequential;
import dev.kerasj.layers.Dense;
import dev.kerasj.layers.Input;
import dev.kerasj.losses.MeanSquaredError;
import dev.kerasj.optimizers.Adagrad;
import dev.kerasj.optimizers.Adam;
import dev.kerasj.optimizers.AdamW;
import dev.kerasj.optimizers.Optimizer;
import dev.kerasj.optimizers.RMSprop;
import dev.kerasj.optimizers.SGD;
import dev.kerasj.optimizers.schedules.CosineDecay;
import dev.kerasj.optimizers.schedules.CosineDecayRestarts;
import dev.kerasj.optimizers.schedules.ExponentialDecay;
import dev.kerasj.optimizers.schedules.InverseTimeDecay;
import dev.kerasj.optimizers.schedules.LearningRateSchedule;
import dev.kerasj.optimizers.schedules.PiecewiseConstantDecay;
import dev.kerasj.optimizers.schedules.PolynomialDecay;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The training cases of {@code testdata/schedules/train/} built in Java as
 * {@code python-interop/make_schedule_train_fixtures.py} builds them in Keras:
 * {@code Sequential([Input((4,)), Dense(3)])}, loss mse, the optimizer with the schedule as its learning rate.
 */
public final class ScheduleCases {
  public static final Path DIR = Path.of("testdata", "schedules");

  private ScheduleCases() {}

  /** One case: the optimizer (its own learning rate unused) and the schedule. */
  public record Case(String name, Supplier<Optimizer> optimizer, Supplier<LearningRateSchedule> schedule) {
    /** The compiled model of this case. */
    public Sequential model() {
      Sequential model = new Sequential(Input.of(4), new Dense(3));
      model.setSeed(1);
      model.compile(optimizer.get().setLearningRateSchedule(schedule.get()), new MeanSquaredError());
      return model;
    }

    public Path bundle() {
      return DIR.resolve("train").resolve(name);
    }

    public Path kerasFile() {
      return DIR.resolve("keras").resolve(name + ".keras");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** The cases, in the generator's order. */
  public static final List<Case> CASES = List.of(
      new Case("sgd_exponential", () -> new SGD(0.01, 0.5, false), () -> new ExponentialDecay(0.1, 4, 0.6)),
      new Case("adam_piecewise", Adam::new,
          () -> new PiecewiseConstantDecay(new long[] {2, 5, 10}, new double[] {0.05, 0.02, 0.01, 0.005})),
      new Case("rmsprop_polynomial_cycle", RMSprop::new,
          () -> PolynomialDecay.builder(0.01, 4).endLearningRate(0.001).power(2.0).cycle(true).build()),
      new Case("adagrad_inverse_time_staircase", Adagrad::new, () -> new InverseTimeDecay(0.2, 2, 0.5, true)),
      new Case("adamw_cosine", () -> new AdamW(0.001, 0.01), () -> new CosineDecay(0.05, 10, 0.1)),
      new Case("adam_cosine_warmup", Adam::new,
          () -> CosineDecay.builder(0.0, 6).warmupTarget(0.05).warmupSteps(4).build()),
      new Case("sgd_cosine_restarts", SGD::new,
          () -> CosineDecayRestarts.builder(0.2, 2).tMul(1.5).mMul(0.8).alpha(0.05).build()));
}
