package dev.kerasj.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_Server;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The TensorFlow gRPC server of this process's task ({@code TF_NewServer} on a serialized {@code ServerDef},
 * {@code TF_ServerStart}), the engine behind a worker: its master runs this worker's sessions and its worker service
 * exchanges collective chunks with the peers.
 *
 * <p>At most one server per task and process, and it lives until the process exits: TensorFlow 2.18's
 * {@code TF_ServerStop} answers {@code UNIMPLEMENTED: Clean shutdown is not currently implemented}, so a server is
 * never stopped; starting the same task twice returns the running server's target.
 */
public final class ClusterServer {
  private static final Map<ServerDef, String> STARTED = new HashMap<>();
  /** Kept reachable: a deleted server would take the sessions bound to it down. */
  private static final List<TF_Server> SERVERS = new java.util.ArrayList<>();

  private ClusterServer() {}

  /**
   * Starts (or finds) the server of task {@code taskIndex} of the {@code worker} job whose addresses are
   * {@code workers}; returns its target {@code grpc://host:port}.
   *
   * @throws IllegalStateException naming the address when TensorFlow cannot start it (a port in use ...)
   */
  public static synchronized String start(List<String> workers, int taskIndex) {
    JobDef.Builder job = JobDef.newBuilder().setName(Replication.JOB);
    for (int i = 0; i < workers.size(); i++) {
      job.putTasks(i, workers.get(i));
    }
    ServerDef def = ServerDef.newBuilder()
        .setCluster(ClusterDef.newBuilder().addJob(job))
        .setJobName(Replication.JOB)
        .setTaskIndex(taskIndex)
        .setProtocol("grpc")
        .setDefaultSessionConfig(Replication.sessionConfig(taskIndex))
        .build();
    String running = STARTED.get(def);
    if (running != null) {
      return running;
    }
    TensorFlow.version(); // loads the natives
    byte[] bytes = def.toByteArray();
    TF_Status status = TF_Status.newStatus();
    TF_Server server;
    try (BytePointer p = new BytePointer(bytes)) {
      server = tensorflow.TF_NewServer(p, bytes.length, status);
    }
    check(status, "create", workers, taskIndex);
    tensorflow.TF_ServerStart(server, status);
    check(status, "start", workers, taskIndex);
    String target = tensorflow.TF_ServerTarget(server).getString();
    SERVERS.add(server);
    STARTED.put(def, target);
    return target;
  }

  private static void check(TF_Status status, String what, List<String> workers, int taskIndex) {
    if (tensorflow.TF_GetCode(status) != tensorflow.TF_OK) {
      throw new IllegalStateException("TensorFlow could not " + what + " the server of worker " + taskIndex + " at "
          + workers.get(taskIndex) + " (cluster " + workers + "): " + tensorflow.TF_Message(status).getString()
          + ". Check that the address is this machine's and the port is free");
    }
  }
}
