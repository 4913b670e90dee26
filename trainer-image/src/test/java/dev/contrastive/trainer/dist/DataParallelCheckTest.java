package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.contrastive.trainer.device.HostTransfer;
import dev.contrastive.trainer.device.Placement;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The device check gpu-check runs, here on the CPU on both host paths (staging: the GPU's). */
class DataParallelCheckTest {

  @ParameterizedTest(name = "{0} nodes x {1} processes, {2}")
  @CsvSource({"1, 2, ZERO_COPY", "1, 2, STAGING", "2, 2, ZERO_COPY", "2, 2, STAGING"})
  void ranksEndWhereOneProcessOnTheGlobalBatchEnds(int nodes, int perNode, HostTransfer transfer) {
    int world = nodes * perNode;
    Placement placement = new Placement(Device.cpu(), transfer);
    List<DataParallelCheck.Result> results = LocalGang.runWithPort(world, 4096, (group, port) -> {
      try (AllReduceAlgorithm algorithm = perNode > 1 && nodes > 1
          ? TwoLevelAllReduceTest.twoLevel(group, perNode, port)
          : AllReduceAlgorithm.flat(group)) {
        return DataParallelCheck.run(group, placement, algorithm);
      }
    });

    for (DataParallelCheck.Result result : results) {
      assertThat(result.passed()).as(result.describe()).isTrue();
      assertThat(result.ranks()).isEqualTo(world);
      assertThat(result.compared().parameters()).isEqualTo(6);
      assertThat(result.largestDifference()).isEqualTo(results.get(0).largestDifference());
    }
    assertThat(results.get(0).describe()).startsWith(world + " ranks, " + DataParallelCheck.STEPS + " steps: ");
  }

  /** What zero-copy did on CUDA: the averaged values land in a copy, every rank keeps its own. */
  @ParameterizedTest
  @EnumSource(HostTransfer.class)
  void anExchangeThatLeavesTheGradientsAsTheyWereFailsWithTheFirstTensor(HostTransfer transfer) {
    AllReduceAlgorithm intoACopy = new AllReduceAlgorithm() {
      @Override
      public void allReduce(ByteBuffer floats, boolean average) {}

      @Override
      public String describe() {
        return "an all-reduce into a copy";
      }
    };
    List<String> messages = LocalGang.run(2, 4096, group -> {
      try {
        return DataParallelCheck.run(group, new Placement(Device.cpu(), transfer), intoACopy).describe();
      } catch (ReplicaDriftException e) {
        return e.getMessage();
      }
    });

    assertThat(messages).allSatisfy(m -> assertThat(m).startsWith(
        "replica check after 3 steps failed: tensor '01Conv2d_weight' differs: rank 0 (sum "));
  }
}
