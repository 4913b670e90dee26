package dev.contrastive.local.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.local.api.MockApiServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedNodesTest {

  @Test
  void nodesAreReadyWithOneGpuAllocatableAndTheirHostnameLabel() {
    try (MockApiServer server = MockApiServer.start()) {
      SimulatedNodes.create(server.client(), 3);

      List<Node> nodes = server.client().nodes().list().getItems();
      assertThat(nodes).extracting(n -> n.getMetadata().getName())
          .containsExactlyInAnyOrder("gpu-node-0", "gpu-node-1", "gpu-node-2");
      assertThat(nodes).allSatisfy(n -> {
        assertThat(n.getMetadata().getLabels()).containsEntry(SimulatedNodes.HOSTNAME_LABEL, n.getMetadata().getName());
        assertThat(n.getStatus().getAllocatable()).containsEntry(SimulatedNodes.GPU_RESOURCE, new Quantity("1"));
        assertThat(n.getStatus().getConditions())
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      });
    }
  }
}
