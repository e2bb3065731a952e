/**
 * Saving and loading. {@link dev.kerasj.saving.DurableFiles} is the durable-write protocol every writer goes
 * through; one sub-package per on-disk format.
 */
package dev.kerasj.saving;
