/** Weight initializers with Keras' names and defaults ({@code glorot_uniform} kernels, {@code zeros} biases). */
package dev.kerasj.initializers;
