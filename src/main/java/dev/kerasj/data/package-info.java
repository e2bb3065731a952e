/**
 * Input pipelines run by TensorFlow's own tf.data runtime: {@link dev.kerasj.data.Dataset}, built from Java arrays
 * or from TFRecord files of {@code tf.train.Example} ({@link dev.kerasj.data.Feature} says how to parse them), with
 * Keras' transformations ({@code shuffle}, {@code batch}, {@code repeat}, {@code take}, {@code skip}, {@code cache},
 * {@code prefetch}) and maps over features built from TF ops ({@link dev.kerasj.data.Transforms}). {@code fit},
 * {@code evaluate} and {@code predict} accept a {@code Dataset} in place of arrays.
 */
package dev.kerasj.data;
