package dev.contrastive.operator.status;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A Kubernetes Event on the run for each phase change, so {@code kubectl describe} tells the story. */
public final class PhaseEvents {

  private PhaseEvents() {}

  public static Event event(ContrastiveTrainingRun run, Outcome outcome, Instant now) {
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    return new EventBuilder()
        .withNewMetadata()
            .withGenerateName(run.getMetadata().getName() + ".")
            .withNamespace(run.getMetadata().getNamespace())
        .endMetadata()
        .withNewInvolvedObject()
            .withApiVersion(ContrastiveTrainingRun.API_VERSION)
            .withKind("ContrastiveTrainingRun")
            .withName(run.getMetadata().getName())
            .withNamespace(run.getMetadata().getNamespace())
            .withUid(run.getMetadata().getUid())
        .endInvolvedObject()
        .withType(outcome.phase() == Phase.Failed ? "Warning" : "Normal")
        .withReason(outcome.reason())
        .withMessage("phase " + outcome.phase() + ": " + outcome.message())
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .withNewSource().withComponent(StatusPatcher.FIELD_MANAGER).endSource()
        .build();
  }

  public static void emit(KubernetesClient client, ContrastiveTrainingRun run, Outcome outcome, Instant now) {
    client.v1().events().inNamespace(run.getMetadata().getNamespace()).resource(event(run, outcome, now)).create();
  }
}
