package dev.kerasj.cli;

import dev.kerasj.internal.ConsoleLogging;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code kerasj} command line. Errors print one line ({@code kerasj: error: ...}) on stderr and exit with status
 * {@value #EXIT_FAILURE}; {@code --verbose} adds the stack trace. Usage errors exit with {@value #EXIT_USAGE}.
 *
 * <pre>
 * src/main/sh/kerasj inspect ckpts/ --json
 * java -jar target/kerasj.jar verify best_model/
 * </pre>
 *
 * <p>The {@code src/main/sh/kerasj} launcher runs {@code java -jar target/kerasj.jar} without TensorFlow's native
 * start-up lines on stderr ({@code oneDNN custom operations are on}, {@code cpu_feature_guard}, Abseil's
 * {@code InitializeLog} warning, {@code MLIR V1 optimization pass is not enabled}); {@code --verbose} keeps them. The
 * JVM cannot do this itself: TensorFlow reads {@code TF_CPP_MIN_LOG_LEVEL} from the process environment once, while
 * its native library loads, and its Abseil lines ignore the variable (see the launcher's comments).
 */
@Command(name = "kerasj", mixinStandardHelpOptions = true, versionProvider = Kerasj.Version.class,
    description = "Inspect, verify, convert and train kerasj / TensorFlow models.",
    subcommands = {InspectCommand.class, VerifyCommand.class, ConvertCommand.class, TrainCommand.class,
        CommandLine.HelpCommand.class})
public final class Kerasj implements Runnable {
  /** Success. */
  public static final int EXIT_OK = 0;
  /** A failure (unreadable file, corrupt checkpoint found by {@code verify}, failed conversion). */
  public static final int EXIT_FAILURE = 1;
  /** A usage error (unknown option, missing argument): picocli's convention. */
  public static final int EXIT_USAGE = 2;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Print stack traces with errors, kerasj's DEBUG log messages and, through src/main/sh/kerasj, "
          + "TensorFlow's native start-up lines.")
  boolean verbose;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A configured command line, for {@code main} and for tests (which set their own out/err writers). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Kerasj());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      err.println("kerasj: error: " + oneLine(e));
      if (verboseRequested(parseResult)) {
        e.printStackTrace(err);
      }
      err.flush();
      return EXIT_FAILURE;
    });
    return cli;
  }

  /**
   * Runs the command line and exits with its status. Log lines (kerasj's callbacks, jhdf) go to stderr through
   * slf4j-simple, configured once the arguments are parsed ({@link ConsoleLogging}); {@code --verbose} adds kerasj's
   * DEBUG messages.
   */
  public static void main(String[] args) {
    CommandLine cli = commandLine();
    CommandLine.IExecutionStrategy run = cli.getExecutionStrategy();
    cli.setExecutionStrategy(parsed -> {
      ConsoleLogging.configure(ConsoleLogging.Target.STDERR, verboseRequested(parsed));
      return run.execute(parsed);
    });
    System.exit(cli.execute(args));
  }

  private static boolean verboseRequested(CommandLine.ParseResult result) {
    for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  private static String oneLine(Exception e) {
    String msg = e instanceof NoSuchFileException n
        ? "no such file: " + n.getFile() + (n.getReason() == null ? "" : " (" + n.getReason() + ")")
        : e.getMessage();
    if (msg == null || msg.isBlank()) {
      msg = e.getClass().getSimpleName();
    } else if (!(e instanceof dev.kerasj.saving.KerasjException) && !(e instanceof java.io.IOException)
        && !(e instanceof IllegalArgumentException) && !(e instanceof IllegalStateException)) {
      msg = e.getClass().getSimpleName() + ": " + msg;
    }
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }

  /** The version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Kerasj.class.getPackage().getImplementationVersion();
      return new String[] {"kerasj " + (v == null ? "dev" : v) + " (TensorFlow Java 1.1.0)"};
    }
  }
}
