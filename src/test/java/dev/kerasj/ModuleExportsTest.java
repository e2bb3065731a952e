package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kerasj's module descriptor exports the API packages and not the graph engine: a consumer module that
 * {@code requires dev.kerasj} compiles against {@code Sequential} and the formats, and cannot import
 * {@code dev.kerasj.internal}.
 */
class ModuleExportsTest {
  @TempDir
  Path dir;

  /** Compiles a consumer module with one class importing {@code imported}; returns javac's output, or null. */
  private String compileConsumer(String imported) throws IOException, URISyntaxException {
    Path src = Files.createDirectories(dir.resolve("src/consumer/app"));
    Files.writeString(dir.resolve("src/consumer/module-info.java"), "module consumer { requires dev.kerasj; }\n");
    Files.writeString(src.resolve("Uses.java"), "package app;\nimport " + imported + ";\npublic class Uses {}\n");
    Path kerasj = Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> modulePath = new ArrayList<>();
    modulePath.add(kerasj.toString());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith(".jar")) {
        modulePath.add(entry);
      }
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter out = new StringWriter();
    List<String> args = new ArrayList<>(List.of("-d", dir.resolve("out").toString(), "--module-path",
        String.join(File.pathSeparator, modulePath), "--module-source-path", dir.resolve("src").toString(),
        "--module", "consumer"));
    boolean ok = javac.getTask(out, null, null, args, null, null).call();
    return ok ? null : out.toString();
  }

  @Test
  void consumerModule_seesTheApi() throws Exception {
    String errors = compileConsumer("dev.kerasj.Sequential");
    assertTrue(errors == null, "a consumer must compile against dev.kerasj.Sequential:\n" + errors);
    assertTrue(compileConsumer("dev.kerasj.saving.tfcheckpoint.TfCheckpoint") == null);
  }

  @Test
  void consumerModule_cannotImportTheEngine() throws Exception {
    String errors = compileConsumer("dev.kerasj.internal.ModelGraph");
    assertFalse(errors == null, "dev.kerasj.internal must not be exported");
    assertTrue(errors.contains("dev.kerasj.internal") && errors.contains("not visible"),
        errors.lines().limit(5).collect(Collectors.joining("\n")));
  }
}
