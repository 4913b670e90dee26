package dev.contrastive.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.plan.VolcanoPodGroup;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.OperatorUnderTest;
import dev.contrastive.operator.testing.RealApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * schedulerName volcano on a real kube-apiserver, with the operator under its own RBAC (deploy/
 * rbac.yaml) and Volcano's published PodGroup CRD: the run waits while the cluster has no
 * PodGroup API, then gets one PodGroup for its gang and pods that name it, and the group follows
 * the gang when it grows.
 */
class RealApiServerVolcanoTest extends ClusterBehaviour {

  private static final String PODGROUP_CRD = "/volcano/scheduling.volcano.sh_podgroups.yaml";
  @RegisterExtension
  static final OperatorUnderTest operator = OperatorUnderTest.onRealApiServer();

  @Override
  protected KubernetesClient client() {
    return operator.client();
  }

  @Test
  void theGangIsOnePodGroupOfAllItsPodsOnceVolcanosApiExists() {
    gpuNode("a", 1);
    gpuNode("b", 1);
    String priority = tag + "-research";
    client().resource(new PriorityClassBuilder().withNewMetadata().withName(priority).endMetadata()
        .withValue(1000).build()).create();
    ContrastiveTrainingRun run = Fixtures.run("simclr", namespace);
    run.getSpec().schedulerName = "volcano";
    run.getSpec().priorityClassName = priority;
    run.getSpec().resources.cpu = "2";
    run.getMetadata().setAnnotations(Map.of("scheduling.volcano.sh/queue-name", "research"));
    ContrastiveTrainingRun created = create(run);

    // Without Volcano: no PodGroup can exist, so no pod is made (it would never be scheduled).
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(run("simclr").getStatus().phase).isEqualTo(Phase.Pending);
      assertThat(condition(run("simclr"), "Ready").getReason()).isEqualTo("VolcanoNotInstalled");
      assertThat(run("simclr").getStatus().message).contains("scheduling.volcano.sh/v1beta1");
    });
    assertThat(pods("simclr")).isEmpty();

    installPodGroupCrd();

    List<Pod> pods = await().atMost(Duration.ofSeconds(60)).until(() -> pods("simclr"), p -> p.size() == 2);
    GenericKubernetesResource group = podGroup();
    assertThat(group.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getUid()).isEqualTo(created.getMetadata().getUid());
      assertThat(ref.getController()).isTrue();
    });
    assertThat(spec(group)).containsEntry("minMember", 2).containsEntry("queue", "research")
        .containsEntry("priorityClassName", priority)
        .containsEntry("minResources", Map.of("cpu", "4", "nvidia.com/gpu", "2"));
    assertThat(pods).allSatisfy(pod -> {
      assertThat(pod.getMetadata().getAnnotations()).containsEntry("scheduling.k8s.io/group-name", "simclr-gang");
      assertThat(pod.getSpec().getSchedulerName()).isEqualTo("volcano");
      assertThat(pod.getSpec().getAffinity()).as("Volcano places the gang").isNull();
    });

    // A third node before the gang runs: a gang of 3, and the PodGroup waits for all 3.
    gpuNode("c", 1);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(spec(podGroup())).containsEntry("minMember", 3)
          .containsEntry("minResources", Map.of("cpu", "6", "nvidia.com/gpu", "3"));
      assertThat(pods("simclr")).hasSize(3);
    });
  }

  private GenericKubernetesResource podGroup() {
    return await().atMost(WAIT).until(() -> client().genericKubernetesResources(VolcanoPodGroup.CONTEXT)
        .inNamespace(namespace).withName("simclr-gang").get(), g -> g != null);
  }

  private void installPodGroupCrd() {
    CustomResourceDefinition crd = client().apiextensions().v1().customResourceDefinitions()
        .load(getClass().getResourceAsStream(PODGROUP_CRD)).item();
    if (client().resource(crd).get() == null) {
      client().resource(crd).create();
    }
    RealApiServer.awaitEstablished(client(), crd, WAIT);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource group) {
    return (Map<String, Object>) group.getAdditionalProperties().get("spec");
  }
}
