package dev.contrastive.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpusInUseTest {

  private static final String GPU = "nvidia.com/gpu";

  @Test
  void boundUnfinishedPodsCountPerNode() {
    Map<String, BigDecimal> inUse = GpusInUse.byNode(List.of(
        pod("a1", "a", null, gpus(1)), pod("a2", "a", "Running", gpus(2)), pod("b", "b", "Pending", gpus(4)),
        pod("unbound", null, "Pending", gpus(8)), pod("done", "b", "Succeeded", gpus(8)),
        pod("failed", "b", "Failed", gpus(8)), pod("cpu", "c", "Running", container(Map.of()))), GPU, p -> false);

    assertThat(inUse).containsOnly(Map.entry("a", BigDecimal.valueOf(3)), Map.entry("b", BigDecimal.valueOf(4)));
  }

  @Test
  void ignoredPodsAndOtherResourcesDoNotCount() {
    Pod own = pod("own", "a", "Running", gpus(1));
    Pod amd = pod("amd", "a", "Running", container(Map.of("amd.com/gpu", new Quantity("2"))));

    assertThat(GpusInUse.byNode(List.of(own, amd), GPU, p -> p == own)).isEmpty();
  }

  @Test
  void aLimitWithoutRequestIsTheRequestAndInitContainersCountAsTheSchedulerCounts() {
    Container limitOnly = new ContainerBuilder().withName("l").withNewResources()
        .addToLimits(GPU, new Quantity("2")).endResources().build();
    Pod pod = pod("p", "a", "Running", limitOnly, gpus(1));
    pod.getSpec().setInitContainers(List.of(gpus(4), withRestartPolicy(gpus(1), "Always")));

    // Containers 2 + 1 plus the sidecar 1 = 4; the largest plain init container also asks 4.
    assertThat(GpusInUse.requested(pod, GPU)).isEqualByComparingTo("4");
    pod.getSpec().setInitContainers(List.of(gpus(5)));
    assertThat(GpusInUse.requested(pod, GPU)).isEqualByComparingTo("5");
  }

  private static Pod pod(String name, String node, String phase, Container... containers) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName(node).withContainers(containers).endSpec()
        .withNewStatus().withPhase(phase).endStatus().build();
  }

  private static Container gpus(int count) {
    return container(Map.of(GPU, new Quantity(Integer.toString(count))));
  }

  private static Container container(Map<String, Quantity> requests) {
    return new ContainerBuilder().withName("c").withNewResources().withRequests(requests).endResources().build();
  }

  private static Container withRestartPolicy(Container container, String policy) {
    container.setRestartPolicy(policy);
    return container;
  }
}
