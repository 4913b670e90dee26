package dev.contrastive.operator.plan;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * pods -> GPUs already held on each node, counted as the scheduler counts them: every pod bound to
 * a node that has not terminated holds its request until it is gone (a terminating pod included).
 */
public final class GpusInUse {

  private GpusInUse() {}

  /**
   * @param ignore pods not to count (the run's own workers, which a new plan replaces)
   * @return GPUs of {@code resourceName} requested per node name; nodes without any are absent
   */
  public static Map<String, BigDecimal> byNode(Collection<Pod> pods, String resourceName, Predicate<Pod> ignore) {
    Map<String, BigDecimal> inUse = new HashMap<>();
    for (Pod pod : pods) {
      String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      if (node == null || node.isEmpty() || isTerminated(pod) || ignore.test(pod)) {
        continue;
      }
      BigDecimal requested = requested(pod, resourceName);
      if (requested.signum() > 0) {
        inUse.merge(node, requested, BigDecimal::add);
      }
    }
    return inUse;
  }

  /**
   * The pod's effective request: the sum over its containers and sidecars (init containers that
   * keep running), or the largest single init container if that is more, as the scheduler sums it.
   * For an extended resource a limit without a request is the request.
   */
  static BigDecimal requested(Pod pod, String resourceName) {
    List<Container> init = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
    List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
    BigDecimal running = containers.stream().map(c -> amount(c, resourceName)).reduce(BigDecimal.ZERO, BigDecimal::add);
    BigDecimal largestInit = BigDecimal.ZERO;
    for (Container container : init) {
      if ("Always".equals(container.getRestartPolicy())) {
        running = running.add(amount(container, resourceName));
      } else {
        largestInit = largestInit.max(amount(container, resourceName));
      }
    }
    return running.max(largestInit);
  }

  private static BigDecimal amount(Container container, String resourceName) {
    if (container.getResources() == null) {
      return BigDecimal.ZERO;
    }
    Quantity quantity = get(container.getResources().getRequests(), resourceName);
    if (quantity == null) {
      quantity = get(container.getResources().getLimits(), resourceName);
    }
    return quantity == null ? BigDecimal.ZERO : quantity.getNumericalAmount();
  }

  private static Quantity get(Map<String, Quantity> amounts, String resourceName) {
    return amounts == null ? null : amounts.get(resourceName);
  }

  private static boolean isTerminated(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }
}
