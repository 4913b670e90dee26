package dev.contrastive.trainer.dist;

import java.util.Map;

/**
 * Who this worker is in the gang, as the operator (or {@link LocalLauncher}) tells it through
 * environment variables: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, RENDEZVOUS_TOKEN, POD_IP and
 * the optional DATA_PORT (0, the default, picks a free port). WORLD_SIZE counts processes. Without
 * RANK (a pod that runs one process) the rank is NODE_RANK x NPROC_PER_NODE + LOCAL_RANK. RUN_UID
 * (the run's uid; {@value #NO_RUN_ID} outside a cluster) is the run identity ranks check at the
 * rendezvous.
 */
public record WorkerEnvironment(
    int rank,
    int worldSize,
    String masterAddress,
    int masterPort,
    String token,
    String podIp,
    int dataPort,
    String runId) {

  /** The run identity of processes started outside a cluster. */
  public static final String NO_RUN_ID = "local";

  /** A worker of a run outside a cluster (no uid). */
  public WorkerEnvironment(
      int rank, int worldSize, String masterAddress, int masterPort, String token, String podIp, int dataPort) {
    this(rank, worldSize, masterAddress, masterPort, token, podIp, dataPort, NO_RUN_ID);
  }

  /** A member of a sub-group of this worker's gang (same token and run), e.g. one node's ring. */
  public WorkerEnvironment subGroup(int subRank, int subWorldSize, String subMasterAddress, int subMasterPort,
      String address) {
    return new WorkerEnvironment(subRank, subWorldSize, subMasterAddress, subMasterPort, token, address, 0, runId);
  }

  /** A single-process run: no rendezvous, collectives are identities. */
  public static WorkerEnvironment single() {
    return new WorkerEnvironment(0, 1, "127.0.0.1", 0, "", "127.0.0.1", 0);
  }

  /**
   * Reads the variables; without WORLD_SIZE (or with WORLD_SIZE=1) this is a single-process run.
   * MASTER_PORT falls back to {@code defaultMasterPort} (the run's {@code distributed.port}).
   */
  public static WorkerEnvironment fromEnvironment(Map<String, String> env, int defaultMasterPort) {
    int worldSize = integer(env, "WORLD_SIZE", "1", 1, Integer.MAX_VALUE);
    if (worldSize == 1) {
      return single();
    }
    int rank = env.containsKey("RANK") || !env.containsKey(NodeLayout.NODE_RANK)
        ? integer(env, "RANK", null, 0, worldSize - 1)
        : rankFromNode(env, worldSize);
    int masterPort = integer(env, "MASTER_PORT", Integer.toString(defaultMasterPort), 1, 65535);
    int dataPort = integer(env, "DATA_PORT", "0", 0, 65535);
    String token = required(env, "RENDEZVOUS_TOKEN");
    if (token.chars().anyMatch(Character::isWhitespace)) {
      throw new DistributedException("environment variable RENDEZVOUS_TOKEN must not contain spaces");
    }
    String runId = env.getOrDefault("RUN_UID", "").trim();
    if (runId.isEmpty()) {
      runId = NO_RUN_ID;
    } else if (!runId.matches("[A-Za-z0-9][-A-Za-z0-9]{0,63}")) {
      throw new DistributedException("environment variable RUN_UID must be a Kubernetes uid (letters, digits, '-'),"
          + " got '" + runId + "'");
    }
    return new WorkerEnvironment(
        rank,
        worldSize,
        required(env, "MASTER_ADDR"),
        masterPort,
        token,
        required(env, "POD_IP"),
        dataPort,
        runId);
  }

  private static int rankFromNode(Map<String, String> env, int worldSize) {
    int perNode = NodeLayout.positive(env, NodeLayout.NPROC_PER_NODE, 1);
    int nodeRank = integer(env, NodeLayout.NODE_RANK, null, 0, worldSize / perNode - 1);
    int localRank = integer(env, NodeLayout.LOCAL_RANK, "0", 0, perNode - 1);
    return nodeRank * perNode + localRank;
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new DistributedException(
          "environment variable " + name + " is required when WORLD_SIZE > 1");
    }
    return value.trim();
  }

  private static int integer(Map<String, String> env, String name, String fallback, int min, int max) {
    String value = env.getOrDefault(name, fallback);
    if (value == null) {
      value = required(env, name);
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // reported below with the allowed range
    }
    throw new DistributedException(
        "environment variable " + name + " must be an integer in [" + min + ", " + max + "], got '"
            + value + "'");
  }
}
