/**
 * Keras 3's own file formats. {@link dev.kerasj.saving.keras.SequentialConfig} writes and reads the Keras 3 model
 * config ({@code model.to_json()}, the {@code config.json} of a {@code .keras} archive) of a
 * {@link dev.kerasj.Sequential}, with its build and compile settings, argument for argument as Keras 3.15 writes it.
 * {@link dev.kerasj.saving.keras.KerasWeights} reads and writes {@code .weights.h5} files and
 * {@link dev.kerasj.saving.keras.KerasArchive} {@code .keras} archives, both ways with Python Keras;
 * {@link dev.kerasj.saving.keras.KerasFileContents} lists and verifies either without building a model.
 */
package dev.kerasj.saving.keras;
