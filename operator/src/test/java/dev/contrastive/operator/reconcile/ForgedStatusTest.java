package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.OperatorUnderTest;
import dev.contrastive.operator.testing.PodStates;
import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A trainer is the user's image with a token that may patch its run's status. On a real API
 * server, with the trainer's own RBAC: what it writes into the operator's status fields changes
 * nothing the operator decides (restarts, the gang's nodes, the deadline, the end of the run and
 * why it ended), and
 * the operator's own record is out of its reach.
 */
class ForgedStatusTest extends ClusterBehaviour {

  @RegisterExtension
  static final OperatorUnderTest operator = OperatorUnderTest.onRealApiServer();

  @Override
  protected KubernetesClient client() {
    return operator.client();
  }

  @Test
  void restartsPatchedBackToZeroGiveNoExtraRestart() {
    gpuNode("a", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().runPolicy.backoffLimit = 1;
    create(run);
    setPodStatus(awaitPods("simclr", 1).get(0), PodStates.failed(1, "Error"));
    Pod second = await().atMost(WAIT).until(() -> pods("simclr"), pods -> pods.size() == 1
        && pods.get(0).getMetadata().getLabels().get("contrastive.dev/gang").startsWith("1-")).get(0);
    await().atMost(WAIT).until(() -> run("simclr").getStatus().restarts, restarts -> restarts != null && restarts == 1);

    asTrainer("simclr", Map.of("restarts", 0));
    assertThat(run("simclr").getStatus().restarts).as("the patch went through").isZero();
    setPodStatus(second, PodStates.failed(1, "Error"));

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
    assertThat(failed.getStatus().message).contains("restarted 1 times");
    assertThat(failed.getStatus().restarts).as("the display copy is written back").isEqualTo(1);
  }

  @Test
  void thirtyNodesInTheStatusCreateNoPods() {
    gpuNode("a", 1);
    createRun("simclr");
    Pod pod = awaitPods("simclr", 1).get(0);
    setPodStatus(pod, PodStates.running());
    awaitPhase("simclr", Phase.Running);

    asTrainer("simclr", Map.of("workers", Map.of("desired", 30,
        "nodes", IntStream.range(0, 30).mapToObj(i -> "gpu-node-" + i).toList())));
    touch(pod);

    await().atMost(WAIT).untilAsserted(() ->
        assertThat(run("simclr").getStatus().workers.nodes).containsExactly(tag + "-a"));
    await().during(Duration.ofSeconds(3)).atMost(WAIT).untilAsserted(() ->
        assertThat(pods("simclr")).extracting(p -> p.getMetadata().getName()).containsExactly("simclr-worker-0"));
    assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Running);
  }

  @Test
  void aLaterStartTimeDoesNotPostponeTheDeadline() {
    gpuNode("a", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().runPolicy.activeDeadlineSeconds = 4L;
    create(run);
    Pod pod = awaitPods("simclr", 1).get(0);
    setPodStatus(pod, PodStates.running());
    awaitPhase("simclr", Phase.Running);

    asTrainer("simclr", Map.of("startTime", Instant.now().plus(Duration.ofDays(1)).toString()));
    touch(pod);

    ContrastiveTrainingRun failed = awaitPhase("simclr", Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("DeadlineExceeded");
  }

  @Test
  void aForgedEndNeitherStopsTheWorkersNorDeletesTheRun() {
    gpuNode("a", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().runPolicy.ttlSecondsAfterFinished = 0L;
    run.getSpec().runPolicy.cleanPodPolicy = "All";
    create(run);
    Pod pod = awaitPods("simclr", 1).get(0);
    setPodStatus(pod, PodStates.running());
    awaitPhase("simclr", Phase.Running);

    asTrainer("simclr", Map.of("phase", "Succeeded", "completionTime", "1970-01-01T00:00:00Z"));
    touch(pod);

    await().atMost(WAIT).untilAsserted(() -> assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Running));
    assertThat(run("simclr").getStatus().completionTime).isNull();
    assertThat(pods("simclr")).hasSize(1);
  }

  @Test
  void aForgedRefusalDoesNotLetASpecEditRestartAFailedRun() {
    gpuNode("a", 1);
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().runPolicy.backoffLimit = 0;
    create(run);
    setPodStatus(awaitPods("simclr", 1).get(0), PodStates.failed(1, "Error"));
    awaitPhase("simclr", Phase.Failed);
    List<String> pods = pods("simclr").stream().map(p -> p.getMetadata().getUid()).toList();

    // What a run the operator refused looks like: no workers, Ready False with reason InvalidSpec.
    asTrainer("simclr", "{\"status\":{\"workers\":null,\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\","
        + "\"reason\":\"InvalidSpec\",\"message\":\"forged\",\"lastTransitionTime\":\"" + Instant.now() + "\"}]}}");
    assertThat(condition(run("simclr"), "Ready").getReason()).as("the patch went through").isEqualTo("InvalidSpec");
    // A refused run starts again when its spec is edited; this one ended and must not.
    client().resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName("simclr")
        .edit(r -> { r.getSpec().runPolicy.backoffLimit = 3; return r; });

    await().atMost(WAIT).untilAsserted(() ->
        assertThat(condition(run("simclr"), "Ready").getReason()).isEqualTo("BackoffLimitExceeded"));
    await().during(Duration.ofSeconds(3)).atMost(WAIT).untilAsserted(() -> {
      assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Failed);
      assertThat(pods("simclr")).extracting(p -> p.getMetadata().getUid()).containsExactlyElementsOf(pods);
    });
    assertThat(run("simclr").getStatus().workers).as("the display copy is written back").isNotNull();
  }

  @Test
  void theTrainerCannotReachTheOperatorsRecordNorTheRunsMetadata() {
    gpuNode("a", 1);
    createRun("simclr");
    awaitPods("simclr", 1);
    await().atMost(WAIT).until(() -> client().configMaps().inNamespace(namespace).withName("simclr-state").get() != null);

    try (KubernetesClient trainer = RealApiServer.get().serviceAccountClient(namespace, "simclr-trainer")) {
      assertForbidden(() -> trainer.configMaps().inNamespace(namespace).withName("simclr-state").get());
      assertForbidden(() -> trainer.configMaps().inNamespace(namespace).withName("simclr-state")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"status.json\":\"{}\"}}"));
      assertForbidden(() -> trainer.resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName("simclr")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"x\":\"y\"}}}"));
      assertForbidden(() -> trainer.pods().inNamespace(namespace).list());
      assertThat(trainer.resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName("simclr").get())
          .as("it may read its run").isNotNull();
      // a skipped corrupt checkpoint is a Warning Event on the run; other runs' Events stay unread
      Event warning = trainer.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata().withGenerateName("simclr.").endMetadata()
          .withNewInvolvedObject().withApiVersion(ContrastiveTrainingRun.API_VERSION).withKind("ContrastiveTrainingRun")
              .withName("simclr").withNamespace(namespace).withUid(run("simclr").getMetadata().getUid())
          .endInvolvedObject()
          .withType("Warning").withReason("CheckpointSkipped").withMessage("skipping corrupt checkpoint ckpt-e00002")
          .build()).create();
      assertThat(warning.getMetadata().getName()).startsWith("simclr.");
      assertForbidden(() -> trainer.v1().events().inNamespace(namespace).list());
      assertForbidden(() -> trainer.v1().events().inNamespace(namespace).withName(warning.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"message\":\"forged\"}"));
      assertForbidden(() -> trainer.v1().events().inNamespace(namespace).withName(warning.getMetadata().getName()).delete());
    }
  }

  /** A JSON merge patch of the run's status, sent with the trainer's ServiceAccount. */
  private void asTrainer(String run, Map<String, Object> status) {
    asTrainer(run, Serialization.asJson(Map.of("status", status)));
  }

  private void asTrainer(String run, String mergePatch) {
    try (KubernetesClient trainer = RealApiServer.get().serviceAccountClient(namespace, run + "-trainer")) {
      trainer.resources(ContrastiveTrainingRun.class).inNamespace(namespace).withName(run).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
    }
  }

  /** A pod event, which makes the operator reconcile the run (a status patch alone does not). */
  private void touch(Pod pod) {
    client().pods().inNamespace(namespace).withName(pod.getMetadata().getName())
        .edit(p -> { p.getMetadata().getAnnotations().put("touched", Instant.now().toString()); return p; });
  }

  private static void assertForbidden(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(KubernetesClientException.class,
        e -> assertThat(e.getCode()).isEqualTo(403));
  }

  private ContrastiveTrainingRun createRun(String name) {
    return create(Fixtures.run(name, namespace));
  }

  static {
    org.awaitility.Awaitility.setDefaultPollInterval(100, java.util.concurrent.TimeUnit.MILLISECONDS);
  }
}
