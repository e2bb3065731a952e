/** Keras' built-in activation functions ({@code relu}, {@code softmax}, {@code gelu}, ...). */
package dev.kerasj.activations;
