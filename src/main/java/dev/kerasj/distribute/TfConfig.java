package dev.kerasj.distribute;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The cluster and task of a {@code TF_CONFIG} environment variable, the JSON that Kubernetes operators, SLURM
 * scripts and TensorFlow's own tools write for Python's {@code MultiWorkerMirroredStrategy}:
 * <pre>{@code {"cluster": {"worker": ["host0:2222", "host1:2222"]}, "task": {"type": "worker", "index": 1}}}</pre>
 * A {@code chief} job (one address) is allowed next to {@code worker}; as in TensorFlow, the chief is then the
 * group's first member and the workers follow it. {@code ps} (parameter servers) and {@code evaluator} tasks belong to
 * other strategies and are refused.
 *
 * @param workers every member's {@code host:port}, the chief first
 * @param taskIndex this process's position in {@code workers} (0: the chief)
 */
public record TfConfig(List<String> workers, int taskIndex) {
  /** The environment variable TensorFlow reads. */
  public static final String ENV = "TF_CONFIG";
  private static final ObjectMapper JSON = new ObjectMapper();

  public TfConfig {
    workers = List.copyOf(workers);
    if (workers.isEmpty()) {
      throw new IllegalArgumentException("TF_CONFIG: the cluster has no workers");
    }
    for (String w : workers) {
      checkAddress(w);
    }
    if (taskIndex < 0 || taskIndex >= workers.size()) {
      throw new IllegalArgumentException("TF_CONFIG: task index " + taskIndex + " is out of range for a cluster of "
          + workers.size() + " workers " + workers + "; expected 0 to " + (workers.size() - 1));
    }
    if (workers.stream().distinct().count() != workers.size()) {
      throw new IllegalArgumentException("TF_CONFIG: the cluster lists an address twice: " + workers);
    }
  }

  /**
   * Reads {@code TF_CONFIG} from the environment; null when it is unset or blank (one process, as Keras'
   * strategy then runs on the local machine only).
   */
  public static TfConfig fromEnvironment() {
    String value = System.getenv(ENV);
    return value == null || value.isBlank() ? null : parse(value);
  }

  /**
   * Parses a {@code TF_CONFIG} value.
   *
   * @throws IllegalArgumentException naming what was received and what was expected
   */
  public static TfConfig parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("TF_CONFIG is not valid JSON (" + e.getOriginalMessage() + "). Received: "
          + json + ". Expected: {\"cluster\": {\"worker\": [\"host:port\", ...]}, \"task\": {\"type\": \"worker\", "
          + "\"index\": 0}}", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("TF_CONFIG must be a JSON object. Received: " + json);
    }
    JsonNode cluster = root.get("cluster");
    if (cluster == null || !cluster.isObject()) {
      throw new IllegalArgumentException("TF_CONFIG has no \"cluster\" object. Received: " + json);
    }
    for (Iterator<String> it = cluster.fieldNames(); it.hasNext(); ) {
      String job = it.next();
      if (!job.equals("worker") && !job.equals("chief")) {
        throw new IllegalArgumentException("TF_CONFIG: MultiWorkerMirroredStrategy runs \"chief\" and \"worker\" "
            + "jobs only. Received a \"" + job + "\" job in " + json
            + (job.equals("ps") ? " (parameter servers belong to ParameterServerStrategy)" : ""));
      }
    }
    List<String> chief = addresses(cluster, "chief", json);
    List<String> workers = addresses(cluster, "worker", json);
    if (chief.size() > 1) {
      throw new IllegalArgumentException("TF_CONFIG: the \"chief\" job has " + chief.size() + " addresses; expected "
          + "one. Received: " + json);
    }
    JsonNode task = root.get("task");
    if (task == null || !task.isObject()) {
      throw new IllegalArgumentException("TF_CONFIG has no \"task\" object. Received: " + json);
    }
    JsonNode type = task.get("type");
    JsonNode index = task.get("index");
    if (type == null || !type.isTextual() || index == null || !index.canConvertToInt() || !index.isIntegralNumber()) {
      throw new IllegalArgumentException("TF_CONFIG: expected \"task\": {\"type\": \"worker\" or \"chief\", "
          + "\"index\": <integer>}. Received: " + task);
    }
    String t = type.asText();
    int i = index.asInt();
    List<String> all = new ArrayList<>(chief);
    all.addAll(workers);
    int position;
    if (t.equals("chief")) {
      if (chief.isEmpty() || i != 0) {
        throw new IllegalArgumentException("TF_CONFIG: task {\"type\": \"chief\", \"index\": " + i + "} needs a "
            + "\"chief\" job with one address and index 0. Received: " + json);
      }
      position = 0;
    } else if (t.equals("worker")) {
      if (i < 0 || i >= workers.size()) {
        throw new IllegalArgumentException("TF_CONFIG: task index " + i + " is out of range for the " + workers.size()
            + " addresses of the \"worker\" job " + workers + "; expected 0 to " + (workers.size() - 1));
      }
      position = chief.size() + i;
    } else {
      throw new IllegalArgumentException("TF_CONFIG: task type \"" + t + "\" is not one MultiWorkerMirroredStrategy "
          + "runs; expected \"worker\" or \"chief\"" + (t.equals("evaluator") ? " (a sidecar evaluator is not "
          + "supported)" : ""));
    }
    return new TfConfig(all, position);
  }

  /** The {@code TF_CONFIG} value of task {@code taskIndex} of a {@code worker}-only cluster of {@code workers}. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    workers.forEach(root.putObject("cluster").putArray("worker")::add);
    ObjectNode task = root.putObject("task");
    task.put("type", "worker");
    task.put("index", taskIndex);
    return root.toString();
  }

  /** Whether this process is the group's chief (its first member). */
  public boolean isChief() {
    return taskIndex == 0;
  }

  private static List<String> addresses(JsonNode cluster, String job, String json) {
    JsonNode list = cluster.get(job);
    List<String> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException("TF_CONFIG: the \"" + job + "\" job must be a list of \"host:port\" "
          + "strings. Received: " + list);
    }
    for (JsonNode a : list) {
      if (!a.isTextual()) {
        throw new IllegalArgumentException("TF_CONFIG: the \"" + job + "\" job must list \"host:port\" strings. "
            + "Received: " + a + " in " + json);
      }
      out.add(a.asText());
    }
    return out;
  }

  private static void checkAddress(String address) {
    int colon = address.lastIndexOf(':');
    boolean ok = colon > 0 && colon < address.length() - 1;
    if (ok) {
      try {
        int port = Integer.parseInt(address.substring(colon + 1));
        ok = port > 0 && port < 65536;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new IllegalArgumentException("TF_CONFIG: expected a \"host:port\" address with a port from 1 to 65535. "
          + "Received: \"" + address + "\"");
    }
  }
}
