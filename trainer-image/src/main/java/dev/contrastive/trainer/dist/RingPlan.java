package dev.contrastive.trainer.dist;

import java.util.ArrayList;
import java.util.List;

/**
 * One rank's schedule for one collective: the regions of its buffer it sends to the next rank and
 * receives from the previous one, each in order. {@link RingTransfer} executes a plan; the plans
 * of the ring algorithms are built here, from the rank, the world size and the buffer's length
 * alone, so they can be read and tested without sockets.
 *
 * @param sends regions sent to the next rank, in order
 * @param receives regions received from the previous rank, in order
 * @param scale the factor {@link Arrival#ADD_AND_SCALE} multiplies by (1 / world size to average)
 */
record RingPlan(List<Send> sends, List<Receive> receives, float scale) {

  /** What happens to bytes that arrive. */
  enum Arrival {
    COPY,
    ADD,
    /** Add, then multiply by {@link #scale}: the last reduction of an averaging all-reduce. */
    ADD_AND_SCALE
  }

  /**
   * Bytes {@code [offset, offset + length)} of the buffer to the next rank.
   *
   * @param gate index of the receive region this send forwards (it leaves as that region's bytes
   *     are processed), or -1 when the region is ready at once
   */
  record Send(int offset, int length, int gate) {}

  /** Bytes {@code [offset, offset + length)} of the buffer from the previous rank. */
  record Receive(int offset, int length, Arrival arrival) {}

  RingPlan {
    sends = List.copyOf(sends);
    receives = List.copyOf(receives);
  }

  /**
   * Reduce-scatter then all-gather of {@code floats} fp32 values split into worldSize chunks: each
   * chunk is summed once, in ring order, by one rank and then copied to the others, so every rank
   * ends bit-identical.
   */
  static RingPlan allReduce(int rank, int worldSize, int floats, boolean average) {
    return allReduce(rank, worldSize, floats, average, Float.BYTES);
  }

  /** {@link #allReduce} of {@code elements} values of {@code elementBytes} each (2 for bf16). */
  static RingPlan allReduce(int rank, int worldSize, int elements, boolean average, int elementBytes) {
    Chunks chunks = new Chunks(worldSize, elements, elementBytes);
    int steps = worldSize - 1;
    for (int s = 0; s < steps; s++) {
      Arrival arrival = average && s == steps - 1 ? Arrival.ADD_AND_SCALE : Arrival.ADD;
      chunks.step(rank - s, s == 0 ? -1 : s - 1, rank - s - 1, arrival);
    }
    for (int s = 0; s < steps; s++) {
      chunks.step(rank + 1 - s, steps + s - 1, rank - s, Arrival.COPY);
    }
    return chunks.plan(1f / worldSize);
  }

  /** The first half of {@link #allReduce}: chunk {@code rank + 1} ends summed on this rank. */
  static RingPlan reduceScatter(int rank, int worldSize, int floats) {
    Chunks chunks = new Chunks(worldSize, floats, Float.BYTES);
    for (int s = 0; s < worldSize - 1; s++) {
      chunks.step(rank - s, s == 0 ? -1 : s - 1, rank - s - 1, Arrival.ADD);
    }
    return chunks.plan(1f);
  }

  /** The second half of {@link #allReduce}: each rank's chunk {@code rank + 1} goes to all. */
  static RingPlan allGatherShards(int rank, int worldSize, int floats) {
    Chunks chunks = new Chunks(worldSize, floats, Float.BYTES);
    for (int s = 0; s < worldSize - 1; s++) {
      chunks.step(rank + 1 - s, s - 1, rank - s, Arrival.COPY); // step 0 sends the own shard
    }
    return chunks.plan(1f);
  }

  /** Every rank's slot of {@code slotBytes} (slot r is rank r's) copied to all ranks. */
  static RingPlan allGather(int rank, int worldSize, int slotBytes) {
    List<Send> sends = new ArrayList<>();
    List<Receive> receives = new ArrayList<>();
    for (int s = 0; s < worldSize - 1; s++) {
      sends.add(new Send(Math.floorMod(rank - s, worldSize) * slotBytes, slotBytes, s - 1));
      receives.add(new Receive(Math.floorMod(rank - s - 1, worldSize) * slotBytes, slotBytes, Arrival.COPY));
    }
    return new RingPlan(sends, receives, 1f);
  }

  /** A chain 0 -> 1 -> ... -> n-1 of {@code bytes}; each middle rank forwards bytes as they arrive. */
  static RingPlan broadcast(int rank, int worldSize, int bytes) {
    boolean receives = rank > 0;
    boolean sends = rank < worldSize - 1;
    return new RingPlan(
        sends ? List.of(new Send(0, bytes, receives ? 0 : -1)) : List.of(),
        receives ? List.of(new Receive(0, bytes, Arrival.COPY)) : List.of(),
        1f);
  }

  /** First float of chunk {@code chunk} (taken modulo worldSize) when {@code floats} are split. */
  static int chunkStart(int chunk, int worldSize, int floats) {
    return (int) ((long) floats * Math.floorMod(chunk, worldSize) / worldSize);
  }

  /** One past the last float of chunk {@code chunk}. */
  static int chunkEnd(int chunk, int worldSize, int floats) {
    return (int) ((long) floats * (Math.floorMod(chunk, worldSize) + 1) / worldSize);
  }

  /** Builds ring plans whose regions are whole chunks of a float buffer, one send and receive per step. */
  private static final class Chunks {
    private final int worldSize;
    private final int floats;
    private final int elementBytes;
    private final List<Send> sends = new ArrayList<>();
    private final List<Receive> receives = new ArrayList<>();

    Chunks(int worldSize, int floats, int elementBytes) {
      this.worldSize = worldSize;
      this.floats = floats;
      this.elementBytes = elementBytes;
    }

    void step(int sendChunk, int gate, int receiveChunk, Arrival arrival) {
      sends.add(new Send(offset(sendChunk), length(sendChunk), gate));
      receives.add(new Receive(offset(receiveChunk), length(receiveChunk), arrival));
    }

    RingPlan plan(float scale) {
      return new RingPlan(sends, receives, scale);
    }

    private int offset(int chunk) {
      return chunkStart(chunk, worldSize, floats) * elementBytes;
    }

    private int length(int chunk) {
      return (chunkEnd(chunk, worldSize, floats) - chunkStart(chunk, worldSize, floats)) * elementBytes;
    }
  }
}
