package dev.contrastive.trainer.cli;

import dev.contrastive.api.config.RunFiles;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** Prints the run with its spec fully resolved: what {@code train} would use. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Print the fully resolved run as YAML (presets and overrides applied, values checked).")
final class ConfigCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  @Override
  public Integer call() {
    root.out.print(RunFiles.toYaml(run.resolve(root.env)));
    root.out.flush();
    return ExitCodes.OK;
  }
}
