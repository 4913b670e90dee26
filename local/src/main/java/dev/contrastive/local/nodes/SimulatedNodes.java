package dev.contrastive.local.nodes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Node objects for the local run: each claims some GPUs (at least those a run asks for; on this
 * machine's CPU each pod then runs one process per claimed GPU), and every one of them is this
 * machine (the pod runner starts their pods here).
 */
public final class SimulatedNodes {

  public static final String GPU_RESOURCE = "nvidia.com/gpu";
  public static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
  public static final String SIMULATED_LABEL = "contrastive.dev/simulated-node";

  private SimulatedNodes() {}

  public static String name(int index) {
    return "gpu-node-" + index;
  }

  /** Creates nodes {@code gpu-node-0..count-1}, Ready, each with one GPU allocatable. */
  public static List<Node> create(KubernetesClient client, int count) {
    return create(client, count, 1);
  }

  /** Creates nodes {@code gpu-node-0..count-1}, Ready, each with {@code gpus} GPUs allocatable. */
  public static List<Node> create(KubernetesClient client, int count, int gpus) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = name(i);
      client.nodes().resource(new NodeBuilder()
          .withNewMetadata()
            .withName(name)
            .addToLabels(HOSTNAME_LABEL, name)
            .addToLabels(SIMULATED_LABEL, "true")
          .endMetadata()
          .build()).create();
      // A real API server drops status sent on create; the kubelet reports it through /status.
      client.nodes().resource(withStatus(name, gpus)).patchStatus();
      // The API server taints a new node not-ready; the node lifecycle controller, which this
      // cluster lacks, lifts the taint once the node reports Ready.
      nodes.add(client.nodes().withName(name).edit(node -> {
        if (node.getSpec() != null) {
          node.getSpec().setTaints(null);
        }
        return node;
      }));
    }
    return nodes;
  }

  private static Node withStatus(String name, int gpus) {
    Map<String, Quantity> resources = Map.of(
        GPU_RESOURCE, new Quantity(Integer.toString(gpus)),
        "cpu", new Quantity(String.valueOf(Runtime.getRuntime().availableProcessors())),
        "memory", new Quantity(String.valueOf(machineMemoryBytes())),
        "pods", new Quantity("110"));
    String now = Instant.now().toString();
    return new NodeBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewStatus()
          .withCapacity(resources)
          .withAllocatable(resources)
          .addNewCondition()
            .withType("Ready").withStatus("True").withReason("KubeletReady")
            .withMessage("simulated by the local pod runner")
            .withLastHeartbeatTime(now).withLastTransitionTime(now)
          .endCondition()
          .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
          .addNewAddress().withType("Hostname").withAddress(name).endAddress()
        .endStatus()
        .build();
  }

  private static long machineMemoryBytes() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
  }
}
