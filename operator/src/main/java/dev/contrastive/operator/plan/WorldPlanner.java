package dev.contrastive.operator.plan;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** spec + nodes -> world: which nodes run a worker, and in which rank order. */
public final class WorldPlanner {

  public static final String NO_MATCHING_NODES = "NoMatchingNodes";
  public static final String NOT_ENOUGH_NODES = "NotEnoughNodes";

  private WorldPlanner() {}

  public static WorldPlan plan(ContrastiveTrainingRunSpec spec, Collection<Node> nodes) {
    if (gpusPerNode(spec) == 0) {
      if (spec.workers == null) {
        return WorldPlan.none(NO_MATCHING_NODES,
            "spec.resources.gpusPerNode is 0 but spec.workers is not set: set the number of CPU workers");
      }
      return WorldPlan.of(World.unpinned(spec.workers));
    }
    // Sorted by name so that every reconcile gives each node the same rank.
    List<String> eligible = nodes.stream()
        .filter(node -> isEligible(node, spec))
        .map(node -> node.getMetadata().getName())
        .sorted(Comparator.naturalOrder())
        .limit(spec.maxNodes == null ? Long.MAX_VALUE : spec.maxNodes)
        .toList();
    if (eligible.isEmpty()) {
      return WorldPlan.none(NO_MATCHING_NODES, "no Ready, schedulable node has " + gpusPerNode(spec)
          + " allocatable " + gpuResourceName(spec) + " (spec.resources.gpuResourceName), matches spec.nodeSelector "
          + spec.nodeSelector + " and has only taints that spec.tolerations tolerate"
          + "; set spec.workers with spec.resources.gpusPerNode 0 to run on CPUs");
    }
    if (spec.minNodes != null && eligible.size() < spec.minNodes) {
      return WorldPlan.none(NOT_ENOUGH_NODES, eligible.size() + " GPU nodes match, spec.minNodes is "
          + spec.minNodes + ": waiting for more nodes");
    }
    return WorldPlan.of(World.pinned(eligible));
  }

  static boolean isEligible(Node node, ContrastiveTrainingRunSpec spec) {
    return isReady(node)
        && !Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable())
        && allocatableGpus(node, gpuResourceName(spec)).compareTo(BigDecimal.valueOf(gpusPerNode(spec))) >= 0
        && matchesSelector(node, spec.nodeSelector)
        && Tolerations.tolerateAll(
            node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints(),
            spec.tolerations == null ? List.of() : spec.tolerations);
  }

  public static int gpusPerNode(ContrastiveTrainingRunSpec spec) {
    return spec.resources == null || spec.resources.gpusPerNode == null ? 1 : spec.resources.gpusPerNode;
  }

  public static String gpuResourceName(ContrastiveTrainingRunSpec spec) {
    return spec.resources == null || spec.resources.gpuResourceName == null
        ? "nvidia.com/gpu" : spec.resources.gpuResourceName;
  }

  private static boolean isReady(Node node) {
    return node.getStatus() != null && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static BigDecimal allocatableGpus(Node node, String resourceName) {
    if (node.getStatus() == null || node.getStatus().getAllocatable() == null) {
      return BigDecimal.ZERO;
    }
    Quantity quantity = node.getStatus().getAllocatable().get(resourceName);
    return quantity == null ? BigDecimal.ZERO : quantity.getNumericalAmount();
  }

  private static boolean matchesSelector(Node node, Map<String, String> selector) {
    if (selector == null || selector.isEmpty()) {
      return true;
    }
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
