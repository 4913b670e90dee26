package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.ParameterList;
import ai.djl.training.GradientCollector;
import dev.contrastive.trainer.device.HostTransfer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The replica tripwire catches a rank that stopped following the others, on both host paths. */
class ReplicaCheckTest {

  private static final int WORLD = 3;
  private static final int STEPS = 2;

  @ParameterizedTest
  @EnumSource(HostTransfer.class)
  void ranksTrainingTogetherPass(HostTransfer transfer) {
    List<String> outcomes = LocalGang.run(WORLD, 256, group -> train(group, transfer, -1));

    assertThat(outcomes).containsOnly("passed");
  }

  @ParameterizedTest
  @EnumSource(HostTransfer.class)
  void ranksTrainingWithBf16OnTheWirePass(HostTransfer transfer) {
    List<String> outcomes = LocalGang.run(WORLD, 256,
        group -> train(group, transfer, new GradientAllReducer(group, transfer, AllReduceAlgorithm.flat(group, true)),
            -1));

    assertThat(outcomes).containsOnly("passed");
  }

  @ParameterizedTest
  @EnumSource(HostTransfer.class)
  void aRankWhoseUpdateIsSkippedFailsEveryRankWithOneLineNamingTheFirstTensorAndTheRanks(
      HostTransfer transfer) {
    List<String> outcomes = LocalGang.run(WORLD, 256, group -> train(group, transfer, 1));

    assertThat(outcomes).allSatisfy(message -> assertThat(message).isEqualTo(outcomes.get(0)));
    assertThat(outcomes.get(0)).hasLineCount(1)
        .startsWith("replica check after step " + STEPS + " failed: tensor '" + firstTensor() + "' differs: rank 1 (sum ")
        .contains(" vs ranks 0, 2 (sum ")
        .endsWith("the ranks no longer train the same model");
  }

  @Test
  void ranksComparingDifferentTensorCountsAreToldApart() {
    double[][] all = {{2, 7, 1, 1, 1, 2, 2, 2}, {1, 7, 1, 1, 1, 0, 0, 0}};

    assertThat(ReplicaCheck.firstDifference(List.of("a", "b"), all))
        .isEqualTo("rank 1 compares 1 tensors, rank 0 2");
  }

  /**
   * Trains {@link #STEPS} steps of the equivalence test's model; rank {@code skipping} leaves out
   * its update in the first step. Returns "passed" or the failure's message.
   */
  private static String train(ProcessGroup group, HostTransfer transfer, int skipping) {
    return train(group, transfer, new GradientAllReducer(group, transfer), skipping);
  }

  private static String train(ProcessGroup group, HostTransfer transfer, GradientAllReducer reducer, int skipping) {
    ReplicaCheck check = new ReplicaCheck(group, transfer, false);
    try (NDManager manager = NDManager.newBaseManager()) {
      Block block = DataParallelEquivalenceTest.model(manager);
      ParameterList parameters = block.getParameters();
      reducer.broadcastParameters(parameters);
      check.verify(parameters, "after the start-up broadcast");
      for (int step = 0; step < STEPS; step++) {
        try (NDManager stepManager = manager.newSubManager()) {
          synchronized (DataParallelEquivalenceTest.COLLECTOR) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
              collector.backward(DataParallelEquivalenceTest.loss(block, stepManager, step, group.rank()));
            }
          }
        }
        reducer.allReduceGradients(parameters);
        if (!(step == 0 && group.rank() == skipping)) {
          DataParallelEquivalenceTest.sgdStep(parameters);
        }
      }
      check.verify(parameters, "after step " + STEPS);
      return "passed";
    } catch (ReplicaDriftException e) {
      return e.getMessage();
    }
  }

  private static String firstTensor() {
    try (NDManager manager = NDManager.newBaseManager()) {
      return DataParallelEquivalenceTest.model(manager).getParameters().get(0).getKey();
    }
  }
}
