package dev.contrastive.local.pods;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeChooserTest {

  private static Node node(String name, boolean ready) {
    return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name).endMetadata()
        .withNewStatus().addToAllocatable("nvidia.com/gpu", new Quantity("1"))
          .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus().build();
  }

  private static PodBuilder gpuPod() {
    return new PodBuilder().withNewMetadata().withName("p").endMetadata()
        .withNewSpec().addNewContainer().withName("c").withNewResources()
          .addToLimits("nvidia.com/gpu", new Quantity("1")).endResources().endContainer().endSpec();
  }

  @Test
  void matchFieldsOnMetadataNamePinsThePod() {
    Pod pod = gpuPod().editSpec().withNewAffinity().withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
          .addNewMatchField().withKey("metadata.name").withOperator("In").withValues("b").endMatchField()
        .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
        .endSpec().build();

    var choice = NodeChooser.choose(pod, List.of(node("a", true), node("b", true)), Map.of(), Map.of());

    assertThat(choice.node()).contains("b");
  }

  @Test
  void podDoesNotFitWhereTheGpuIsTakenOrTheNodeIsNotReady() {
    var choice = NodeChooser.choose(gpuPod().build(), List.of(node("a", true), node("b", false)),
        Map.of("a", Map.of("nvidia.com/gpu", BigDecimal.ONE)), Map.of("a", 1));

    assertThat(choice.node()).isEmpty();
    assertThat(choice.reason()).startsWith("0/2 nodes are available").contains("nvidia.com/gpu");
  }

  @Test
  void emptiestFittingNodeWins() {
    var choice = NodeChooser.choose(new PodBuilder().withNewMetadata().withName("p").endMetadata()
            .withNewSpec().addNewContainer().withName("c").endContainer().endSpec().build(),
        List.of(node("a", true), node("b", true)), Map.of(), Map.of("a", 2, "b", 1));

    assertThat(choice.node()).contains("b");
  }
}
