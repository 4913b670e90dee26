package dev.contrastive.trainer.cli;

import dev.contrastive.api.config.SettingsCatalog;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The trainer's entry point (container entrypoint; the operator's pods run {@code train -f FILE}):
 * {@code trainer <command> -f RUN.yaml [group=preset ...] [key=value ...]}. Exit codes: see {@link
 * ExitCodes}; user errors print one line on stderr, never a stack trace.
 */
@Command(
    name = "trainer",
    mixinStandardHelpOptions = true,
    version = "contrastive trainer 0.1.0",
    description = "SimCLR training of image encoders, driven by a ContrastiveTrainingRun YAML file.",
    subcommands = {
      TrainCommand.class,
      ConfigCommand.class,
      EmbedCommand.class,
      SimilarCommand.class,
      ExportCommand.class,
      BenchCommand.class,
      InputBenchCommand.class,
      CheckDataParallelCommand.class
    })
public final class TrainerCli {

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of failures.")
  boolean debug;

  final Map<String, String> env;
  final PrintStream out;

  TrainerCli(Map<String, String> env, PrintStream out) {
    this.env = env;
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs one command line; returns the exit code. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    TrainerCli root = new TrainerCli(env, out);
    CommandLine cli = new CommandLine(root);
    // the catalogue is a table: wide enough that its lines are not wrapped
    cli.setUsageHelpWidth(220);
    cli.getCommandSpec().usageMessage().footer("%n" + SettingsCatalog.render().replace("%", "%%"));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler((e, arguments) -> {
      err.println("error: " + e.getMessage() + " (see trainer --help)");
      return ExitCodes.INVALID_INPUT;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      Failures.Failure failure = Failures.classify(e);
      err.println("error: " + failure.message());
      if (root.debug) {
        e.printStackTrace(err);
      }
      return failure.exitCode();
    });
    return cli.execute(args);
  }
}
