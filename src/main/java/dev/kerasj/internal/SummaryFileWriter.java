package dev.kerasj.internal;

import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.proto.SummaryMetadata;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * One TensorBoard event file written by TensorFlow's own summary ops ({@code CreateSummaryFileWriter},
 * {@code WriteSummary}, {@code WriteGraphSummary}), the ops Python's {@code tf.summary.create_file_writer} /
 * {@code tf.summary.scalar} / {@code tf.summary.graph} run. The ops live in a small graph and session of their own,
 * so the model's graph (and the SavedModels exported from it) never contains summary ops.
 *
 * <p>The file is {@code logdir/events.out.tfevents.<time>.<host>.<pid>.<n>.v2} like Python's. Not thread-safe; one
 * owner closes it.
 */
public final class SummaryFileWriter implements AutoCloseable {
  /** Python {@code create_file_writer}'s defaults: queue of 10 events, flush every 120 s, suffix {@code .v2}. */
  private static final int MAX_QUEUE = 10;
  private static final int FLUSH_MILLIS = 120_000;
  private static final String FILENAME_SUFFIX = ".v2";

  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TInt64> step;
  private final Placeholder<TString> tag;
  private final Placeholder<TString> metadata;
  private final Placeholder<TFloat32> scalar;
  private final Placeholder<TFloat64> matrix;
  private final Placeholder<TString> text;
  private final Placeholder<TString> graphDef;
  private final Op writeScalar;
  private final Op writeMatrix;
  private final Op writeText;
  private final Op writeGraph;
  private final Op flush;
  private final Op closeWriter;
  private boolean closed;

  /** Creates {@code logdir} (TensorFlow does) and opens a new event file in it. */
  public SummaryFileWriter(Path logdir) {
    Ops tf = Ops.create(graph);
    SummaryWriter writer = tf.withName("writer").summary.summaryWriter(SummaryWriter.sharedName("kerasj_writer"));
    Op create = tf.summary.createSummaryFileWriter(writer, tf.constant(logdir.toString()), tf.constant(MAX_QUEUE),
        tf.constant(FLUSH_MILLIS), tf.constant(FILENAME_SUFFIX));
    step = tf.withName("step").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    tag = tf.withName("tag").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    metadata = tf.withName("metadata").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    scalar = tf.withName("scalar").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    matrix = tf.withName("matrix").placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, 3)));
    text = tf.withName("text").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    graphDef = tf.withName("graph_def").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    writeScalar = write(tf, writer, scalar);
    writeMatrix = write(tf, writer, matrix);
    writeText = write(tf, writer, text);
    writeGraph = tf.summary.writeGraphSummary(writer, step, graphDef);
    flush = tf.summary.flushSummaryWriter(writer);
    closeWriter = tf.summary.closeSummaryWriter(writer);
    session = new Session(graph);
    session.runner().addTarget(create).run();
  }

  private Op write(Ops tf, SummaryWriter writer, Operand<? extends TType> tensor) {
    return tf.summary.writeSummary(writer, step, tensor, tag, metadata);
  }

  /** Writes a float32 scalar, as {@code tf.summary.scalar} does (plugin {@code scalars}). */
  public void scalar(String tagName, double value, long stepValue, SummaryMetadata meta) {
    try (TFloat32 v = TFloat32.scalarOf((float) value)) {
      run(writeScalar, scalar, v, tagName, stepValue, meta);
    }
  }

  /** Writes a float64 {@code [k, 3]} tensor, the layout {@code tf.summary.histogram} writes (plugin {@code histograms}). */
  public void matrix(String tagName, double[][] rows, long stepValue, SummaryMetadata meta) {
    try (TFloat64 v = TFloat64.tensorOf(StdArrays.ndCopyOf(rows.length == 0 ? new double[0][3] : rows))) {
      run(writeMatrix, matrix, v, tagName, stepValue, meta);
    }
  }

  /** Writes a string scalar (e.g. Keras' {@code keras} model-config summary). */
  public void text(String tagName, String value, long stepValue, SummaryMetadata meta) {
    try (TString v = TString.scalarOf(value)) {
      run(writeText, text, v, tagName, stepValue, meta);
    }
  }

  /** Writes a serialized {@code GraphDef} as an event's {@code graph_def}, as {@code tf.summary.graph} does. */
  public void graph(byte[] serializedGraphDef, long stepValue) {
    checkOpen();
    try (TInt64 s = TInt64.scalarOf(stepValue);
        TString g = TString.tensorOfBytes(NdArrays.scalarOfObject(serializedGraphDef))) {
      session.runner().feed(step, s).feed(graphDef, g).addTarget(writeGraph).run();
    }
  }

  private <T extends TType> void run(Op op, Placeholder<T> feed, T value, String tagName, long stepValue,
      SummaryMetadata meta) {
    checkOpen();
    try (TInt64 s = TInt64.scalarOf(stepValue);
        TString t = TString.scalarOf(tagName);
        TString m = TString.tensorOfBytes(NdArrays.scalarOfObject(meta.toByteArray()))) {
      session.runner().feed(step, s).feed(tag, t).feed(metadata, m).feed(feed, value).addTarget(op).run();
    }
  }

  /** Pushes queued events to the file. */
  public void flush() {
    checkOpen();
    session.runner().addTarget(flush).run();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("This SummaryFileWriter is closed");
    }
  }

  /** Flushes and closes the event file; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.runner().addTarget(closeWriter).run();
    } finally {
      session.close();
      graph.close();
    }
  }
}
