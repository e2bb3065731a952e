/**
 * Keras' learning-rate schedules ({@code ExponentialDecay}, {@code CosineDecay}, {@code PiecewiseConstantDecay}):
 * graph functions of the optimizer's saved step counter, set with
 * {@link dev.kerasj.optimizers.Optimizer#setLearningRateSchedule}.
 */
package dev.kerasj.optimizers.schedules;
