/**
 * Saving and loading. {@link dev.kerasj.saving.DurableFiles} is the durable-write protocol every writer goes
 * through; {@link dev.kerasj.saving.KerasPaths} is how Keras 3 addresses a layer inside its own files (by class and
 * position, never by name); one sub-package per on-disk format.
 */
package dev.kerasj.saving;
