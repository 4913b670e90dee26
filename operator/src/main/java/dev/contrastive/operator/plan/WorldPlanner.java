package dev.contrastive.operator.plan;

import dev.contrastive.api.spec.ContrastiveTrainingRunSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * spec + nodes -> world: which nodes run a worker, and in which rank order. Every {@code spec} here
 * is resolved ({@link ResolvedRun}): its defaults are the model's, never chosen again here.
 */
public final class WorldPlanner {

  public static final String NO_MATCHING_NODES = "NoMatchingNodes";
  public static final String NOT_ENOUGH_NODES = "NotEnoughNodes";
  public static final String NOT_ENOUGH_FREE_GPUS = "NotEnoughFreeGpus";
  /** Nodes named in a message about free GPUs; a large cluster gets a count of the rest. */
  private static final int LISTED_NODES = 10;

  private WorldPlanner() {}

  public static WorldPlan plan(ContrastiveTrainingRunSpec spec, Collection<Node> nodes) {
    return plan(spec, nodes, Map.of());
  }

  /**
   * @param gpusInUse GPUs other pods hold on each node ({@link GpusInUse}): a node is used only
   *     where {@code gpusPerNode} of its allocatable GPUs are still free
   */
  public static WorldPlan plan(ContrastiveTrainingRunSpec spec, Collection<Node> nodes,
      Map<String, BigDecimal> gpusInUse) {
    if (gpusPerNode(spec) == 0) {
      if (spec.workers == null) {
        return WorldPlan.none(NO_MATCHING_NODES,
            "spec.resources.gpusPerNode is 0 but spec.workers is not set: set the number of CPU workers");
      }
      return WorldPlan.of(World.unpinned(spec.workers));
    }
    // Sorted by name so that every reconcile gives each node the same rank.
    List<Node> eligible = eligible(spec, nodes);
    if (eligible.isEmpty()) {
      return WorldPlan.none(NO_MATCHING_NODES, "no Ready, schedulable node has " + gpusPerNode(spec)
          + " allocatable " + gpuResourceName(spec) + " (spec.resources.gpuResourceName), matches spec.nodeSelector "
          + spec.nodeSelector + " and has only taints that spec.tolerations (or spec.template.spec.tolerations) tolerate"
          + "; set spec.workers with spec.resources.gpusPerNode 0 to run on CPUs");
    }
    if (spec.minNodes != null && eligible.size() < spec.minNodes) {
      return WorldPlan.none(NOT_ENOUGH_NODES, eligible.size() + " GPU nodes match, spec.minNodes is "
          + spec.minNodes + ": waiting for more nodes");
    }
    BigDecimal wanted = BigDecimal.valueOf(gpusPerNode(spec));
    List<String> free = eligible.stream()
        .filter(node -> freeGpus(node, spec, gpusInUse).compareTo(wanted) >= 0)
        .map(node -> node.getMetadata().getName())
        .limit(spec.maxNodes == null ? Long.MAX_VALUE : spec.maxNodes)
        .toList();
    int needed = spec.minNodes == null ? 1 : spec.minNodes;
    if (free.size() < needed) {
      return WorldPlan.none(NOT_ENOUGH_FREE_GPUS, notEnoughFree(spec, eligible, gpusInUse, needed, free.size()));
    }
    return WorldPlan.of(World.pinned(free));
  }

  /**
   * The world of a gang that a queue or batch scheduler places (Kueue, Volcano): one worker per
   * eligible node up to spec.maxNodes, not pinned to nodes and without counting free GPUs, because
   * the queue holds the gang until its quota or the cluster has room, and nodes that were free when
   * it was queued may be busy when it is admitted.
   */
  public static WorldPlan planForQueue(ContrastiveTrainingRunSpec spec, Collection<Node> nodes) {
    WorldPlan plan = plan(spec, nodes, Map.of());
    return plan.world().map(world -> WorldPlan.of(World.unpinned(world.size()))).orElse(plan);
  }

  /** The nodes that could run a worker if their GPUs were free, by name. */
  static List<Node> eligible(ContrastiveTrainingRunSpec spec, Collection<Node> nodes) {
    return nodes.stream()
        .filter(node -> isEligible(node, spec))
        .sorted(Comparator.comparing((Node node) -> node.getMetadata().getName()))
        .toList();
  }

  private static BigDecimal freeGpus(Node node, ContrastiveTrainingRunSpec spec, Map<String, BigDecimal> gpusInUse) {
    return allocatableGpus(node, gpuResourceName(spec))
        .subtract(gpusInUse.getOrDefault(node.getMetadata().getName(), BigDecimal.ZERO)).max(BigDecimal.ZERO);
  }

  /** Says how many GPUs are free on which node, the freest first (the first few of a large cluster). */
  private static String notEnoughFree(ContrastiveTrainingRunSpec spec, List<Node> eligible,
      Map<String, BigDecimal> gpusInUse, int needed, int found) {
    String resource = gpuResourceName(spec);
    List<String> byNode = eligible.stream()
        .sorted(Comparator.comparing((Node node) -> freeGpus(node, spec, gpusInUse)).reversed()
            .thenComparing(node -> node.getMetadata().getName()))
        .map(node -> node.getMetadata().getName() + " " + freeGpus(node, spec, gpusInUse).toPlainString() + "/"
            + allocatableGpus(node, resource).toPlainString())
        .toList();
    String listed = String.join(", ", byNode.subList(0, Math.min(byNode.size(), LISTED_NODES)))
        + (byNode.size() > LISTED_NODES ? " and " + (byNode.size() - LISTED_NODES) + " more" : "");
    return "needs " + needed + (needed == 1 ? " node" : " nodes") + " with " + gpusPerNode(spec) + " free " + resource
        + (spec.minNodes == null ? "" : " (spec.minNodes " + spec.minNodes + ")") + ", " + found + " found;"
        + " free/allocatable " + resource + " by node: " + listed
        + "; the run starts when other pods release their GPUs";
  }

  static boolean isEligible(Node node, ContrastiveTrainingRunSpec spec) {
    return isReady(node)
        && !Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable())
        && allocatableGpus(node, gpuResourceName(spec)).compareTo(BigDecimal.valueOf(gpusPerNode(spec))) >= 0
        && matchesSelector(node, spec.nodeSelector)
        && Tolerations.tolerateAll(
            node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints(),
            WorkerPodTemplate.tolerations(spec));
  }

  public static int gpusPerNode(ContrastiveTrainingRunSpec spec) {
    return spec.resources.gpusPerNode;
  }

  public static String gpuResourceName(ContrastiveTrainingRunSpec spec) {
    return spec.resources.gpuResourceName;
  }

  public static boolean isReady(Node node) {
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
