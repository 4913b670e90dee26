package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.metrics.OperatorMetrics;
import dev.contrastive.operator.status.StatusPatcher;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A reconcile that throws shows its error in the run's status message (updateErrorStatus), on a
 * real API server under the operator's RBAC: phase and the trainer's progress stay as they were.
 */
@Tag("slow")
class ErrorStatusTest extends ClusterBehaviour {

  @Override
  protected KubernetesClient client() {
    return RealApiServer.get().client();
  }

  @Test
  void theErrorReplacesOnlyTheMessage() {
    ContrastiveTrainingRun run = create(Fixtures.run("simclr", namespace));
    client().resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName("simclr").subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Running\",\"message\":\"2/2 workers"
            + " running\",\"restarts\":1,\"progress\":{\"epoch\":3}}}");
    ContrastiveTrainingRun shown = run("simclr");

    RunRecorder.displayOnly(RealApiServer.get().operatorClient(), shown, StatusPatcher.FIELD_MANAGER,
        new OperatorMetrics(new SimpleMeterRegistry())).showError("reconcile failed (attempt 2, retrying): boom "
        + "x".repeat(600));

    ContrastiveTrainingRun after = run("simclr");
    assertThat(after.getStatus().message).startsWith("reconcile failed (attempt 2, retrying): boom").hasSize(512);
    assertThat(after.getStatus().phase).isEqualTo(Phase.Running);
    assertThat(after.getStatus().restarts).isEqualTo(1);
    assertThat(after.getStatus().progress.epoch).isEqualTo(3);
    assertThat(run.getMetadata().getUid()).isEqualTo(after.getMetadata().getUid());
  }

  @Test
  void aRunWithoutStatusGetsOneWithTheMessage() {
    create(Fixtures.run("fresh", namespace));

    RunRecorder.displayOnly(RealApiServer.get().operatorClient(), run("fresh"), StatusPatcher.FIELD_MANAGER,
        new OperatorMetrics(new SimpleMeterRegistry())).showError("reconcile failed (attempt 1, retrying): boom");

    assertThat(run("fresh").getStatus().message).isEqualTo("reconcile failed (attempt 1, retrying): boom");
    assertThat(run("fresh").getStatus().phase).isNull();
  }
}
