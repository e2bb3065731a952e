package dev.kerasj.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * One worker's place in a synchronous data-parallel group on TensorFlow's own distributed runtime: the target of the
 * worker's TensorFlow server ({@code grpc://host:port}, see {@link ClusterServer}), this worker's task index, the
 * group size, and the collective timeout.
 *
 * <p>What it gives the graph engine: a {@link Session} bound to that target, whose graphs run on this worker's own
 * devices only ({@code device_filters}) and whose collective ops find their peers through task 0
 * ({@code experimental.collective_group_leader}); and a {@code CollectiveReduceV2} all-reduce (merge {@code Add},
 * ring) that every worker's graph adds with the same keys, in the same order.
 *
 * <p>TensorFlow Java 1.1.0's {@code Session} takes no target. The session is created by the C API
 * ({@code TF_NewSessionOptions}, {@code TF_SetTarget}, {@code TF_SetConfig}, {@code TF_NewSession} on the graph's
 * native handle) and wrapped in {@code Session}'s package-private {@code Session(Graph, TF_Session)} constructor,
 * both reached by reflection: on the class path that always works; on the module path the JVM needs
 * {@code --add-opens tensorflow/org.tensorflow=dev.kerasj}, and the error says so.
 *
 * @param target the local TensorFlow server's target, {@code grpc://host:port}
 * @param taskIndex this worker's index in the {@code worker} job (0 is the chief and the group leader)
 * @param workers the number of workers (the collective group size)
 * @param timeoutSeconds how long a collective waits for its peers before failing with {@code DEADLINE_EXCEEDED}
 */
public record Replication(String target, int taskIndex, int workers, float timeoutSeconds) {
  /** The job every task of the cluster runs in, as {@code TF_CONFIG} and Keras' strategy name it. */
  public static final String JOB = "worker";
  /** Every collective of this process's worker goes through one group: all workers, in task order. */
  static final int GROUP_KEY = 1;
  /**
   * Instance keys, one per collective op built in this process. TensorFlow remembers an instance's parameters
   * (shape, type) by key, so two models (or two compiles) must not share one; every worker builds the same graphs in
   * the same order, so every worker hands out the same keys (as Python's {@code CollectiveKeys} counter does).
   */
  private static final java.util.concurrent.atomic.AtomicInteger INSTANCE_KEYS =
      new java.util.concurrent.atomic.AtomicInteger(100);

  /** A fresh instance key for the next collective op this worker builds. */
  public static int nextInstanceKey() {
    return INSTANCE_KEYS.incrementAndGet();
  }

  public Replication {
    if (workers < 1 || taskIndex < 0 || taskIndex >= workers) {
      throw new IllegalArgumentException("Expected 0 <= taskIndex < workers. Received: taskIndex=" + taskIndex
          + ", workers=" + workers);
    }
    if (!(timeoutSeconds > 0)) {
      throw new IllegalArgumentException("Expected a positive collective timeout. Received: " + timeoutSeconds);
    }
  }

  /** The session configuration every worker of the group uses. */
  public ConfigProto sessionConfig() {
    return sessionConfig(taskIndex);
  }

  /**
   * Only task {@code taskIndex}'s devices (ops without a device land there, not on a peer), collectives led by task
   * 0, and resources (variables) private to this session, so two models in one process never share a variable.
   */
  static ConfigProto sessionConfig(int taskIndex) {
    return ConfigProto.newBuilder()
        .setAllowSoftPlacement(true)
        .addDeviceFilters("/job:" + JOB + "/task:" + taskIndex)
        .setIsolateSessionState(true)
        .setExperimental(ConfigProto.Experimental.newBuilder()
            .setCollectiveGroupLeader("/job:" + JOB + "/replica:0/task:0"))
        .build();
  }

  /** A session on {@code graph} that runs through the worker's TensorFlow server. */
  public Session openSession(Graph graph) {
    TF_Graph handle = graphHandle(graph);
    TF_Status status = TF_Status.newStatus();
    TF_SessionOptions options = tensorflow.TF_NewSessionOptions();
    try {
      tensorflow.TF_SetTarget(options, target);
      byte[] config = sessionConfig().toByteArray();
      try (BytePointer bytes = new BytePointer(config)) {
        tensorflow.TF_SetConfig(options, bytes, config.length, status);
      }
      status.throwExceptionIfNotOK();
      TF_Session session = tensorflow.TF_NewSession(handle, options, status);
      status.throwExceptionIfNotOK();
      return wrap(graph, session);
    } finally {
      tensorflow.TF_DeleteSessionOptions(options);
    }
  }

  /**
   * Sums {@code value} over every worker of the group: {@code CollectiveReduceV2} (merge {@code Add}, final
   * {@code Id}, ring). Every worker must add its all-reduces in the same order with the same {@code instanceKey}s.
   */
  public <T extends TNumber> Operand<T> allReduceSum(Ops tf, Operand<T> value, int instanceKey) {
    Output<T> out = tf.scope().opBuilder("CollectiveReduceV2", "CollectiveReduceV2")
        .addInput(value.asOutput())
        .addInput(tf.constant(workers).asOutput())
        .addInput(tf.constant(GROUP_KEY).asOutput())
        .addInput(tf.constant(instanceKey).asOutput())
        .addInputList(new Output<?>[0])
        .setAttr("merge_op", "Add")
        .setAttr("final_op", "Id")
        .setAttr("communication_hint", "ring")
        .setAttr("timeout_seconds", timeoutSeconds)
        .build()
        .output(0);
    return out;
  }

  /**
   * Task 0's value of {@code value} on every worker: a sum where every other worker contributes zeros (exact: x + 0
   * is x), so one collective kind serves both the gradients and the initial broadcast.
   */
  public <T extends TNumber> Operand<T> fromChief(Ops tf, Operand<T> value, int instanceKey) {
    Operand<T> mine = taskIndex == 0 ? value : tf.zerosLike(value);
    return allReduceSum(tf, mine, instanceKey);
  }

  /** Splits a flat vector into pieces of the given element counts. */
  static List<Operand<TFloat32>> split(Ops tf, Operand<TFloat32> flat, List<Long> sizes) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    long offset = 0;
    for (long n : sizes) {
      out.add(tf.slice(flat, tf.constant(new long[] {offset}), tf.constant(new long[] {n})));
      offset += n;
    }
    return out;
  }

  private static TF_Graph graphHandle(Graph graph) {
    try {
      Field f = Graph.class.getDeclaredField("nativeHandle");
      f.setAccessible(true);
      return (TF_Graph) f.get(graph);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw inaccessible("Graph.nativeHandle", e);
    }
  }

  private static Session wrap(Graph graph, TF_Session session) {
    try {
      Constructor<Session> c = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      c.setAccessible(true);
      return c.newInstance(graph, session);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("TensorFlow Java's Session(Graph, TF_Session) failed: " + e.getCause(),
          e.getCause());
    } catch (ReflectiveOperationException | RuntimeException e) {
      TF_Status status = TF_Status.newStatus();
      tensorflow.TF_CloseSession(session, status);
      tensorflow.TF_DeleteSession(session, status);
      throw inaccessible("Session(Graph, TF_Session)", e);
    }
  }

  private static IllegalStateException inaccessible(String what, Exception e) {
    return new IllegalStateException("A session bound to a TensorFlow server needs TensorFlow Java's " + what
        + ", which is not public in TF Java 1.1.0, and reflection could not reach it (" + e + "). On the module "
        + "path, start the JVM with --add-opens tensorflow/org.tensorflow=dev.kerasj", e);
  }
}
