/**
 * kerasj: Keras' models, training and checkpoint formats for Java, over TensorFlow Java.
 *
 * <p>Exports the API packages; {@code dev.kerasj.internal} (the graph engine: ModelGraph, Network, TrainingGraph,
 * data conversion) is not exported, so code outside kerasj cannot depend on it.
 */
module dev.kerasj {
  requires transitive tensorflow;
  requires transitive org.tensorflow.ndarray;
  requires com.google.protobuf;
  requires com.fasterxml.jackson.databind;
  requires io.jhdf;
  requires org.slf4j;
  requires info.picocli;
  requires jdk.unsupported; // sun.misc.Signal: SIGTERM asks fit to stop at the next batch (SigtermHandler)

  exports dev.kerasj;
  exports dev.kerasj.activations;
  exports dev.kerasj.callbacks;
  exports dev.kerasj.cli;
  exports dev.kerasj.constraints;
  exports dev.kerasj.data;
  exports dev.kerasj.distribute;
  exports dev.kerasj.examples;
  exports dev.kerasj.initializers;
  exports dev.kerasj.layers;
  exports dev.kerasj.losses;
  exports dev.kerasj.metrics;
  exports dev.kerasj.models;
  exports dev.kerasj.optimizers;
  exports dev.kerasj.optimizers.schedules;
  exports dev.kerasj.regularizers;
  exports dev.kerasj.saving;
  exports dev.kerasj.saving.keras;
  exports dev.kerasj.saving.savedmodel;
  exports dev.kerasj.saving.tfcheckpoint;
  exports dev.kerasj.serving;

  // picocli reads and sets the commands' annotated fields by reflection.
  opens dev.kerasj.cli to info.picocli;
}
