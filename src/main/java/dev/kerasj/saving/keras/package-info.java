/**
 * Keras 3's own file formats. {@link dev.kerasj.saving.keras.SequentialConfig} writes and reads the Keras 3 model
 * config ({@code model.to_json()}, the {@code config.json} of a {@code .keras} archive) of a
 * {@link dev.kerasj.Sequential}, with its build and compile settings, argument for argument as Keras 3.15 writes it.
 */
package dev.kerasj.saving.keras;
