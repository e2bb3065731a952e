/**
 * Keras layers: {@link dev.kerasj.layers.Layer} is the contract (shape, weights, forward graph); the classes here
 * are Keras' built-ins with Keras' names, defaults and weight order.
 */
package dev.kerasj.layers;
