/** Keras metrics, each declaring whether higher is better; {@code "accuracy"} is resolved like Keras 3. */
package dev.kerasj.metrics;
