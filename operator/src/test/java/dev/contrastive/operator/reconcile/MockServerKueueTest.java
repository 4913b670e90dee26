package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.OperatorUnderTest;
import dev.contrastive.operator.testing.PodStates;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A run labelled with a Kueue LocalQueue, on the Fabric8 mock server (the 1.20 API server prunes
 * schedulingGates). The test plays Kueue: its webhook (managed label, finalizer), its admission
 * (removing the gate from every pod of the group) and its preemption (the TerminationTarget
 * condition, then deleting the pods), as Kueue's pod integration does.
 */
@EnableKubernetesMockClient(crud = true)
class MockServerKueueTest extends ClusterBehaviour {

  static KubernetesClient client;
  @RegisterExtension
  static final OperatorUnderTest operator = OperatorUnderTest.onMockServer(() -> client);

  @Override
  protected KubernetesClient client() {
    return client;
  }

  @Test
  void theGangWaitsQueuedUntilKueueAdmitsEveryPod() {
    gpuNode("a", 1);
    gpuNode("b", 1);
    queuedRun("simclr");

    List<Pod> pods = awaitPods("simclr", 2);

    String group = pods.get(0).getMetadata().getLabels().get("kueue.x-k8s.io/pod-group-name");
    assertThat(group).startsWith("simclr-");
    assertThat(pods).allSatisfy(pod -> {
      assertThat(pod.getMetadata().getLabels()).containsEntry("kueue.x-k8s.io/queue-name", "gpus")
          .containsEntry("kueue.x-k8s.io/pod-group-name", group);
      assertThat(pod.getMetadata().getAnnotations()).containsEntry("kueue.x-k8s.io/pod-group-total-count", "2");
      assertThat(pod.getSpec().getSchedulingGates()).extracting(g -> g.getName()).containsExactly("kueue.x-k8s.io/admission");
      assertThat(pod.getSpec().getAffinity()).as("Kueue and the scheduler place the gang, not the operator").isNull();
    });
    ContrastiveTrainingRun queued = awaitPhase("simclr", Phase.Queued);
    await().atMost(WAIT).untilAsserted(() -> {
      var condition = condition(run("simclr"), "Queued");
      assertThat(condition.getStatus()).isEqualTo("True");
      assertThat(condition.getReason()).isEqualTo("AwaitingAdmission");
      assertThat(condition.getMessage()).contains("2 pods", group, "LocalQueue gpus",
          "no kueue.x-k8s.io/managed label", "integrations.frameworks: pod");
    });
    assertThat(queued.getStatus().startTime).isNull();

    pods.forEach(this::takeAsKueueWebhook);
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(run("simclr").getStatus().message).doesNotContain("kueue.x-k8s.io/managed"));

    admit(pods.get(0));
    setPodStatus(pods.get(0), PodStates.running());
    // Half a gang is not admitted: the run stays queued and does not start its clock.
    await().during(java.time.Duration.ofSeconds(2)).atMost(WAIT).untilAsserted(() ->
        assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Queued));

    admit(pods.get(1));
    setPodStatus(pods.get(1), PodStates.running());
    ContrastiveTrainingRun running = awaitPhase("simclr", Phase.Running);
    assertThat(running.getStatus().startTime).isNotNull();
    await().atMost(WAIT).untilAsserted(() -> {
      var condition = condition(run("simclr"), "Queued");
      assertThat(condition.getStatus()).isEqualTo("False");
      assertThat(condition.getReason()).isEqualTo("WorkersRunning");
    });
  }

  @Test
  void aPreemptedGangIsQueuedAgainWithoutCountingARestart() {
    gpuNode("a", 1);
    gpuNode("b", 1);
    queuedRun("simclr");
    List<Pod> pods = awaitPods("simclr", 2);
    String group = pods.get(0).getMetadata().getLabels().get("kueue.x-k8s.io/pod-group-name");
    pods.forEach(this::takeAsKueueWebhook);
    workloadOf(group);
    pods.forEach(this::admit);
    pods.forEach(pod -> setPodStatus(pod, PodStates.running()));
    awaitPhase("simclr", Phase.Running);

    // Kueue's Stop: the TerminationTarget condition, then a delete its finalizer holds up.
    for (Pod pod : pods) {
      setPodStatus(pod, preempted());
      client().pods().inNamespace(namespace).withName(pod.getMetadata().getName()).delete();
    }

    await().atMost(WAIT).untilAsserted(() -> {
      ContrastiveTrainingRun run = run("simclr");
      assertThat(run.getStatus().phase).isEqualTo(Phase.Queued);
      assertThat(condition(run, "Queued").getReason()).isEqualTo("EvictedByKueue");
      assertThat(run.getStatus().message).contains("WorkloadEvicted", "Preempted to accommodate",
          "last checkpoint", "not counted");
    });
    // The operator ends the stopped group (deletes its Workload); Kueue finalizes its pods, and
    // the operator queues a new gang as a new group.
    await().atMost(WAIT).until(() -> workloads().withName(group).get() == null);
    pods.forEach(this::finalize);

    List<Pod> next = await().atMost(WAIT).until(() -> pods("simclr"), p -> p.size() == 2
        && p.stream().allMatch(pod -> pod.getMetadata().getDeletionTimestamp() == null));
    assertThat(next).allSatisfy(pod -> {
      assertThat(pod.getMetadata().getLabels().get("kueue.x-k8s.io/pod-group-name")).startsWith("simclr-")
          .isNotEqualTo(group);
      assertThat(pod.getSpec().getSchedulingGates()).extracting(g -> g.getName()).containsExactly("kueue.x-k8s.io/admission");
    });
    await().atMost(WAIT).untilAsserted(() -> {
      ContrastiveTrainingRun run = run("simclr");
      assertThat(run.getStatus().phase).isEqualTo(Phase.Queued);
      assertThat(condition(run, "Queued").getReason()).isEqualTo("AwaitingAdmission");
      assertThat(run.getStatus().restarts == null ? 0 : run.getStatus().restarts).isZero();
      assertThat(run.getStatus().conditions).noneMatch(c -> c.getType().equals("GangRestarted"));
      assertThat(run.getStatus().startTime).as("kept; the deadline ignores it while queued").isNotNull();
    });
  }

  @Test
  void aFailedWorkerIsACountedRestartAndTheNewGangIsANewGroup() {
    gpuNode("a", 1);
    gpuNode("b", 1);
    queuedRun("simclr");
    List<Pod> pods = awaitPods("simclr", 2);
    String group = pods.get(0).getMetadata().getLabels().get("kueue.x-k8s.io/pod-group-name");
    workloadOf(group);
    pods.forEach(this::admit);
    pods.forEach(pod -> setPodStatus(pod, PodStates.running()));
    awaitPhase("simclr", Phase.Running);

    setPodStatus(pods.get(1), PodStates.failed(1, "Error"));

    await().atMost(WAIT).untilAsserted(() -> assertThat(run("simclr").getStatus().restarts).isEqualTo(1));
    await().atMost(WAIT).until(() -> workloads().withName(group).get() == null);
    List<Pod> next = await().atMost(WAIT).until(() -> pods("simclr"), p -> p.size() == 2
        && p.stream().allMatch(pod -> pod.getMetadata().getDeletionTimestamp() == null
            && !group.equals(pod.getMetadata().getLabels().get("kueue.x-k8s.io/pod-group-name"))));
    assertThat(next).allSatisfy(pod -> assertThat(pod.getSpec().getSchedulingGates()).isNotEmpty());
    awaitPhase("simclr", Phase.Queued);
  }

  private void queuedRun(String name) {
    ContrastiveTrainingRun run = Fixtures.run(name, namespace);
    run.getMetadata().setLabels(Map.of("kueue.x-k8s.io/queue-name", "gpus"));
    create(run);
  }

  /** The Workload Kueue makes of a pod group (named after it); only its existence matters here. */
  private void workloadOf(String group) {
    workloads().resource(new GenericKubernetesResourceBuilder().withApiVersion("kueue.x-k8s.io/v1beta2")
        .withKind("Workload").withNewMetadata().withName(group).withNamespace(namespace).endMetadata()
        .build()).create();
  }

  private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> workloads() {
    return client().genericKubernetesResources(new ResourceDefinitionContext.Builder().withGroup("kueue.x-k8s.io")
        .withVersion("v1beta2").withKind("Workload").withPlural("workloads").withNamespaced(true).build())
        .inNamespace(namespace);
  }

  /** What Kueue's pod webhook adds to a pod it manages. */
  private void takeAsKueueWebhook(Pod pod) {
    client().pods().inNamespace(namespace).withName(pod.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"metadata\":{\"labels\":{\"kueue.x-k8s.io/managed\":\"true\"},\"finalizers\":[\"kueue.x-k8s.io/managed\"]}}");
  }

  /** Kueue admitted the group: the gate goes. */
  private void admit(Pod pod) {
    client().pods().inNamespace(namespace).withName(pod.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"schedulingGates\":null}}");
  }

  private void finalize(Pod pod) {
    client().pods().inNamespace(namespace).withName(pod.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
  }

  private static PodStatus preempted() {
    return new PodStatusBuilder(PodStates.failed(143, "Error")).addToConditions(new PodConditionBuilder()
        .withType("TerminationTarget").withStatus("True").withReason("WorkloadEvicted")
        .withMessage("Preempted to accommodate a workload (UID: 1234) due to prioritization in the ClusterQueue")
        .build()).build();
  }
}
