package dev.contrastive.trainer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ProgressStatus;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Patches {@code status.progress} of the run with a JSON merge patch under the trainer's own field
 * manager. A merge patch that names only {@code progress} leaves the operator's fields (phase,
 * conditions, workers) untouched, and it works on every API server (the Fabric8 mock has no SSA).
 * Warnings become core/v1 Events on the run (the trainer's Role may create Events, nothing more).
 */
public final class KubernetesStatusWriter implements StatusWriter {

  public static final String FIELD_MANAGER = "contrastive-trainer";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Events longer than this are cut: {@code kubectl describe} shows one line per Event. */
  static final int EVENT_MESSAGE_MAX_LENGTH = 1024;

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

  /**
   * A new Warning Event on the run (a generated name: the trainer's Role cannot read Events to
   * count repeats, and a warning comes at most once per gang start). The run is read for its uid,
   * so the Event belongs to this run and not to an earlier one of the same name.
   */
  @Override
  public void warn(String reason, String message) {
    ContrastiveTrainingRun run = client.resources(ContrastiveTrainingRun.class).inNamespace(namespace)
        .withName(runName).require();
    String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    client.v1().events().inNamespace(namespace).resource(new EventBuilder()
        .withNewMetadata()
            .withGenerateName(runName.substring(0, Math.min(runName.length(), 200)) + ".")
            .withNamespace(namespace)
        .endMetadata()
        .withNewInvolvedObject()
            .withApiVersion(ContrastiveTrainingRun.API_VERSION)
            .withKind("ContrastiveTrainingRun")
            .withName(runName)
            .withNamespace(namespace)
            .withUid(run.getMetadata().getUid())
        .endInvolvedObject()
        .withType("Warning")
        .withReason(reason)
        .withMessage(message.length() > EVENT_MESSAGE_MAX_LENGTH ? message.substring(0, EVENT_MESSAGE_MAX_LENGTH) : message)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .withNewSource().withComponent(FIELD_MANAGER).endSource()
        .build()).create();
  }
}
