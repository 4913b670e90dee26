package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.ConfigResolver;
import dev.contrastive.api.config.RunFiles;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** The resolved training config every worker reads from {@link RunNames#CONFIG_FILE}. */
public final class TrainingConfig {

  private TrainingConfig() {}

  /**
   * A run document (apiVersion, kind, name, namespace, resolved spec; no status) so the trainer
   * reads it like any run file.
   *
   * @throws dev.contrastive.api.config.InvalidConfigException when the spec cannot be resolved
   */
  public static String resolvedYaml(ContrastiveTrainingRun run) {
    ContrastiveTrainingRun resolved = new ContrastiveTrainingRun();
    resolved.setMetadata(new ObjectMetaBuilder()
        .withName(run.getMetadata().getName())
        .withNamespace(run.getMetadata().getNamespace())
        .build());
    resolved.setSpec(ConfigResolver.resolve(run.getSpec()));
    resolved.setStatus(null);
    return RunFiles.toYaml(resolved);
  }

  public static ConfigMap configMap(ContrastiveTrainingRun run, String resolvedYaml) {
    return new ConfigMapBuilder()
        .withMetadata(Owned.meta(run, RunNames.config(run)).build())
        .addToData(RunNames.CONFIG_KEY, resolvedYaml)
        .build();
  }
}
