package dev.contrastive.trainer.cli;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.RunFiles;
import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import dev.contrastive.trainer.optim.ScaledLearningRate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Prints the run with its spec fully resolved: what {@code train} would use, followed by a YAML
 * comment with the global batch and the learning rate scaled to it.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Print the fully resolved run as YAML (presets and overrides applied, values checked),"
        + " then the global batch and effective learning rate as a comment.")
final class ConfigCommand implements Callable<Integer> {

  @ParentCommand TrainerCli root;
  @Mixin RunFileOptions run;

  @Option(names = "--world-size", paramLabel = "N",
      description = "Training processes to count the global batch for (default: env WORLD_SIZE, else"
          + " spec.workers or spec.maxNodes worker pods times processes per worker, else one pod).")
  Integer worldSize;

  @Override
  public Integer call() {
    ContrastiveTrainingRun resolved = run.resolve(root.env);
    ContrastiveTrainingRunSpec spec = resolved.getSpec();
    PlannedWorldSize world = worldSize != null
        ? PlannedWorldSize.given(worldSize, "--world-size")
        : PlannedWorldSize.of(spec, root.env);
    ScaledLearningRate lr =
        ScaledLearningRate.of(spec.optimizer, spec.trainer.batchSizePerWorker, world.processes());
    root.out.print(RunFiles.toYaml(resolved));
    root.out.println("# effective at world size " + world.processes() + " (" + world.source() + "): "
        + lr.describe());
    root.out.flush();
    return ExitCodes.OK;
  }
}
