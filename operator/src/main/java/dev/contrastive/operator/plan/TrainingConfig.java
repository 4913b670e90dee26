package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.RunFiles;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** The resolved training config every worker reads from {@link RunNames#CONFIG_FILE}. */
public final class TrainingConfig {

  private TrainingConfig() {}

  /**
   * A run document (apiVersion, kind, name, namespace, spec; no status) so the trainer reads it like
   * any run file.
   *
   * @param run with its spec resolved ({@link ResolvedRun}): the trainer resolves it again, to the same spec
   */
  public static String yaml(ContrastiveTrainingRun run) {
    ContrastiveTrainingRun document = new ContrastiveTrainingRun();
    document.setMetadata(new ObjectMetaBuilder()
        .withName(run.getMetadata().getName())
        .withNamespace(run.getMetadata().getNamespace())
        .build());
    document.setSpec(run.getSpec());
    document.setStatus(null);
    return RunFiles.toYaml(document);
  }

  public static ConfigMap configMap(ContrastiveTrainingRun run, String resolvedYaml) {
    return new ConfigMapBuilder()
        .withMetadata(Owned.meta(run, RunNames.config(run)).build())
        .addToData(RunNames.CONFIG_KEY, resolvedYaml)
        .build();
  }
}
