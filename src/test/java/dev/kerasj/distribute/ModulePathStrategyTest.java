package dev.kerasj.distribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kerasj.Model;
import dev.kerasj.internal.LoopbackAddresses;
import java.io.File;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the module path a worker's session needs TensorFlow Java's non-public {@code Graph} handle and {@code Session}
 * constructor: a consumer module's one-worker {@code fit} fails naming the {@code --add-opens} flag without it, and
 * trains with it.
 */
class ModulePathStrategyTest {
  static final String MAIN = """
      package app;

      import dev.kerasj.FitOptions;
      import dev.kerasj.Sequential;
      import dev.kerasj.distribute.MultiWorkerMirroredStrategy;
      import dev.kerasj.distribute.TfConfig;
      import dev.kerasj.layers.Dense;
      import dev.kerasj.layers.Input;
      import java.util.List;

      public class Main {
        public static void main(String[] args) {
          MultiWorkerMirroredStrategy s = MultiWorkerMirroredStrategy.builder(new TfConfig(List.of(args[0]), 0))
              .build();
          try (var scope = s.scope(); Sequential m = new Sequential(Input.of(2), new Dense(1))) {
            m.compile("sgd", "mse");
            m.fit(new float[][] {{1, 2}, {3, 4}}, new float[][] {{1}, {2}},
                FitOptions.builder().epochs(1).batchSize(2).verbose(0).build());
            System.out.println("TRAINED");
          } catch (RuntimeException e) {
            System.out.println("FAILED " + e.getMessage());
          }
          System.out.flush();
          Runtime.getRuntime().halt(0);
        }
      }
      """;

  @TempDir
  Path dir;

  @Test
  void oneWorkerFit_onTheModulePath_needsAddOpens_andTrainsWithIt() throws Exception {
    String modulePath = compileConsumer();
    String without = run(modulePath, false);
    assertTrue(without.contains("FAILED ") && without.contains("--add-opens tensorflow/org.tensorflow=dev.kerasj"),
        without);
    String with = run(modulePath, true);
    assertTrue(with.lines().anyMatch("TRAINED"::equals), with);
  }

  private String compileConsumer() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src/consumer/app"));
    Files.writeString(dir.resolve("src/consumer/module-info.java"), "module consumer { requires dev.kerasj; }\n");
    Files.writeString(src.resolve("Main.java"), MAIN);
    List<String> modulePath = new ArrayList<>();
    modulePath.add(Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      // kerasj's runtime dependencies; test-only jars (JUnit, the test SLF4J provider) stay off the module path
      if (entry.endsWith(".jar") && !entry.contains("junit") && !entry.contains("opentest4j")
          && !entry.contains("apiguardian")) {
        modulePath.add(entry);
      }
    }
    String mp = String.join(File.pathSeparator, modulePath);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter out = new StringWriter();
    boolean ok = javac.getTask(out, null, null, List.of("-d", dir.resolve("out").toString(), "--module-path", mp,
        "--module-source-path", dir.resolve("src").toString(), "--module", "consumer"), null, null).call();
    assertTrue(ok, out.toString());
    return dir.resolve("out") + File.pathSeparator + mp;
  }

  private String run(String modulePath, boolean addOpens) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    if (addOpens) {
      cmd.addAll(List.of("--add-opens", "tensorflow/org.tensorflow=dev.kerasj"));
    }
    String address = LoopbackAddresses.free(1).get(0);
    cmd.addAll(List.of("--module-path", modulePath, "-m", "consumer/app.Main", address));
    Path log = dir.resolve(addOpens ? "with.log" : "without.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      p.getOutputStream().close();
      boolean ended = p.waitFor(120, TimeUnit.SECONDS);
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(ended, "the consumer did not end within 120 s:\n" + out);
      assertEquals(0, p.exitValue(), out);
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
