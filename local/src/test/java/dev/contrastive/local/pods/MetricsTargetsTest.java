package dev.contrastive.local.pods;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each local pod's trainers get /metrics ports of their own, listed for Prometheus's file_sd. */
class MetricsTargetsTest {

  @Test
  void metricsPortsOfEachPodMoveToAFreeBlockListedWithNamespaceAndPod(@TempDir Path work) throws IOException {
    MetricsTargets targets = new MetricsTargets(work);
    Pod first = pod("uid-1", "simclr-worker-0");
    Pod second = pod("uid-2", "simclr-worker-1");

    Container mapped = targets.assign(first, container(first));
    Container other = targets.assign(second, container(second));

    List<Integer> ports = ports(mapped);
    assertThat(ports.get(0)).isEqualTo(29500); // the rendezvous port is left alone
    assertThat(ports.get(2)).isEqualTo(ports.get(1) + 1); // metrics-1 = metrics + local rank 1
    assertThat(ports(other).subList(1, 3)).doesNotContainAnyElementsOf(ports.subList(1, 3));
    assertThat(MetricsTargets.describe(mapped)).isEqualTo(", metrics http://127.0.0.1:" + ports.get(1) + "/metrics");

    JsonNode listed = new ObjectMapper().readTree(targets.file().toFile());
    assertThat(listed).hasSize(2);
    assertThat(listed.at("/0/targets")).extracting(JsonNode::asText)
        .containsExactly("127.0.0.1:" + ports.get(1), "127.0.0.1:" + ports.get(2));
    assertThat(listed.at("/0/labels/namespace").asText()).isEqualTo("team-a");
    assertThat(listed.at("/0/labels/pod").asText()).isEqualTo("simclr-worker-0");
    assertThat(listed.at("/0/ports").isMissingNode()).isTrue();

    targets.remove("uid-1");
    assertThat(new ObjectMapper().readTree(targets.file().toFile())).singleElement()
        .satisfies(t -> assertThat(t.at("/labels/pod").asText()).isEqualTo("simclr-worker-1"));
  }

  @Test
  void aContainerWithoutMetricsPortsIsLeftAsItIs(@TempDir Path work) throws IOException {
    MetricsTargets targets = new MetricsTargets(work);
    Pod pod = pod("uid-1", "shell");
    Container plain = new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("main").build();

    assertThat(targets.assign(pod, plain)).isSameAs(plain);
    assertThat(new ObjectMapper().readTree(targets.file().toFile())).isEmpty();
  }

  private static Pod pod(String uid, String name) {
    return new PodBuilder().withNewMetadata().withUid(uid).withName(name).withNamespace("team-a").endMetadata()
        .withNewSpec().addNewContainer().withName("trainer")
            .addNewPort().withName("rendezvous").withContainerPort(29500).endPort()
            .addNewPort().withName("metrics").withContainerPort(9400).endPort()
            .addNewPort().withName("metrics-1").withContainerPort(9401).endPort()
        .endContainer().endSpec().build();
  }

  private static Container container(Pod pod) {
    return pod.getSpec().getContainers().get(0);
  }

  private static List<Integer> ports(Container container) {
    return container.getPorts().stream().map(ContainerPort::getContainerPort).toList();
  }
}
