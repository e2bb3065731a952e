/** Runnable examples; {@link dev.kerasj.examples.TrainDigits} is the repository's main job. */
package dev.kerasj.examples;
