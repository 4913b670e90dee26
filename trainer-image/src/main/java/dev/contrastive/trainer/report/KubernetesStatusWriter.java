package dev.contrastive.trainer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ProgressStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * Patches {@code status.progress} of the run with a JSON merge patch under the trainer's own field
 * manager. A merge patch that names only {@code progress} leaves the operator's fields (phase,
 * conditions, workers) untouched, and it works on every API server (the Fabric8 mock has no SSA).
 */
public final class KubernetesStatusWriter implements StatusWriter {

  public static final String FIELD_MANAGER = "contrastive-trainer";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final String namespace;
  private final String runName;

  public KubernetesStatusWriter(KubernetesClient client, String namespace, String runName) {
    this.client = client;
    this.namespace = namespace;
    this.runName = runName;
  }

  @Override
  public void write(ProgressStatus progress) throws Exception {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("status").set("progress", JSON.valueToTree(progress));
    PatchContext context =
        new PatchContext.Builder()
            .withPatchType(PatchType.JSON_MERGE)
            .withFieldManager(FIELD_MANAGER)
            .build();
    client
        .resources(ContrastiveTrainingRun.class)
        .inNamespace(namespace)
        .withName(runName)
        .subresource("status")
        .patch(context, JSON.writeValueAsString(patch));
  }
}
