package dev.contrastive.trainer.dist;

import dev.contrastive.api.spec.DistributedSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gang of trainer processes and the collectives between them: ring all-reduce of fp32
 * buffers, broadcast from rank 0, all-gather of small values and barrier. Every collective must be
 * called by every rank in the same order. Any peer failure or stall throws a {@link
 * DistributedException} naming the peer, after which the group is unusable (the gang restarts).
 * Not thread-safe: one training thread drives it.
 */
public final class ProcessGroup implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessGroup.class);

  private final int rank;
  private final int worldSize;
  private final int bucketBytes;
  private final RingLinks links;
  private final RingTransfer transfer;
  private String brokenBy;
  /** bf16 copy of the buffer being all-reduced with bf16 on the wire; grown on demand, reused. */
  private ByteBuffer wire = ByteBuffer.allocateDirect(0);

  private ProcessGroup(int rank, int worldSize, int bucketBytes, RingLinks links, Duration peerTimeout) {
    this.rank = rank;
    this.worldSize = worldSize;
    this.bucketBytes = bucketBytes;
    this.links = links;
    this.transfer = links == null ? null : new RingTransfer(links, peerTimeout);
  }

  /** Joins the gang described by the environment (see {@link WorkerEnvironment}). */
  public static ProcessGroup fromEnvironment(Map<String, String> env, DistributedSpec spec) {
    return create(WorkerEnvironment.fromEnvironment(env, spec.port), spec);
  }

  /**
   * Rendezvous (rank 0 also serves it), then connects the ring. Blocks until every rank has come,
   * at most {@code spec.rendezvousTimeoutSeconds}.
   */
  public static ProcessGroup create(WorkerEnvironment env, DistributedSpec spec) {
    int bucketBytes = Math.multiplyExact(spec.bucketSizeMiB, 1 << 20);
    Duration peerTimeout = Duration.ofSeconds(spec.peerTimeoutSeconds);
    Duration rendezvousTimeout = Duration.ofSeconds(spec.rendezvousTimeoutSeconds);
    return create(env, bucketBytes, rendezvousTimeout, peerTimeout);
  }

  /** As {@link #create(WorkerEnvironment, DistributedSpec)} with explicit sizes and timeouts. */
  public static ProcessGroup create(
      WorkerEnvironment env, int bucketBytes, Duration rendezvousTimeout, Duration peerTimeout) {
    if (bucketBytes < Float.BYTES * env.worldSize() || bucketBytes % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "bucket size must be a multiple of 4 bytes holding one float per rank, got " + bucketBytes);
    }
    if (env.worldSize() == 1) {
      return new ProcessGroup(0, 1, bucketBytes, null, peerTimeout);
    }
    RendezvousServer server = null;
    try (ServerSocketChannel ringServer = RingLinks.listen(env.dataPort())) {
      if (env.rank() == 0) {
        server = new RendezvousServer(env.token(), env.runId(), env.worldSize(), rendezvousTimeout);
        server.start(env.masterPort());
      }
      int dataPort = ringServer.socket().getLocalPort();
      RankTable table = RendezvousClient.join(env, dataPort, rendezvousTimeout);
      RingLinks links = RingLinks.connect(ringServer, table, env.rank(), env.token(), peerTimeout);
      LOG.info("rank {} of {} joined the ring: sends to {}, receives from {}", env.rank(),
          env.worldSize(), links.next.describe(), links.previous.describe());
      return new ProcessGroup(env.rank(), env.worldSize(), bucketBytes, links, peerTimeout);
    } catch (java.io.IOException e) {
      throw new DistributedException("cannot close the ring listener: " + e.getMessage(), e);
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  public int rank() {
    return rank;
  }

  public int worldSize() {
    return worldSize;
  }

  public int bucketBytes() {
    return bucketBytes;
  }

  /**
   * Sums (or averages) native-order fp32 values in {@code floats} between its position and limit,
   * in place. Every rank ends with bit-identical values: each chunk is reduced once, in ring order,
   * by one rank and then copied to the others. The whole buffer is one ring pass: a pass per
   * bucket would drain and refill the pipeline around the ring each time.
   */
  public void allReduce(ByteBuffer floats, boolean average) {
    if (floats.remaining() % Float.BYTES != 0) {
      throw new IllegalArgumentException("all-reduce needs whole floats, got "
          + floats.remaining() + " bytes");
    }
    if (worldSize == 1) {
      return;
    }
    checkUsable();
    run(RingPlan.allReduce(rank, worldSize, floats.remaining() / Float.BYTES, average), floats.slice(),
        "all-reduce");
  }

  /**
   * As {@link #allReduce}, with half the bytes on the wire: each rank's fp32 values are rounded to
   * bf16 (nearest-even) to send, every hop adds the arriving bf16 partial sum to its own fp32 value
   * in fp32 and rounds the sum to bf16 for the next hop, as NCCL reduces bf16. The result is the
   * bf16-rounded sum (or mean) widened back to fp32.
   *
   * <p>Ranks stay bit-identical because no rank keeps an fp32 result of its own: the chunk's owner
   * rounds its final sum to bf16 into the same wire buffer the all-gather then copies to the
   * others, and every rank, owner included, widens those same bf16 bits back to fp32.
   */
  public void allReduceBf16(ByteBuffer floats, boolean average) {
    int n = wholeFloats(floats, "all-reduce");
    if (worldSize == 1) {
      return;
    }
    checkUsable();
    if (wire.capacity() < n * Short.BYTES) {
      wire = ByteBuffer.allocateDirect(n * Short.BYTES).order(ByteOrder.nativeOrder());
    }
    ByteBuffer bits = wire.duplicate().order(ByteOrder.nativeOrder()).clear().limit(n * Short.BYTES).slice()
        .order(ByteOrder.nativeOrder());
    java.nio.FloatBuffer local = floats.slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
    java.nio.ShortBuffer shorts = bits.asShortBuffer();
    Bf16.pack(local, shorts);
    RingPlan plan = RingPlan.allReduce(rank, worldSize, n, average, Short.BYTES);
    try {
      transfer.run(plan, bits, local, "all-reduce-bf16");
    } catch (DistributedException e) {
      brokenBy = e.getMessage();
      close();
      throw e;
    }
    Bf16.unpack(shorts, local);
  }

  /** A range of floats {@code [from, to)} of a buffer: the part one rank holds complete. */
  public record Shard(int from, int to) {

    public int floats() {
      return to - from;
    }
  }

  /**
   * The part of an {@code floats}-long buffer that {@link #reduceScatter} leaves summed on this
   * rank and that {@link #allGatherShards} takes from it. The shards of all ranks tile the buffer.
   */
  public Shard shard(int floats) {
    // the ring's reduce-scatter ends with chunk rank + 1 complete on this rank
    return new Shard(
        RingPlan.chunkStart(rank + 1, worldSize, floats), RingPlan.chunkEnd(rank + 1, worldSize, floats));
  }

  /**
   * The first half of {@link #allReduce}: sums native-order fp32 values in {@code floats}
   * (position to limit) so that this rank's {@link #shard} holds the sum over all ranks; the rest
   * of the buffer is left partly summed. Returns the shard.
   */
  public Shard reduceScatter(ByteBuffer floats) {
    int n = wholeFloats(floats, "reduce-scatter");
    if (worldSize == 1) {
      return new Shard(0, n);
    }
    checkUsable();
    run(RingPlan.reduceScatter(rank, worldSize, n), floats.slice(), "reduce-scatter");
    return shard(n);
  }

  /**
   * The second half of {@link #allReduce}: every rank's {@link #shard} of {@code floats} (position
   * to limit) is copied to all ranks, so every rank ends with the same buffer.
   */
  public void allGatherShards(ByteBuffer floats) {
    int n = wholeFloats(floats, "all-gather");
    if (worldSize == 1) {
      return;
    }
    checkUsable();
    run(RingPlan.allGatherShards(rank, worldSize, n), floats.slice(), "all-gather");
  }

  private static int wholeFloats(ByteBuffer floats, String operation) {
    if (floats.remaining() % Float.BYTES != 0) {
      throw new IllegalArgumentException(operation + " needs whole floats, got "
          + floats.remaining() + " bytes");
    }
    return floats.remaining() / Float.BYTES;
  }

  /** Overwrites {@code bytes} (position to limit) on every rank with rank 0's content. */
  public void broadcast(ByteBuffer bytes) {
    if (worldSize == 1) {
      return;
    }
    checkUsable();
    run(RingPlan.broadcast(rank, worldSize, bytes.remaining()), bytes.slice(), "broadcast");
  }

  /**
   * Gathers every rank's {@code values} (same length on all ranks): result[r] is rank r's array.
   * For losses and metrics, not for large data.
   */
  public double[][] allGather(double[] values) {
    return allGather(values, "all-gather");
  }

  /** Returns once every rank has called it. */
  public void barrier() {
    allGather(new double[] {rank}, "barrier");
  }

  private double[][] allGather(double[] values, String operation) {
    double[][] result = new double[worldSize][];
    if (worldSize == 1) {
      result[0] = values.clone();
      return result;
    }
    checkUsable();
    int slotBytes = values.length * Double.BYTES;
    ByteBuffer buffer = ByteBuffer.allocateDirect(slotBytes * worldSize).order(ByteOrder.nativeOrder());
    DoubleBuffer doubles = buffer.asDoubleBuffer();
    doubles.put(rank * values.length, values);
    run(RingPlan.allGather(rank, worldSize, slotBytes), buffer, operation);
    for (int r = 0; r < worldSize; r++) {
      result[r] = new double[values.length];
      doubles.get(r * values.length, result[r]);
    }
    return result;
  }

  private void run(RingPlan plan, ByteBuffer data, String operation) {
    try {
      transfer.run(plan, data, operation);
    } catch (DistributedException e) {
      brokenBy = e.getMessage();
      close();
      throw e;
    }
  }

  private void checkUsable() {
    if (brokenBy != null) {
      throw new DistributedException("the process group is unusable after: " + brokenBy);
    }
  }

  @Override
  public void close() {
    if (links != null) {
      transfer.close();
      links.close();
    }
  }
}
