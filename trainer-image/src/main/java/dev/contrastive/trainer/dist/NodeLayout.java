package dev.contrastive.trainer.dist;

import java.util.Map;

/**
 * Where one process sits in the gang: its node (worker pod), its index on that node and how many
 * processes each node runs. Ranks of one node are contiguous, as torchrun numbers them:
 * {@code rank = nodeRank * processesPerNode + localRank}.
 */
public record NodeLayout(int nodeRank, int localRank, int processesPerNode) {

  public static final String NODE_RANK = "NODE_RANK";
  public static final String LOCAL_RANK = "LOCAL_RANK";
  public static final String NPROC_PER_NODE = "NPROC_PER_NODE";
  public static final String LOCAL_WORLD_SIZE = "LOCAL_WORLD_SIZE";

  public NodeLayout {
    if (processesPerNode < 1 || localRank < 0 || localRank >= processesPerNode || nodeRank < 0) {
      throw new IllegalArgumentException("invalid layout: node " + nodeRank + ", local rank "
          + localRank + " of " + processesPerNode);
    }
  }

  /** One process per node: the node rank is the rank. */
  public static NodeLayout oneProcessPerNode(int rank) {
    return new NodeLayout(rank, 0, 1);
  }

  /** The layout of {@code rank} when every node runs {@code processesPerNode} processes. */
  public static NodeLayout of(int rank, int processesPerNode) {
    return new NodeLayout(rank / processesPerNode, rank % processesPerNode, processesPerNode);
  }

  /**
   * Reads NPROC_PER_NODE (default 1) for a process of global rank {@code rank}; it must divide
   * the world size, and LOCAL_RANK / NODE_RANK, where set, must agree with the rank.
   */
  public static NodeLayout fromEnvironment(Map<String, String> env, int rank, int worldSize) {
    int perNode = positive(env, NPROC_PER_NODE, 1);
    if (worldSize % perNode != 0) {
      throw new DistributedException("WORLD_SIZE " + worldSize + " is not a multiple of "
          + NPROC_PER_NODE + " " + perNode + ": every node runs the same number of processes");
    }
    NodeLayout layout = of(rank, perNode);
    check(env, LOCAL_RANK, layout.localRank(), rank);
    check(env, NODE_RANK, layout.nodeRank(), rank);
    return layout;
  }

  /** Global rank of this node's first process. */
  public int firstRankOfNode() {
    return nodeRank * processesPerNode;
  }

  /** Global rank of local process {@code local} of this node. */
  public int rankOf(int local) {
    return firstRankOfNode() + local;
  }

  /** Nodes in a world of {@code worldSize} processes. */
  public int nodes(int worldSize) {
    return worldSize / processesPerNode;
  }

  private static void check(Map<String, String> env, String name, int expected, int rank) {
    String value = env.get(name);
    if (value != null && !value.isBlank() && !value.trim().equals(Integer.toString(expected))) {
      throw new DistributedException("environment variable " + name + " is " + value.trim()
          + " but RANK " + rank + " with " + NPROC_PER_NODE + " " + env.get(NPROC_PER_NODE)
          + " means " + expected);
    }
  }

  /** An environment variable that must be an integer >= 1 (the fallback when unset). */
  public static int positive(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new DistributedException(
        "environment variable " + name + " must be an integer >= 1, got '" + value + "'");
  }
}
