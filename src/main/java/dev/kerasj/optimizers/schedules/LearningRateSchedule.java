package dev.kerasj.optimizers.schedules;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras' {@code LearningRateSchedule}: the learning rate as a function of the optimizer's step counter. The graph
 * computes it from the {@code iterations} variable (the number of steps applied before the current one, as Keras
 * passes {@code optimizer.iterations}), so a run restored from a checkpoint continues the schedule instead of
 * restarting it (tensorflow/tensorflow#47115, #49208).
 *
 * <p>Keras 3.15's six schedule classes are here: {@link ExponentialDecay}, {@link PiecewiseConstantDecay},
 * {@link PolynomialDecay}, {@link InverseTimeDecay}, {@link CosineDecay} (with warmup), {@link CosineDecayRestarts}.
 */
public interface LearningRateSchedule {
  /** The learning rate for a step, as a float32 scalar computed from {@code step} (int64 scalar). */
  Operand<TFloat32> call(Ops tf, Operand<TInt64> step);

  /** The same value computed on the host in double precision, for messages and tests. */
  double valueAt(long step);

  /** Keras' {@code name} argument (its default is the schedule's own, such as {@code "ExponentialDecay"}). */
  String name();
}
