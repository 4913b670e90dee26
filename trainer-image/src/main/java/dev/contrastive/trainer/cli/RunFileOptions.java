package dev.contrastive.trainer.cli;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.ConfigOverrides;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
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
      description = "ContrastiveTrainingRun YAML (default: env CONFIG_FILE, the operator's mounted config).")
  Path file;

  @Parameters(
      paramLabel = "OVERRIDE",
      description = "group=preset (e.g. architecture=resnet50) or key=value (e.g. optimizer.lr=5e-4).")
  List<String> overrides = new ArrayList<>();

  /** The run file: {@code -f} wins over env CONFIG_FILE. */
  Path runFile(Map<String, String> env) {
    if (file != null) {
      return file;
    }
    String fromEnv = env.get("CONFIG_FILE");
    if (fromEnv == null || fromEnv.isBlank()) {
      throw new UserInputException("no run file: give -f RUN.yaml or set CONFIG_FILE");
    }
    return Path.of(fromEnv);
  }

  /** The run with its spec resolved: overrides (group choices first) then presets and checks. */
  ContrastiveTrainingRun resolve(Map<String, String> env) {
    ContrastiveTrainingRun run = RunFiles.load(runFile(env));
    ContrastiveTrainingRunSpec spec = ConfigOverrides.apply(
        run.getSpec() == null ? new ContrastiveTrainingRunSpec() : run.getSpec(), overrides);
    run.setSpec(ConfigResolver.resolve(spec));
    return run;
  }
}
