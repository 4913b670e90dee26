package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What Volcano reads: one PodGroup per run holding the whole gang, and pods that name it. */
class VolcanoPodGroupTest {

  private final ContrastiveTrainingRun run = Fixtures.run("simclr", "team-a");
  private final World world = World.unpinned(3);

  @Test
  void thePodGroupHoldsTheWholeGangWithItsResourcesQueueAndPriority() {
    run.getSpec().schedulerName = "volcano";
    run.getSpec().priorityClassName = "research-high";
    run.getSpec().resources.gpusPerNode = 2;
    run.getSpec().resources.cpu = "4";
    run.getSpec().resources.memory = "16Gi";
    run.getMetadata().setAnnotations(Map.of("scheduling.volcano.sh/queue-name", "research"));

    GenericKubernetesResource group = VolcanoPodGroup.of(run, world);

    assertThat(group.getApiVersion()).isEqualTo("scheduling.volcano.sh/v1beta1");
    assertThat(group.getKind()).isEqualTo("PodGroup");
    assertThat(group.getMetadata().getName()).isEqualTo("simclr-gang");
    assertThat(group.getMetadata().getNamespace()).isEqualTo("team-a");
    assertThat(group.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getUid()).isEqualTo("uid-simclr");
      assertThat(ref.getKind()).isEqualTo("ContrastiveTrainingRun");
      assertThat(ref.getController()).isTrue();
    });
    assertThat(spec(group)).containsEntry("minMember", 3).containsEntry("queue", "research")
        .containsEntry("priorityClassName", "research-high")
        .containsEntry("minResources", Map.of("cpu", "12", "memory", Long.toString(3 * 16L * 1024 * 1024 * 1024),
            "nvidia.com/gpu", "6"));
  }

  @Test
  void everyWorkerPodNamesTheGroupAndGoesToVolcano() {
    run.getSpec().schedulerName = "volcano";

    assertThat(VolcanoPodGroup.isUsed(run)).isTrue();
    assertThat(WorkerPods.pods(run, world)).hasSize(3).allSatisfy(pod -> {
      assertThat(pod.getMetadata().getAnnotations()).containsEntry("scheduling.k8s.io/group-name", "simclr-gang");
      assertThat(pod.getSpec().getSchedulerName()).isEqualTo("volcano");
    });
  }

  @Test
  void theSchedulerMayComeFromTheTemplate() throws Exception {
    run.getSpec().template = WorkerPodTemplateTest.template("spec: {schedulerName: volcano, priorityClassName: batch-low}");

    assertThat(VolcanoPodGroup.isUsed(run)).isTrue();
    assertThat(spec(VolcanoPodGroup.of(run, world))).containsEntry("priorityClassName", "batch-low");
    assertThat(WorkerPods.pod(run, world, 0).getMetadata().getAnnotations())
        .containsEntry("scheduling.k8s.io/group-name", "simclr-gang");
  }

  @Test
  void theQueueMayBeALabelAndWithoutOneVolcanoPicksItsDefault() {
    run.getSpec().schedulerName = "volcano";
    assertThat(spec(VolcanoPodGroup.of(run, world))).doesNotContainKeys("queue", "priorityClassName");

    run.getMetadata().setLabels(Map.of("scheduling.volcano.sh/queue-name", "batch"));
    assertThat(spec(VolcanoPodGroup.of(run, world))).containsEntry("queue", "batch");
  }

  @Test
  void otherSchedulersGetNoGroup() {
    run.getSpec().schedulerName = "gpu-scheduler";

    assertThat(VolcanoPodGroup.isUsed(run)).isFalse();
    Pod pod = WorkerPods.pod(run, World.pinned(List.of("gpu-a")), 0);
    assertThat(pod.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource group) {
    return (Map<String, Object>) group.getAdditionalProperties().get("spec");
  }
}
