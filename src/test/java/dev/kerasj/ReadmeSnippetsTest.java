package dev.kerasj;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md compiles against the current code, with the imports it shows, so the
 * README cannot drift from the API.
 *
 * <p>Convention: a block holds {@code import} lines, then statements. The statements are compiled as the body of a
 * method whose parameters are the variables the snippet uses without declaring them (types it does not import are
 * written fully qualified), listed in an HTML comment (not shown on GitHub) on the line before the block:
 * {@code <!-- snippet-context: float[][] x, int[] y -->}. The snippets are compiled, not run (they name files a
 * reader has, such as a Python export).
 */
class ReadmeSnippetsTest {
  private static final Path README = Path.of("README.md");
  private static final Pattern BLOCK = Pattern.compile(
      "(?:<!-- snippet-context: (?<context>[^>]*?) -->\\n)?```java\\n(?<code>.*?)```", Pattern.DOTALL);

  @TempDir
  Path out;

  record Snippet(int line, String context, String code) {}

  static List<Snippet> snippets() throws IOException {
    String text = Files.readString(README, StandardCharsets.UTF_8);
    List<Snippet> found = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      int line = (int) text.substring(0, m.start("code")).chars().filter(c -> c == '\n').count();
      found.add(new Snippet(line, m.group("context") == null ? "" : m.group("context"), m.group("code")));
    }
    return found;
  }

  @Test
  void readme_hasJavaSnippets() throws IOException {
    assertTrue(snippets().size() >= 5, "expected the README's Java snippets, found " + snippets().size());
  }

  @TestFactory
  Stream<DynamicTest> everyJavaSnippet_compilesWithTheImportsItShows() throws IOException {
    return snippets().stream().map(s -> DynamicTest.dynamicTest("README.md line " + s.line(), () -> compile(s)));
  }

  @Test
  void aSnippetWithAWrongImport_fails() {
    Snippet bad = new Snippet(0, "", "import dev.kerasj.layers.Adam;\n\nAdam a = null;\n");
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> compile(bad));
    assertTrue(e.getMessage().contains("dev.kerasj.layers"), e.getMessage());
  }

  private void compile(Snippet s) throws IOException {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : s.code().split("\n", -1)) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    String name = "ReadmeSnippetAtLine" + s.line();
    String source = imports + "\nclass " + name + " {\n  @SuppressWarnings(\"unused\")\n  void run(" + s.context()
        + ") throws Exception {\n" + body + "  }\n}\n";
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"),
        JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    StringWriter errors = new StringWriter();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    boolean ok = javac.getTask(errors, null, null, List.of("-classpath", classpath, "-d", out.toString(),
        "-proc:none", "-Xlint:none"), null, List.of(file)).call();
    if (!ok) {
      fail("The README snippet at line " + s.line() + " does not compile:\n" + errors + "\n--- as compiled:\n"
          + source);
    }
  }
}
