/** Keras 3 optimizers with Keras' defaults and update rules, learning rate and iterations held in variables. */
package dev.kerasj.optimizers;
