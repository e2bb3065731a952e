/** Keras losses with Keras' formulas and {@code sum_over_batch_size} reduction. */
package dev.kerasj.losses;
