/**
 * Keras 3 weight and activity regularizers ({@code keras.regularizers}): penalties a layer adds to the training
 * loss, {@link dev.kerasj.regularizers.L1}, {@link dev.kerasj.regularizers.L2}, {@link dev.kerasj.regularizers.L1L2}.
 */
package dev.kerasj.regularizers;
