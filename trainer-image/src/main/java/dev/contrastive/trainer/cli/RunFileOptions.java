package dev.contrastive.trainer.cli;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The run file and the Hydra-style overrides every command takes. */
final class RunFileOptions {

  @Option(
      names = {"-f", "--file"},
      paramLabel = "RUN.yaml",
      description = "ContrastiveTrainingRun YAML (default: env CONFIG_FILE, the operator's mounted config;"
          + " without either, the presets and the overrides alone).")
  Path file;

  /** Name of the run made from the command line alone. */
  static final String COMMAND_LINE_RUN = "command-line";

  @Parameters(
      paramLabel = "OVERRIDE",
      description = "group=preset (e.g. architecture=resnet50) or key=value (e.g. optimizer.lr=5e-4).")
  List<String> overrides = new ArrayList<>();

  /** The run file: {@code -f} wins over env CONFIG_FILE; null when neither is given. */
  Path runFile(Map<String, String> env) {
    if (file != null) {
      return file;
    }
    String fromEnv = env.get("CONFIG_FILE");
    return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
  }

  /** {@code -f FILE} for a child process, or nothing when the run comes from the command line. */
  List<String> runFileArguments(Map<String, String> env) {
    Path runFile = runFile(env);
    return runFile == null ? List.of() : List.of("-f", runFile.toAbsolutePath().toString());
  }

  /**
   * The run with its spec resolved: overrides (group choices first) then presets and checks.
   * Without a run file the run is the model's defaults plus the overrides, as {@code docker run
   * IMAGE train dataset=imagenet ...} expects.
   */
  ContrastiveTrainingRun resolve(Map<String, String> env) {
    Path runFile = runFile(env);
    ContrastiveTrainingRun run = runFile != null ? RunFiles.load(runFile) : commandLineRun();
    ContrastiveTrainingRunSpec spec = ConfigOverrides.apply(
        run.getSpec() == null ? new ContrastiveTrainingRunSpec() : run.getSpec(), overrides);
    run.setSpec(ConfigResolver.resolve(spec));
    return run;
  }

  private static ContrastiveTrainingRun commandLineRun() {
    ContrastiveTrainingRun run = new ContrastiveTrainingRun();
    run.setMetadata(new ObjectMetaBuilder().withName(COMMAND_LINE_RUN).build());
    ContrastiveTrainingRunSpec spec = new ContrastiveTrainingRunSpec();
    spec.image = COMMAND_LINE_RUN; // required by the schema; this process is already running in it
    run.setSpec(spec);
    return run;
  }
}
