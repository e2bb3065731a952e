/**
 * Keras' learning-rate schedules ({@code ExponentialDecay}, {@code PiecewiseConstantDecay}, {@code PolynomialDecay},
 * {@code InverseTimeDecay}, {@code CosineDecay} with warmup, {@code CosineDecayRestarts}):
 * graph functions of the optimizer's saved step counter, set with
 * {@link dev.kerasj.optimizers.Optimizer#setLearningRateSchedule}.
 */
package dev.kerasj.optimizers.schedules;
