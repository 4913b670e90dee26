package dev.contrastive.operator.reconcile;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.plan.WorldPlanner;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import java.util.Objects;

/**
 * Which node events a run hears. A kubelet updates its node's status often (heartbeats, images,
 * volumes) and a cluster has many nodes: sending each update to every waiting or running run made
 * every run reconcile on every heartbeat. A run plans from a node's labels, taints,
 * schedulability, allocatable resources and readiness ({@link WorldPlanner}); nothing else.
 */
final class NodeEvents {

  private NodeEvents() {}

  /** False for an update that changes nothing a plan reads (a heartbeat, say). */
  static boolean changesPlanning(Node old, Node now) {
    return !Objects.equals(old.getMetadata().getLabels(), now.getMetadata().getLabels())
        || !Objects.equals(spec(old).getTaints(), spec(now).getTaints())
        || !Objects.equals(spec(old).getUnschedulable(), spec(now).getUnschedulable())
        || !Objects.equals(status(old).getAllocatable(), status(now).getAllocatable())
        || WorldPlanner.isReady(old) != WorldPlanner.isReady(now);
  }

  /**
   * Whether an event of {@code node} can change what {@code run} does. A run that has no gang yet
   * plans from all nodes; a running gang keeps its nodes, so only the loss of one of them matters
   * (a gang placed by a queue is not pinned and never looks at nodes while it runs); a finished
   * run never looks at nodes.
   */
  static boolean concerns(ContrastiveTrainingRun run, Node node) {
    ContrastiveTrainingRunStatus status = run.getStatus();
    if (status == null || status.phase == null || status.phase == Phase.Pending || status.phase == Phase.Queued) {
      return true;
    }
    return status.phase == Phase.Running && status.workers != null && status.workers.nodes != null
        && status.workers.nodes.contains(node.getMetadata().getName());
  }

  private static NodeSpec spec(Node node) {
    return node.getSpec() == null ? new NodeSpec() : node.getSpec();
  }

  private static NodeStatus status(Node node) {
    return node.getStatus() == null ? new NodeStatus() : node.getStatus();
  }
}
