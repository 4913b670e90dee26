package dev.contrastive.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Writes the operator's status fields as a JSON merge patch of the status subresource. The patch
 * never names {@code progress}, so what the trainer wrote there stays; no resourceVersion is sent,
 * so a spec edit meanwhile cannot make it fail.
 */
public final class StatusPatcher {

  public static final String FIELD_MANAGER = "contrastive-operator";
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private StatusPatcher() {}

  /** True when the operator's fields differ; progress is ignored. */
  public static boolean differs(ContrastiveTrainingRunStatus current, ContrastiveTrainingRunStatus next) {
    return !operatorFields(current).equals(operatorFields(next));
  }

  public static void patch(KubernetesClient client, ContrastiveTrainingRun run, ContrastiveTrainingRunStatus next) {
    ObjectNode body = JSON.createObjectNode();
    body.set("status", operatorFields(next));
    PatchContext context = PatchContext.of(PatchType.JSON_MERGE);
    context.setFieldManager(FIELD_MANAGER);
    client.resources(ContrastiveTrainingRun.class)
        .inNamespace(run.getMetadata().getNamespace())
        .withName(run.getMetadata().getName())
        .subresource("status")
        .patch(context, body.toString());
  }

  static ObjectNode operatorFields(ContrastiveTrainingRunStatus status) {
    JsonNode tree = JSON.valueToTree(status == null ? new ContrastiveTrainingRunStatus() : status);
    ObjectNode fields = tree.isObject() ? (ObjectNode) tree : JSON.createObjectNode();
    fields.remove("progress");
    return fields;
  }
}
