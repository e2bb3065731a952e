/**
 * Keras 3 weight constraints ({@code keras.constraints}): projections applied to a weight right after each optimizer
 * update, {@link dev.kerasj.constraints.MaxNorm}, {@link dev.kerasj.constraints.NonNeg},
 * {@link dev.kerasj.constraints.UnitNorm}, {@link dev.kerasj.constraints.MinMaxNorm}.
 */
package dev.kerasj.constraints;
