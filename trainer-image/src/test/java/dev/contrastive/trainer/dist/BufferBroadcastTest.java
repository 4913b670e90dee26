package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParameterList;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.contrastive.trainer.device.HostTransfer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * BatchNorm statistics drift apart when each rank normalises its own data; the replica check
 * catches it, and the broadcast (DDP's broadcast_buffers) makes every rank hold rank 0's, on both
 * host-transfer paths, without touching the trained parameters.
 */
class BufferBroadcastTest {

  private static final int WORLD = 3;
  private static final int BATCH = 4;
  private static final int FEATURES = 5;

  private record Outcome(int buffersCompared, float[] runningMean, float[] runningVar, float[] weight) {}

  @ParameterizedTest
  @EnumSource(HostTransfer.class)
  void everyRankHoldsRankZerosStatisticsAfterTheBroadcastAndKeepsItsOwnWeights(HostTransfer transfer) {
    List<Outcome> outcomes = LocalGang.run(WORLD, 256, group -> {
      try (NDManager manager = NDManager.newBaseManager()) {
        Block block = model(manager);
        ParameterList parameters = block.getParameters();
        // weights told apart by rank: the broadcast of buffers must leave them alone
        FloatBuffer weight = parameters.get("01Linear_weight").getArray().toByteBuffer(true)
            .order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < weight.limit(); i++) {
          weight.put(i, group.rank() + i * 0.01f);
        }
        forwardOwnBatch(block, manager, group.rank());

        new BufferBroadcast(new GradientAllReducer(group, transfer)).broadcast(parameters);

        int compared = new ReplicaCheck(group, transfer, true)
            .verify(BufferBroadcast.buffers(parameters), "after the broadcast").buffers();
        return new Outcome(compared, values(parameters, "02BatchNorm_runningMean"),
            values(parameters, "02BatchNorm_runningVar"), values(parameters, "01Linear_weight"));
      }
    });

    Outcome rank0 = outcomes.get(0);
    for (int rank = 0; rank < WORLD; rank++) {
      Outcome outcome = outcomes.get(rank);
      assertThat(outcome.buffersCompared()).isEqualTo(2);
      assertThat(outcome.runningMean()).isEqualTo(rank0.runningMean());
      assertThat(outcome.runningVar()).isEqualTo(rank0.runningVar());
      assertThat(outcome.weight()[0]).isEqualTo(rank);
    }
  }

  @ParameterizedTest
  @EnumSource(HostTransfer.class)
  void statisticsOfOwnDataAreNamedByTheReplicaCheck(HostTransfer transfer) {
    List<String> messages = LocalGang.run(WORLD, 256, group -> {
      GradientAllReducer exchange = new GradientAllReducer(group, transfer);
      try (NDManager manager = NDManager.newBaseManager()) {
        Block block = model(manager);
        exchange.broadcastParameters(block.getParameters());
        forwardOwnBatch(block, manager, group.rank());
        new ReplicaCheck(group, transfer, true).verify(block.getParameters(), "after step 1");
        return "passed";
      } catch (ReplicaDriftException e) {
        return e.getMessage();
      }
    });

    assertThat(messages).allSatisfy(m -> assertThat(m).isEqualTo(messages.get(0)));
    assertThat(messages.get(0)).startsWith("replica check after step 1 failed: tensor '02BatchNorm_runningMean'"
        + " differs: rank 0 (sum ").contains(" vs rank 1 (sum ").contains(" vs rank 2 (sum ");
  }

  @Test
  void buffersAreTheTensorsWithoutGradient() {
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThat(BufferBroadcast.buffers(model(manager).getParameters()).keys())
          .containsExactly("02BatchNorm_runningMean", "02BatchNorm_runningVar");
    }
  }

  private static Block model(NDManager manager) {
    Block block = new SequentialBlock()
        .add(Linear.builder().setUnits(16).build())
        .add(BatchNorm.builder().build());
    block.initialize(manager, DataType.FLOAT32, new Shape(BATCH, FEATURES));
    return block;
  }

  /** A training-mode forward of data only this rank sees: BatchNorm updates its running statistics. */
  private static void forwardOwnBatch(Block block, NDManager manager, int rank) {
    try (NDManager step = manager.newSubManager()) {
      NDArray input = step.arange((float) (BATCH * FEATURES)).reshape(BATCH, FEATURES).mul(rank + 1);
      block.forward(new ParameterStore(step, false), new NDList(input), true);
    }
  }

  private static float[] values(ParameterList parameters, String name) {
    for (Pair<String, ai.djl.nn.Parameter> entry : parameters) {
      if (entry.getKey().equals(name)) {
        return entry.getValue().getArray().toFloatArray();
      }
    }
    throw new AssertionError("no parameter " + name + " in " + parameters.keys());
  }
}
