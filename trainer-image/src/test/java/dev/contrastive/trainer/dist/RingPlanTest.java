package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * The ring plans, executed without sockets: each rank's sends go, in order, to a queue the next
 * rank receives from, and a gated send leaves only once the region it forwards is received. What
 * the ranks hold at the end is what each collective promises, for world sizes 2 to 5 and buffers
 * that do not split evenly.
 */
class RingPlanTest {

  private static final int FLOATS = 13;

  @Test
  void allReduceLeavesTheSumOrTheAverageOnEveryRank() {
    for (int world = 2; world <= 5; world++) {
      for (boolean average : new boolean[] {false, true}) {
        int n = world;
        float[][] data = execute(world, rank -> RingPlan.allReduce(rank, n, FLOATS, average), RingPlanTest::start);
        for (int rank = 0; rank < world; rank++) {
          for (int i = 0; i < FLOATS; i++) {
            float sum = 0;
            for (int r = 0; r < world; r++) {
              sum += start(r)[i];
            }
            assertThat(data[rank][i]).as("world %d rank %d float %d", world, rank, i)
                .isEqualTo(average ? sum * (1f / world) : sum);
          }
        }
      }
    }
  }

  @Test
  void reduceScatterSumsEachRanksShardAndTheShardsTileTheBuffer() {
    for (int world = 2; world <= 5; world++) {
      int n = world;
      float[][] data = execute(world, rank -> RingPlan.reduceScatter(rank, n, FLOATS), RingPlanTest::start);
      boolean[] covered = new boolean[FLOATS];
      for (int rank = 0; rank < world; rank++) {
        int from = RingPlan.chunkStart(rank + 1, world, FLOATS);
        int to = RingPlan.chunkEnd(rank + 1, world, FLOATS);
        for (int i = from; i < to; i++) {
          float sum = 0;
          for (int r = 0; r < world; r++) {
            sum += start(r)[i];
          }
          assertThat(data[rank][i]).as("world %d rank %d float %d", world, rank, i).isEqualTo(sum);
          assertThat(covered[i]).isFalse();
          covered[i] = true;
        }
      }
      assertThat(covered).containsOnly(true);
    }
  }

  @Test
  void allGatherShardsCopiesEachRanksShardToAll() {
    for (int world = 2; world <= 5; world++) {
      int n = world;
      // rank r holds its shard (chunk r + 1) as r * 100 + i, everything else as -1
      IntFunction<float[]> shards = rank -> {
        float[] values = new float[FLOATS];
        Arrays.fill(values, -1);
        for (int i = RingPlan.chunkStart(rank + 1, n, FLOATS); i < RingPlan.chunkEnd(rank + 1, n, FLOATS); i++) {
          values[i] = rank * 100 + i;
        }
        return values;
      };
      float[][] data = execute(world, rank -> RingPlan.allGatherShards(rank, n, FLOATS), shards);
      float[] expected = new float[FLOATS];
      for (int r = 0; r < world; r++) {
        for (int i = RingPlan.chunkStart(r + 1, n, FLOATS); i < RingPlan.chunkEnd(r + 1, n, FLOATS); i++) {
          expected[i] = r * 100 + i;
        }
      }
      for (float[] rankData : data) {
        assertThat(rankData).containsExactly(expected);
      }
    }
  }

  @Test
  void broadcastCopiesRankZerosBufferAndAllGatherEachRanksSlot() {
    for (int world = 2; world <= 5; world++) {
      int n = world;
      float[][] broadcast = execute(world, rank -> RingPlan.broadcast(rank, n, FLOATS * Float.BYTES),
          RingPlanTest::start);
      for (float[] rankData : broadcast) {
        assertThat(rankData).containsExactly(start(0));
      }
      int slot = 3;
      IntFunction<float[]> ownSlot = rank -> {
        float[] values = new float[slot * n];
        Arrays.fill(values, rank * slot, rank * slot + slot, rank + 1);
        return values;
      };
      float[][] gathered = execute(world, rank -> RingPlan.allGather(rank, n, slot * Float.BYTES), ownSlot);
      for (float[] rankData : gathered) {
        for (int r = 0; r < world; r++) {
          assertThat(Arrays.copyOfRange(rankData, r * slot, r * slot + slot)).containsOnly(r + 1);
        }
      }
    }
  }

  @Test
  void aPlanCannotBeChangedAfterItIsMade() {
    List<RingPlan.Send> sends = new ArrayList<>(List.of(new RingPlan.Send(0, 4, -1)));
    RingPlan plan = new RingPlan(sends, List.of(), 1f);
    sends.clear();

    assertThat(plan.sends()).hasSize(1);
    assertThat(plan).isEqualTo(new RingPlan(List.of(new RingPlan.Send(0, 4, -1)), List.of(), 1f));
  }

  private static float[] start(int rank) {
    float[] values = new float[FLOATS];
    for (int i = 0; i < FLOATS; i++) {
      values[i] = (rank + 1) * 0.25f + i; // sums of these are exact in fp32, in any order
    }
    return values;
  }

  /** Runs every rank's plan over its copy of {@code start} until no rank can move; all must finish. */
  private static float[][] execute(int world, IntFunction<RingPlan> plans, IntFunction<float[]> start) {
    RingPlan[] plan = new RingPlan[world];
    float[][] data = new float[world][];
    List<ArrayDeque<float[]>> toRank = new ArrayList<>();
    int[] sent = new int[world];
    int[] received = new int[world];
    for (int rank = 0; rank < world; rank++) {
      plan[rank] = plans.apply(rank);
      data[rank] = start.apply(rank);
      toRank.add(new ArrayDeque<>());
    }
    boolean moved = true;
    while (moved) {
      moved = false;
      for (int rank = 0; rank < world; rank++) {
        List<RingPlan.Send> sends = plan[rank].sends();
        if (sent[rank] < sends.size() && sends.get(sent[rank]).gate() < received[rank]) {
          RingPlan.Send send = sends.get(sent[rank]++);
          toRank.get((rank + 1) % world).add(Arrays.copyOfRange(data[rank], send.offset() / Float.BYTES,
              (send.offset() + send.length()) / Float.BYTES));
          moved = true;
        }
        List<RingPlan.Receive> receives = plan[rank].receives();
        if (received[rank] < receives.size() && !toRank.get(rank).isEmpty()) {
          RingPlan.Receive receive = receives.get(received[rank]++);
          float[] arrived = toRank.get(rank).poll();
          assertThat(arrived.length * Float.BYTES).as("rank %d receive length", rank).isEqualTo(receive.length());
          for (int k = 0; k < arrived.length; k++) {
            int i = receive.offset() / Float.BYTES + k;
            data[rank][i] = switch (receive.arrival()) {
              case COPY -> arrived[k];
              case ADD -> data[rank][i] + arrived[k];
              case ADD_AND_SCALE -> (data[rank][i] + arrived[k]) * plan[rank].scale();
            };
          }
          moved = true;
        }
      }
    }
    for (int rank = 0; rank < world; rank++) {
      assertThat(sent[rank]).as("rank %d sends done", rank).isEqualTo(plan[rank].sends().size());
      assertThat(received[rank]).as("rank %d receives done", rank).isEqualTo(plan[rank].receives().size());
      assertThat(toRank.get(rank)).as("nothing left for rank %d", rank).isEmpty();
    }
    return data;
  }
}
