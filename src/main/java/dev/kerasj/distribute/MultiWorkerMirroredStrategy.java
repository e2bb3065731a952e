package dev.kerasj.distribute;

import dev.kerasj.internal.ClusterServer;
import dev.kerasj.models.WorkerRole;
import java.time.Duration;

/**
 * Synchronous data-parallel training across processes on TensorFlow's own distributed runtime, Keras'
 * {@code tf.distribute.MultiWorkerMirroredStrategy}: configured from the same {@code TF_CONFIG}, each worker runs a
 * TensorFlow gRPC server, every training step all-reduces the gradients with TensorFlow's {@code CollectiveReduceV2}
 * (ring), and every worker applies the same update, so all end with identical weights.
 *
 * <pre>{@code
 * MultiWorkerMirroredStrategy strategy = MultiWorkerMirroredStrategy.fromEnvironment();   // reads TF_CONFIG
 * Sequential model = new Sequential(Input.of(64), new Dense(64, "relu"), new Dense(10, "softmax"));
 * model.setDistributeStrategy(strategy);          // before the model is built, like Keras' strategy.scope()
 * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * model.fit(x, y, FitOptions.builder().batchSize(64).callbacks(new BackupAndRestore(sharedDir)).build());
 * }</pre>
 *
 * <p><b>Data.</b> Every worker passes the same arrays to {@code fit}; {@code batchSize} is the global batch. Each
 * global batch is cut into contiguous slices, worker i taking the i-th (tf.distribute's rebatch of a batched dataset
 * for a batch the worker count divides); the step's loss, metrics and gradients are those of the global batch, so a
 * run equals a single-process run over the same global batches. Initial weights, optimizer state and the shuffle seed
 * are the chief's (Keras broadcasts initial values from worker 0). Sample and class weights: each worker feeds its
 * slice's, and the run still equals one process with the same weights.
 *
 * <p><b>State updated in the step</b> (BatchNormalization's moving statistics): local to each worker, as in Keras,
 * which creates it with aggregation {@code none} so that tf.distribute assigns only the worker's own copy. Each
 * worker normalizes with its own slice's batch statistics and updates its moving statistics from them; the
 * trainable weights stay identical, the moving statistics differ between workers, and the chief's are the ones its
 * files hold. {@code fit}'s validation logs are the chief's on every worker, so callbacks decide alike.
 *
 * <p><b>Files.</b> {@code ModelCheckpoint} and {@code BackupAndRestore} write their files on the chief only; other
 * workers write to a {@code workertemp_<i>} directory they delete, as tf.keras does. A resumed run restores the
 * chief's backup on every worker, so the backup directory must be shared (or be the same path on one machine).
 *
 * <p><b>Faults.</b> A collective waits at most {@link Builder#collectiveTimeout} for its peers: when a worker dies,
 * the others' next step fails with TensorFlow's {@code DEADLINE_EXCEEDED} ("Collective has timed out during
 * execution") instead of hanging. Relaunch every worker to resume from the chief's backup.
 *
 * <p>The TensorFlow server lives until the process exits (TensorFlow cannot stop one); one process is one worker.
 * Several models may train one after the other in a worker: each collective gets its own TensorFlow instance key,
 * handed out in the order graphs are built, so every worker must build its models in the same order (running the
 * same program does; building models concurrently on several threads does not).
 */
public final class MultiWorkerMirroredStrategy {
  /** A collective's default wait for its peers before failing the step. Keras sets none (it can hang forever). */
  public static final Duration DEFAULT_COLLECTIVE_TIMEOUT = Duration.ofSeconds(60);

  private static final ThreadLocal<MultiWorkerMirroredStrategy> CURRENT = new ThreadLocal<>();

  private final TfConfig config;
  private final Duration timeout;
  private String target;

  private MultiWorkerMirroredStrategy(TfConfig config, Duration timeout) {
    this.config = config;
    this.timeout = timeout;
  }

  /**
   * The strategy {@code TF_CONFIG} describes; without {@code TF_CONFIG}, a single worker (training runs in this
   * process only, as Keras' strategy does then).
   */
  public static MultiWorkerMirroredStrategy fromEnvironment() {
    TfConfig c = TfConfig.fromEnvironment();
    return builder(c).build();
  }

  /** Starts a builder for {@code config} (null: a single worker). */
  public static Builder builder(TfConfig config) {
    return new Builder(config);
  }

  /** The cluster and task, or null for a single worker. */
  public TfConfig config() {
    return config;
  }

  /** Keras' {@code num_replicas_in_sync}: one replica per worker. */
  public int numReplicasInSync() {
    return config == null ? 1 : config.workers().size();
  }

  /** This worker's index (0: the chief). */
  public int taskIndex() {
    return config == null ? 0 : config.taskIndex();
  }

  /** Whether this worker is the chief, which writes checkpoints and backups. */
  public boolean isChief() {
    return taskIndex() == 0;
  }

  /** How long a collective waits for its peers. */
  public Duration collectiveTimeout() {
    return timeout;
  }

  /** What file-writing callbacks see of this worker. */
  public WorkerRole role() {
    return new WorkerRole(taskIndex(), numReplicasInSync());
  }

  /**
   * Starts this worker's TensorFlow gRPC server now, once per process (it otherwise starts when the first model of
   * this strategy builds its graph), and returns its target {@code grpc://host:port}; null for a single worker, which
   * needs no server.
   *
   * @throws IllegalStateException naming the address when the server cannot start (a port in use ...)
   */
  public synchronized String startServer() {
    if (config == null) {
      return null;
    }
    if (target == null) {
      target = ClusterServer.start(config.workers(), config.taskIndex());
    }
    return target;
  }

  /**
   * Keras' {@code with strategy.scope():} on this thread: every model created until the scope closes trains with this
   * strategy (as if {@code setDistributeStrategy} had been called on it first). Scopes nest; closing restores the
   * enclosing one.
   *
   * <pre>{@code
   * try (var scope = strategy.scope()) {
   *   model = Model.fromJson(Path.of("config.json"), 42);   // built and compiled inside the scope
   * }
   * }</pre>
   */
  public Scope scope() {
    MultiWorkerMirroredStrategy outer = CURRENT.get();
    CURRENT.set(this);
    return () -> {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    };
  }

  /** The strategy of the innermost open {@link #scope()} on this thread, or null. */
  public static MultiWorkerMirroredStrategy current() {
    return CURRENT.get();
  }

  /** An open {@link #scope()}; closing it ends the scope. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  public String toString() {
    return "MultiWorkerMirroredStrategy(" + (config == null ? "single worker" : "worker " + config.taskIndex()
        + " of " + config.workers()) + ", collectiveTimeout=" + timeout + ")";
  }

  /** Builds a {@link MultiWorkerMirroredStrategy}. */
  public static final class Builder {
    private final TfConfig config;
    private Duration timeout = DEFAULT_COLLECTIVE_TIMEOUT;

    private Builder(TfConfig config) {
      this.config = config;
    }

    /**
     * How long each collective (each training step's all-reduce) waits for the other workers before the step fails;
     * Keras' {@code CommunicationOptions(timeout_seconds=...)}. Default {@link #DEFAULT_COLLECTIVE_TIMEOUT}.
     */
    public Builder collectiveTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("collectiveTimeout must be positive. Received: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    public MultiWorkerMirroredStrategy build() {
      return new MultiWorkerMirroredStrategy(config, timeout);
    }
  }
}
