package dev.contrastive.trainer.dist;

import dev.contrastive.api.spec.DistributedSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;

/**
 * All-reduce in two levels, as NCCL does across nodes: the P processes of a node reduce-scatter
 * among themselves (each ends with the node's sum of one shard), the processes holding the same
 * shard on every node all-reduce it in a ring across nodes, and the node all-gathers the shards.
 * With M nodes, each node then sends 2 (M-1)/M of the data to other nodes (P rings, each with a
 * 1/P shard), as if it ran one process; a flat ring over all M x P processes sends 2 (MP-1)/MP of
 * the data over each of its M node crossings.
 *
 * <p>Every element is summed once in a fixed order and then copied, so all processes end with
 * bit-identical values, as with the flat ring (though not the flat ring's bits: the order of the
 * sum differs).
 *
 * <p>The rings are process groups of their own: the node's ring through loopback with its local
 * rank 0 as rendezvous, the cross-node ring of local rank l with node 0's process l as rendezvous
 * (at MASTER_ADDR, node 0's pod); the ports are agreed over the flat group. Their errors name the
 * ring and translate back to global ranks.
 */
final class TwoLevelAllReduce implements AllReduceAlgorithm {

  private static final int SEGMENT = 8192;

  private final ProcessGroup node;
  private final ProcessGroup across;
  private final NodeLayout layout;
  private final int worldSize;
  /** bf16 on the cross-node ring only: node links are loopback or NVLink, the network is the bottleneck. */
  private final boolean bf16Across;
  private final float[] segment = new float[SEGMENT];

  private TwoLevelAllReduce(
      ProcessGroup node, ProcessGroup across, NodeLayout layout, int worldSize, boolean bf16Across) {
    this.bf16Across = bf16Across;
    this.node = node;
    this.across = across;
    this.layout = layout;
    this.worldSize = worldSize;
  }

  /** Forms the node ring and the cross-node ring; a collective call of the whole gang. */
  static TwoLevelAllReduce open(
      ProcessGroup group, WorkerEnvironment worker, NodeLayout layout, DistributedSpec spec, boolean bf16Across) {
    int perNode = layout.processesPerNode();
    int nodes = layout.nodes(group.worldSize());
    // Local rank 0 serves its node's rendezvous, node 0's process l that of cross-node ring l.
    int nodePort = layout.localRank() == 0 ? freePort() : 0;
    int acrossPort = layout.nodeRank() == 0 ? freePort() : 0;
    double[][] ports = group.allGather(new double[] {nodePort, acrossPort});
    Duration rendezvous = Duration.ofSeconds(spec.rendezvousTimeoutSeconds);
    Duration peer = Duration.ofSeconds(spec.peerTimeoutSeconds);
    ProcessGroup node = ProcessGroup.create(
        worker.subGroup(layout.localRank(), perNode, "127.0.0.1", (int) ports[layout.firstRankOfNode()][0],
            "127.0.0.1"),
        group.bucketBytes(), rendezvous, peer);
    try {
      ProcessGroup across = ProcessGroup.create(
          worker.subGroup(layout.nodeRank(), nodes, worker.masterAddress(), (int) ports[layout.localRank()][1],
              worker.podIp()),
          group.bucketBytes(), rendezvous, peer);
      return new TwoLevelAllReduce(node, across, layout, group.worldSize(), bf16Across);
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  @Override
  public void allReduce(ByteBuffer floats, boolean average) {
    allReduce(floats, average, false);
  }

  @Override
  public void allReduceGradients(ByteBuffer floats, boolean average) {
    allReduce(floats, average, bf16Across);
  }

  private void allReduce(ByteBuffer floats, boolean average, boolean bf16) {
    ByteBuffer data = floats.slice().order(ByteOrder.nativeOrder());
    ProcessGroup.Shard shard = inRing("the ring of node " + layout.nodeRank(), () -> node.reduceScatter(data));
    ByteBuffer part = data.slice(shard.from() * Float.BYTES, shard.floats() * Float.BYTES)
        .order(ByteOrder.nativeOrder());
    inRing("the cross-node ring of local rank " + layout.localRank(), () -> {
      if (bf16) {
        across.allReduceBf16(part, false); // every member ends with the same bf16-rounded shard
      } else {
        across.allReduce(part, false);
      }
      return null;
    });
    if (average) {
      scale(part.asFloatBuffer(), 1f / worldSize);
    }
    inRing("the ring of node " + layout.nodeRank(), () -> {
      node.allGatherShards(data);
      return null;
    });
  }

  /** Multiplies in bulk segments: element-wise access to a direct buffer does not vectorise. */
  private void scale(FloatBuffer values, float factor) {
    for (int i = 0; i < values.limit(); i += SEGMENT) {
      int n = Math.min(SEGMENT, values.limit() - i);
      values.get(i, segment, 0, n);
      for (int k = 0; k < n; k++) {
        segment[k] *= factor;
      }
      values.put(i, segment, 0, n);
    }
  }

  private <T> T inRing(String ring, java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (DistributedException e) {
      throw new DistributedException("in " + ring + " (its rank k is global rank "
          + (ring.startsWith("the cross") ? "k x " + layout.processesPerNode() + " + " + layout.localRank()
              : layout.firstRankOfNode() + " + k") + "): " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "two-level: " + layout.nodes(worldSize) + " nodes x " + layout.processesPerNode() + " processes"
        + (bf16Across ? ", bf16 across nodes" : "");
  }

  @Override
  public void close() {
    node.close();
    across.close();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for a two-level ring: " + e.getMessage(), e);
    }
  }
}
