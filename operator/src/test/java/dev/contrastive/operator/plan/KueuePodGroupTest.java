package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.config.InvalidConfigException;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What Kueue's pod integration reads from the worker pods (Kueue's pod_webhook.go and pod_controller.go). */
class KueuePodGroupTest {

  private final ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
  private final World world = World.unpinned(2);

  @Test
  void everyPodOfTheGangIsOneGatedGroupInTheRunsQueue() {
    run.getMetadata().setLabels(Map.of("kueue.x-k8s.io/queue-name", "gpus"));

    List<Pod> pods = WorkerPods.pods(run, world).stream()
        .map(pod -> KueuePodGroup.member(pod, run, "simclr-0a1b2c3d", world.size())).toList();

    assertThat(pods).hasSize(2).allSatisfy(pod -> {
      assertThat(pod.getMetadata().getLabels()).containsEntry("kueue.x-k8s.io/queue-name", "gpus")
          .containsEntry("kueue.x-k8s.io/pod-group-name", "simclr-0a1b2c3d")
          .doesNotContainKey("kueue.x-k8s.io/managed"); // Kueue's webhook sets it, not the pod's creator
      assertThat(pod.getMetadata().getAnnotations()).containsEntry("kueue.x-k8s.io/pod-group-total-count", "2")
          .containsEntry("kueue.x-k8s.io/retriable-in-group", "false");
      assertThat(pod.getSpec().getSchedulingGates()).extracting(g -> g.getName())
          .containsExactly("kueue.x-k8s.io/admission");
      assertThat(KueuePodGroup.isGated(pod)).isTrue();
      // what the API server receives (a 1.26+ server keeps the gate; ours, 1.20, prunes it)
      assertThat(Serialization.asJson(pod)).contains("\"schedulingGates\":[{\"name\":\"kueue.x-k8s.io/admission\"}]");
    });
  }

  @Test
  void gatingTwiceKeepsOneGateAndTheTemplatesOwn() throws Exception {
    run.getMetadata().setLabels(Map.of("kueue.x-k8s.io/queue-name", "gpus"));
    run.getSpec().template = WorkerPodTemplateTest.template("spec: {schedulingGates: [{name: example.com/quota}]}");

    Pod pod = KueuePodGroup.member(KueuePodGroup.member(WorkerPods.pod(run, world, 0), run, "g", 2), run, "g", 2);

    assertThat(pod.getSpec().getSchedulingGates()).extracting(g -> g.getName())
        .containsExactly("example.com/quota", "kueue.x-k8s.io/admission");
  }

  @Test
  void theQueueComesFromTheRunOrItsTemplateButTheyMayNotDisagree() throws Exception {
    assertThat(KueuePodGroup.isUsed(run)).isFalse();

    run.getSpec().template = WorkerPodTemplateTest.template("metadata: {labels: {kueue.x-k8s.io/queue-name: batch}}");
    assertThat(KueuePodGroup.queue(run)).contains("batch");

    run.getMetadata().setLabels(Map.of("kueue.x-k8s.io/queue-name", "gpus"));
    assertThat(KueuePodGroup.queue(run)).contains("gpus");
    assertThatThrownBy(() -> WorkerPods.checkTemplate(run))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
          assertThat(e.field()).isEqualTo("spec.template.metadata.labels");
          assertThat(e.getMessage()).contains("kueue.x-k8s.io/queue-name");
        });
  }

  @Test
  void aGangKeepsItsGroupAndANewGangGetsAFreshValidName() {
    Pod live = new PodBuilder().withNewMetadata().withName("simclr-worker-0")
        .addToLabels("kueue.x-k8s.io/pod-group-name", "simclr-00c0ffee").endMetadata().build();
    assertThat(KueuePodGroup.groupName(run, List.of(live))).isEqualTo("simclr-00c0ffee");

    String first = KueuePodGroup.groupName(run, List.of());
    String second = KueuePodGroup.groupName(run, List.of());
    assertThat(first).matches("simclr-[0-9a-f]{8}").isNotEqualTo(second);

    ContrastiveTrainingRun longName = Fixtures.run("a".repeat(53) + "-" + "b".repeat(9), "team-a");
    assertThat(KueuePodGroup.groupName(longName, List.of()))
        .hasSizeLessThanOrEqualTo(63)
        .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  }

  @Test
  void aPodKueueStoppedCarriesItsTerminationTargetCondition() {
    Pod running = new PodBuilder().withNewMetadata().withName("p").endMetadata()
        .withNewStatus().withPhase("Running").endStatus().build();
    assertThat(KueuePodGroup.stopped(running)).isEmpty();

    Pod evicted = new PodBuilder(running).editStatus().addToConditions(new PodConditionBuilder()
        .withType("TerminationTarget").withStatus("True").withReason("WorkloadEvicted")
        .withMessage("Preempted to accommodate a workload").build()).endStatus().build();
    assertThat(KueuePodGroup.stopped(evicted)).hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("WorkloadEvicted"));
  }
}
