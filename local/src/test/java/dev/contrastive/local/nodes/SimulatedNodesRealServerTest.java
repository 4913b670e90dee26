package dev.contrastive.local.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.local.SharedApiServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

class SimulatedNodesRealServerTest {

  @Test
  void realServerKeepsTheNodeStatusPatchedThroughTheStatusSubresource() throws Exception {
    KubernetesClient client = SharedApiServer.real().client();
    if (client.nodes().withName(SimulatedNodes.name(0)).get() == null) {
      SimulatedNodes.create(client, 2);
    }

    Node node = client.nodes().withName(SimulatedNodes.name(1)).get();

    assertThat(node.getStatus().getAllocatable()).containsEntry(SimulatedNodes.GPU_RESOURCE, new Quantity("1"));
    assertThat(node.getStatus().getConditions())
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Test
  void nodesAreSchedulableWithoutTheNotReadyTaintTheServerAddsOnCreate() throws Exception {
    KubernetesClient client = SharedApiServer.real().client();
    if (client.nodes().withName(SimulatedNodes.name(0)).get() == null) {
      SimulatedNodes.create(client, 2);
    }

    Node node = client.nodes().withName(SimulatedNodes.name(0)).get();

    assertThat(node.getSpec().getTaints()).isNullOrEmpty();
  }
}
