package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering of kerasj's main classes, read from the compiled classes by the JDK's {@code jdeps}: the
 * building blocks (layers, ops, losses, metrics, optimizers) at the bottom, the graph engine ({@code internal}) above
 * them, the model contract ({@code models}) above that, then formats and callbacks, which see a model only through
 * that contract, then the model façade ({@code dev.kerasj}: {@link Model}, {@link Sequential}) that calls them, and
 * the applications (CLI, examples, serving) on top. No package cycle anywhere.
 */
class PackageLayeringTest {
  static final String ROOT = "dev.kerasj";
  /** Blocks a model is made of; they know nothing of models, graphs, files or callbacks. */
  static final Set<String> BLOCKS = Set.of("activations", "initializers", "losses", "metrics", "optimizers",
      "optimizers.schedules", "layers", "regularizers", "constraints");
  /** The model contract: what formats and callbacks know of a model. */
  static final String CONTRACT = "models";
  /** The file formats and the callbacks: below the façade, above the contract. */
  static final Set<String> FORMATS_AND_CALLBACKS = Set.of("callbacks", "saving", "saving.keras", "saving.savedmodel",
      "saving.tfcheckpoint");

  static Map<String, Set<String>> deps;

  @BeforeAll
  static void readDependencies() throws Exception {
    Path classes = Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new IllegalStateException(
        "jdeps is not in this JDK"));
    // kerasj's classes are a module (module-info): jdeps resolves its requires against the test class path's jars.
    String modulePath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(e -> e.endsWith(".jar")).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    StringWriter out = new StringWriter();
    int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "--multi-release", "17", "--module-path", modulePath,
        "-verbose:package", "-filter:none", "-e", "dev\\.kerasj.*", classes.toString());
    assertEquals(0, rc, out.toString());
    deps = new TreeMap<>();
    Matcher m = Pattern.compile("^\\s+(dev\\.kerasj[\\w.]*)\\s+->\\s+(dev\\.kerasj[\\w.]*)", Pattern.MULTILINE)
        .matcher(out.toString());
    while (m.find()) {
      String from = relative(m.group(1));
      String to = relative(m.group(2));
      deps.computeIfAbsent(from, k -> new TreeSet<>());
      if (!from.equals(to)) {
        deps.get(from).add(to);
      }
    }
    assertTrue(deps.size() >= 15, "jdeps found only " + deps.keySet());
  }

  private static String relative(String pkg) {
    return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
  }

  @Test
  void buildingBlocks_dependOnlyOnBuildingBlocks() {
    for (String block : BLOCKS) {
      for (String to : deps.getOrDefault(block, Set.of())) {
        assertTrue(BLOCKS.contains(to), "dev.kerasj." + block + " must not depend on " + ROOT + (to.isEmpty() ? ""
            : "." + to) + " (blocks sit below the engine, formats, callbacks and models)");
      }
    }
  }

  @Test
  void engine_dependsOnlyOnBuildingBlocks() {
    for (String to : deps.getOrDefault("internal", Set.of())) {
      assertTrue(BLOCKS.contains(to), "dev.kerasj.internal (the graph engine) must not depend on " + ROOT
          + (to.isEmpty() ? "" : "." + to));
    }
  }

  @Test
  void contract_dependsOnlyOnBlocksAndTheEngine() {
    assertTrue(deps.containsKey(CONTRACT), "jdeps found no " + ROOT + "." + CONTRACT + ": " + deps.keySet());
    for (String to : deps.get(CONTRACT)) {
      assertTrue(BLOCKS.contains(to) || to.equals("internal"), ROOT + "." + CONTRACT + " (the model contract) must "
          + "not depend on " + ROOT + (to.isEmpty() ? "" : "." + to));
    }
  }

  @Test
  void formatsAndCallbacks_seeModelsThroughTheContract() {
    for (String pkg : FORMATS_AND_CALLBACKS) {
      assertTrue(deps.containsKey(pkg), "jdeps found no " + ROOT + "." + pkg + ": " + deps.keySet());
      for (String to : deps.get(pkg)) {
        assertTrue(!to.isEmpty() && !to.equals("cli") && !to.equals("examples") && !to.equals("serving"),
            ROOT + "." + pkg + " must not depend on " + ROOT + (to.isEmpty() ? " (the model façade: use "
                + "dev.kerasj.models.KerasModel and ModelFactory)" : "." + to));
      }
      assertTrue(!deps.get(pkg).contains("callbacks") || pkg.equals("callbacks"), ROOT + "." + pkg
          + " (a format) must not depend on the callbacks");
    }
  }

  @Test
  void data_dependsOnlyOnBlocksTheEngineAndTheErrorRoot() {
    // dev.kerasj.data (Dataset) sits beside the engine: it places tf.data ops in a graph and converts arrays with
    // internal's HostArray; its DatasetException extends saving.KerasjException, kerasj's one error root.
    assertTrue(deps.containsKey("data"), "jdeps found no " + ROOT + ".data: " + deps.keySet());
    for (String to : deps.get("data")) {
      assertTrue(BLOCKS.contains(to) || to.equals("internal") || to.equals("saving"), ROOT + ".data must not depend "
          + "on " + ROOT + (to.isEmpty() ? "" : "." + to));
    }
  }

  @Test
  void noPackageCycles() {
    List<Set<String>> cycles = stronglyConnected(deps).stream().filter(c -> c.size() > 1).toList();
    assertEquals(List.of(), cycles, "package cycles; dependencies: " + deps);
  }

  @Test
  void stronglyConnected_findsACycle() {
    // The cycle check itself, on a graph with a known cycle: a -> b -> c -> a, and d outside it.
    Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of());
    List<Set<String>> cycles = stronglyConnected(g).stream().filter(c -> c.size() > 1).toList();
    assertEquals(List.of(Set.of("a", "b", "c")), cycles);
  }

  /** Tarjan's strongly connected components. */
  static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    List<Set<String>> out = new ArrayList<>();
    for (String v : graph.keySet()) {
      if (!index.containsKey(v)) {
        strongConnect(v, graph, index, low, stack, out);
      }
    }
    return out;
  }

  private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, List<Set<String>> out) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        strongConnect(w, graph, index, low, stack, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        component.add(w);
      } while (!w.equals(v));
      out.add(component);
    }
  }
}
