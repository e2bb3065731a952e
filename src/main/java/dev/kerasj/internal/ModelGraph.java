package dev.kerasj.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.family.TType;

/**
 * Owns one model's TensorFlow {@link Graph} and {@link Session} and every variable in it (layer weights and
 * optimizer state).
 *
 * <p>Variables are old-style {@code VariableV2} ops (the only kind {@code Session.save} and gradient code see, see
 * DESIGN.md section 3). Each has a placeholder-fed {@code Assign}, the single path by which values enter a variable:
 * initialization, {@code setWeights} and checkpoint restore all use it. The graph may grow after the session exists
 * (compile after build); {@link #initializeNew()} initializes variables added since the last call.
 */
public final class ModelGraph implements AutoCloseable {
  /** A variable of the graph with the ops that read and write it. */
  public record VariableSlot(
      String name, long[] shape, Class<? extends TType> dtype, Operand<?> variable, Placeholder<?> feed, Op assign,
      Supplier<HostArray> initialValue) {}

  private final Graph graph;
  private final Ops tf;
  private final String device;
  private final Map<String, VariableSlot> variables = new LinkedHashMap<>();
  private final List<VariableSlot> uninitialized = new ArrayList<>();
  private final Map<Class<?>, Object> attachments = new java.util.HashMap<>();
  private Session session;
  private Replication replication;
  private boolean closed;

  /**
   * @param device a TensorFlow device such as {@code "/GPU:0"}, or null for TensorFlow's default placement; with a
   *     device, soft placement lets ops without a kernel there fall back to the CPU
   */
  public ModelGraph(String device) {
    DeviceSpec spec = device == null ? null : DeviceSpec.newBuilder()
        .deviceType(parseDeviceType(device)).deviceIndex(parseDeviceIndex(device)).build();
    this.graph = new Graph();
    this.device = device;
    Ops root = Ops.create(graph);
    this.tf = spec == null ? root : root.withDevice(spec);
  }

  /** Throws {@link IllegalArgumentException} unless {@code device} is null or like {@code "/GPU:0"}. */
  public static void checkDevice(String device) {
    if (device != null) {
      parseDeviceType(device);
      parseDeviceIndex(device);
    }
  }

  private static DeviceSpec.DeviceType parseDeviceType(String device) {
    String d = device.toUpperCase(java.util.Locale.ROOT);
    if (d.contains("GPU")) {
      return DeviceSpec.DeviceType.GPU;
    }
    if (d.contains("CPU")) {
      return DeviceSpec.DeviceType.CPU;
    }
    throw new IllegalArgumentException("Expected a device like \"/GPU:0\" or \"/CPU:0\". Received: " + device);
  }

  private static int parseDeviceIndex(String device) {
    int colon = device.lastIndexOf(':');
    if (colon < 0) {
      return 0;
    }
    try {
      return Integer.parseInt(device.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Expected a device like \"/GPU:0\" or \"/CPU:0\". Received: " + device);
    }
  }

  /** Root ops (with the device, if any). */
  public Ops tf() {
    checkOpen();
    return tf;
  }

  public Graph graph() {
    checkOpen();
    return graph;
  }

  /** The device requested for this model, or null. */
  public String device() {
    return device;
  }

  /**
   * Adds a variable named {@code <scope>/<name>} and its assign path.
   *
   * @param scoped ops already scoped under the owner's name (a layer or the optimizer)
   * @param path the variable's key in this graph, unique, such as {@code dense/kernel}
   */
  public <T extends TType> Variable<T> addVariable(
      Ops scoped, String name, String path, long[] shape, Class<T> dtype, Supplier<HostArray> initialValue) {
    checkOpen();
    if (variables.containsKey(path)) {
      throw new IllegalStateException("Duplicate variable '" + path + "'");
    }
    Variable<T> var = scoped.withName(name).variable(Shape.of(shape), dtype);
    Placeholder<T> feed = scoped.withName(name + "_value").placeholder(dtype, Placeholder.shape(Shape.of(shape)));
    Op assign = scoped.withName(name + "_assign").assign(var, feed);
    VariableSlot slot = new VariableSlot(path, shape.clone(), dtype, var, feed, assign, initialValue);
    variables.put(path, slot);
    uninitialized.add(slot);
    return var;
  }

  /** All variables, in creation order. */
  public List<VariableSlot> variables() {
    return List.copyOf(variables.values());
  }

  public VariableSlot variable(String path) {
    VariableSlot s = variables.get(path);
    if (s == null) {
      throw new IllegalArgumentException("No variable '" + path + "'. Known: " + variables.keySet());
    }
    return s;
  }

  /**
   * State another component keeps for this graph, such as a cached save subgraph; it lives and dies with the graph
   * (no static caches keyed by graphs). Null when none was attached.
   */
  public synchronized <T> T attachment(Class<T> type) {
    return type.cast(attachments.get(type));
  }

  /** Attaches (or replaces) the state of {@code type}; see {@link #attachment}. */
  public synchronized <T> void attach(Class<T> type, T value) {
    attachments.put(type, value);
  }

  /** The session, created on first use. */
  public Session session() {
    checkOpen();
    if (session == null) {
      if (replication != null) {
        session = replication.openSession(graph);
      } else {
        ConfigProto config = ConfigProto.newBuilder().setAllowSoftPlacement(true).build();
        session = new Session(graph, config);
      }
    }
    return session;
  }

  /**
   * Runs this graph on a worker of a data-parallel group (see {@link Replication}): the session goes through the
   * worker's TensorFlow server. Must be called before the session exists.
   */
  public void replicate(Replication replication) {
    if (session != null) {
      throw new IllegalStateException("The model graph's session already exists; replicate before first use");
    }
    this.replication = replication;
  }

  /** The group this graph trains in, or null for a single process. */
  public Replication replication() {
    return replication;
  }

  /** Runs the initial-value assignment of every variable created since the last call. */
  public void initializeNew() {
    if (uninitialized.isEmpty()) {
      return;
    }
    Map<VariableSlot, HostArray> values = new LinkedHashMap<>();
    for (VariableSlot s : uninitialized) {
      values.put(s, s.initialValue().get());
    }
    assign(values);
    uninitialized.clear();
  }

  /** Writes values into variables in one session run. Shapes must match exactly. */
  public void assign(Map<VariableSlot, HostArray> values) {
    List<Tensor> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session().runner();
      for (Map.Entry<VariableSlot, HostArray> e : values.entrySet()) {
        VariableSlot s = e.getKey();
        HostArray v = e.getValue();
        if (!java.util.Arrays.equals(s.shape(), v.shape())) {
          throw new IllegalArgumentException(
              "Variable '" + s.name() + "' has shape " + java.util.Arrays.toString(s.shape()) + ". Received: a value "
                  + "of shape " + java.util.Arrays.toString(v.shape()));
        }
        Tensor t = Tensors.of(v, s.dtype());
        tensors.add(t);
        runner.feed(s.feed(), t);
        runner.addTarget(s.assign());
      }
      runner.run().close();
    } finally {
      tensors.forEach(Tensor::close);
    }
  }

  /** Reads variables in one session run, in the order given. */
  public List<HostArray> read(List<VariableSlot> slots) {
    if (slots.isEmpty()) {
      return List.of();
    }
    Session.Runner runner = session().runner();
    for (VariableSlot s : slots) {
      runner.fetch(s.variable());
    }
    List<HostArray> out = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < slots.size(); i++) {
        out.add(Tensors.toHost(r.get(i)));
      }
    }
    return out;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("The model's TensorFlow graph is closed");
    }
  }

  public boolean isClosed() {
    return closed;
  }

  /** Closes the session and graph; idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
