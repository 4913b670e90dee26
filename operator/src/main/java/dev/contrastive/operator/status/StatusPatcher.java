package dev.contrastive.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Writes the operator's status fields as a JSON Patch of the status subresource: one {@code add}
 * (set) per top-level field, so {@code progress}, which the trainer writes, is never named. JSON
 * Patch rather than merge patch because the Fabric8 mock server merges arrays instead of replacing
 * them; no resourceVersion is sent, so a spec edit meanwhile cannot make it fail.
 */
public final class StatusPatcher {

  public static final String FIELD_MANAGER = "contrastive-operator";
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private StatusPatcher() {}

  /** True when the operator's fields differ; progress is ignored. */
  public static boolean differs(ContrastiveTrainingRunStatus current, ContrastiveTrainingRunStatus next) {
    return !operatorFields(current).equals(operatorFields(next));
  }

  /** @param fieldManager recorded in managedFields; null sends none */
  public static void patch(KubernetesClient client, ContrastiveTrainingRun run, ContrastiveTrainingRunStatus current,
      ContrastiveTrainingRunStatus next, String fieldManager) {
    PatchContext context = PatchContext.of(PatchType.JSON);
    context.setFieldManager(fieldManager);
    client.resources(ContrastiveTrainingRun.class)
        .inNamespace(run.getMetadata().getNamespace())
        .withName(run.getMetadata().getName())
        .subresource("status")
        .patch(context, operations(current, next).toString());
  }

  static ArrayNode operations(ContrastiveTrainingRunStatus current, ContrastiveTrainingRunStatus next) {
    ObjectNode fields = operatorFields(next);
    ArrayNode operations = JSON.createArrayNode();
    // A run deserialises with an empty status object even when the server has none; JSON Patch
    // can only add /status/<field> under an existing /status. Nobody else writes status before the
    // operator's first patch: the trainer reports progress only once its pods run.
    if (current == null || (current.phase == null && current.progress == null)) {
      operations.addObject().put("op", "add").put("path", "/status").set("value", fields);
      return operations;
    }
    fields.fields().forEachRemaining(field -> operations.addObject()
        .put("op", "add").put("path", "/status/" + field.getKey()).set("value", field.getValue()));
    operatorFields(current).fieldNames().forEachRemaining(name -> {
      if (!fields.has(name)) {
        operations.addObject().put("op", "remove").put("path", "/status/" + name);
      }
    });
    return operations;
  }

  static ObjectNode operatorFields(ContrastiveTrainingRunStatus status) {
    JsonNode tree = JSON.valueToTree(status == null ? new ContrastiveTrainingRunStatus() : status);
    ObjectNode fields = tree.isObject() ? (ObjectNode) tree : JSON.createObjectNode();
    fields.remove("progress");
    return fields;
  }
}
