/**
 * Not user API: the TensorFlow graph a model owns ({@code ModelGraph}), its layers placed in it ({@code Network}),
 * what {@code compile} adds ({@code TrainingGraph}), the fit loop and data conversion.
 */
package dev.kerasj.internal;
