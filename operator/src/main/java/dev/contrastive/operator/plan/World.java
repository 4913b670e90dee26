package dev.contrastive.operator.plan;

import java.util.List;
import java.util.Optional;

/**
 * The gang of a run: one worker per rank. {@code nodes} holds the node of each rank in rank order;
 * it is empty for CPU-only workers, which the scheduler places freely.
 */
public record World(int size, List<String> nodes) {

  public World {
    nodes = List.copyOf(nodes);
    if (!nodes.isEmpty() && nodes.size() != size) {
      throw new IllegalArgumentException("a pinned world needs one node per rank");
    }
  }

  public static World pinned(List<String> nodes) {
    return new World(nodes.size(), nodes);
  }

  public static World unpinned(int size) {
    return new World(size, List.of());
  }

  /** The node rank {@code rank} must run on, if the world is pinned to nodes. */
  public Optional<String> nodeOf(int rank) {
    return nodes.isEmpty() ? Optional.empty() : Optional.of(nodes.get(rank));
  }
}
