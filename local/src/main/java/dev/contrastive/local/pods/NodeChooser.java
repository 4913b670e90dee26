package dev.contrastive.local.pods;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The scheduler's part, reduced to what the operator's pods use: Ready schedulable nodes, the
 * pod's nodeSelector and required node affinity, and extended resources (GPUs) not yet taken.
 * CPU and memory are not counted: every simulated node is the same machine.
 */
public final class NodeChooser {

  /** The chosen node, or why none fits (the scheduler's Unschedulable message). */
  public record Choice(Optional<String> node, String reason) {}

  private NodeChooser() {}

  /**
   * @param used extended resources held by pods already running, per node name
   * @param podsPerNode pods already running per node; the emptiest fitting node wins
   */
  public static Choice choose(Pod pod, List<Node> nodes, Map<String, Map<String, BigDecimal>> used,
      Map<String, Integer> podsPerNode) {
    Map<String, BigDecimal> wanted = extendedRequests(pod);
    List<Node> fitting = nodes.stream()
        .filter(NodeChooser::ready)
        .filter(n -> matchesSelector(pod, n) && matchesAffinity(pod, n))
        .filter(n -> hasRoom(n, wanted, used.getOrDefault(n.getMetadata().getName(), Map.of())))
        .toList();
    return fitting.stream()
        .min(Comparator.comparingInt((Node n) -> podsPerNode.getOrDefault(n.getMetadata().getName(), 0))
            .thenComparing(n -> n.getMetadata().getName()))
        .map(n -> new Choice(Optional.of(n.getMetadata().getName()), ""))
        .orElseGet(() -> new Choice(Optional.empty(), "0/" + nodes.size()
            + " nodes are available: none is Ready and matches the pod's node selector, node affinity"
            + " and free " + String.join(", ", wanted.keySet().isEmpty() ? List.of("resources") : wanted.keySet())));
  }

  /** Requests (or limits, which imply requests) of resources whose names hold a domain, e.g. GPUs. */
  static Map<String, BigDecimal> extendedRequests(Pod pod) {
    Map<String, BigDecimal> sum = new java.util.TreeMap<>();
    pod.getSpec().getContainers().forEach(c -> {
      if (c.getResources() == null) {
        return;
      }
      Map<String, Quantity> requests = new java.util.HashMap<>(
          Objects.requireNonNullElse(c.getResources().getLimits(), Map.of()));
      requests.putAll(Objects.requireNonNullElse(c.getResources().getRequests(), Map.of()));
      requests.forEach((name, q) -> {
        if (name.contains("/")) {
          sum.merge(name, q.getNumericalAmount(), BigDecimal::add);
        }
      });
    });
    return sum;
  }

  static boolean ready(Node node) {
    boolean unschedulable = node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    return !unschedulable && node.getStatus() != null && node.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static boolean matchesSelector(Pod pod, Node node) {
    Map<String, String> selector = Objects.requireNonNullElse(pod.getSpec().getNodeSelector(), Map.of());
    Map<String, String> labels = labels(node);
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** Terms are ORed; the requirements of one term are ANDed. */
  private static boolean matchesAffinity(Pod pod, Node node) {
    var affinity = pod.getSpec().getAffinity();
    if (affinity == null || affinity.getNodeAffinity() == null
        || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return true;
    }
    List<NodeSelectorTerm> terms = affinity.getNodeAffinity()
        .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
    return terms.stream().anyMatch(term ->
        term.getMatchExpressions().stream().allMatch(r -> matches(r, labels(node).get(r.getKey())))
            && term.getMatchFields().stream().allMatch(r -> matches(r, field(node, r.getKey()))));
  }

  private static String field(Node node, String key) {
    return "metadata.name".equals(key) ? node.getMetadata().getName() : null;
  }

  private static boolean matches(NodeSelectorRequirement requirement, String value) {
    List<String> values = requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      case "Gt" -> value != null && Long.parseLong(value) > Long.parseLong(values.get(0));
      case "Lt" -> value != null && Long.parseLong(value) < Long.parseLong(values.get(0));
      default -> false;
    };
  }

  private static boolean hasRoom(Node node, Map<String, BigDecimal> wanted, Map<String, BigDecimal> taken) {
    Map<String, Quantity> allocatable = Objects.requireNonNullElse(node.getStatus().getAllocatable(), Map.of());
    return wanted.entrySet().stream().allMatch(e -> {
      Quantity free = allocatable.get(e.getKey());
      return free != null && free.getNumericalAmount()
          .subtract(taken.getOrDefault(e.getKey(), BigDecimal.ZERO)).compareTo(e.getValue()) >= 0;
    });
  }

  private static Map<String, String> labels(Node node) {
    return Objects.requireNonNullElse(node.getMetadata().getLabels(), Map.of());
  }
}
