/**
 * Training across processes on TensorFlow's distributed runtime: {@link dev.kerasj.distribute.TfConfig} (the
 * {@code TF_CONFIG} JSON) and {@link dev.kerasj.distribute.MultiWorkerMirroredStrategy}.
 */
package dev.kerasj.distribute;
