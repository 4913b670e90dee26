package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.ConfigResolver;

/**
 * The run the operator plans is the run the trainer builds: its spec resolved by
 * {@link ConfigResolver} (presets merged, every default filled in), the code the trainer resolves
 * its config with. Planning code reads settings from it and never picks a default of its own.
 */
public final class ResolvedRun {

  private ResolvedRun() {}

  /**
   * Replaces the run's spec with its resolved copy; metadata and status are left as they are.
   *
   * @throws dev.contrastive.api.config.InvalidConfigException naming the first setting that is not allowed
   */
  public static ContrastiveTrainingRun resolveInPlace(ContrastiveTrainingRun run) {
    run.setSpec(ConfigResolver.resolve(run.getSpec()));
    return run;
  }
}
