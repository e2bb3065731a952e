/**
 * The model contract: what callbacks and file formats know of a model ({@link dev.kerasj.models.KerasModel}) and how
 * the formats make the models they read ({@link dev.kerasj.models.ModelFactory}). {@link dev.kerasj.Model} and
 * {@link dev.kerasj.Sequential} fulfil it; the layering is blocks, then this contract, then formats and callbacks,
 * then the model façade that calls them, so no package reaches back up.
 */
package dev.kerasj.models;
