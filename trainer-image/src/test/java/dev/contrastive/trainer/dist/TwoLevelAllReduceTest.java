package dev.contrastive.trainer.dist;

import static dev.contrastive.trainer.dist.AllReduceData.floats;
import static dev.contrastive.trainer.dist.AllReduceData.gaussians;
import static dev.contrastive.trainer.dist.AllReduceData.integers;
import static dev.contrastive.trainer.dist.AllReduceData.integersSum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.spec.DistributedSpec;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TwoLevelAllReduceTest {

  private static final int BUCKET = 64 * 1024;

  static DistributedSpec spec() {
    DistributedSpec spec = new DistributedSpec();
    spec.rendezvousTimeoutSeconds = 10;
    spec.peerTimeoutSeconds = 10;
    return spec;
  }

  /** A two-level all-reduce on {@code nodes x perNode} ranks of a local gang. */
  static TwoLevelAllReduce twoLevel(ProcessGroup group, int perNode, int masterPort) {
    WorkerEnvironment env = LocalGang.environment(group.rank(), group.worldSize(), masterPort, LocalGang.TOKEN);
    return TwoLevelAllReduce.open(group, env, NodeLayout.of(group.rank(), perNode), spec(), false);
  }

  @ParameterizedTest(name = "{0} nodes x {1} processes, {2} floats")
  @CsvSource({"2, 2, 1", "2, 2, 7", "2, 2, 100003", "3, 2, 250001", "2, 3, 30011"})
  void sumEqualsTheSumComputedInOnePlaceOnEveryRank(int nodes, int perNode, int floats) {
    int world = nodes * perNode;
    List<float[]> results = LocalGang.runWithPort(world, BUCKET, (group, port) -> {
      try (TwoLevelAllReduce allReduce = twoLevel(group, perNode, port)) {
        ByteBuffer data = integers(group.rank(), floats);
        allReduce.allReduce(data, false);
        return floats(data);
      }
    });

    float[] expected = integersSum(world, floats);
    assertThat(results).allSatisfy(result -> assertThat(result).isEqualTo(expected));
  }

  @Test
  void averageOfRandomFloatsIsBitIdenticalOnEveryRankAndCloseToTheFlatRing() {
    int floats = 30_001;
    List<float[][]> results = LocalGang.runWithPort(4, BUCKET, (group, port) -> {
      try (TwoLevelAllReduce allReduce = twoLevel(group, 2, port)) {
        ByteBuffer twoLevel = gaussians(group.rank(), floats);
        ByteBuffer flat = gaussians(group.rank(), floats);
        allReduce.allReduce(twoLevel, true);
        group.allReduce(flat, true);
        return new float[][] {floats(twoLevel), floats(flat)};
      }
    });

    for (float[][] result : results) {
      assertThat(result[0]).isEqualTo(results.get(0)[0]);
      for (int i = 0; i < floats; i++) {
        assertThat(result[0][i]).isCloseTo(result[1][i], Offset.offset(1e-6f));
      }
    }
  }

  @Test
  void reduceScatterThenAllGatherIsTheAllReduceBitForBit() {
    int floats = 10_007;
    List<float[][]> results = LocalGang.run(3, BUCKET, group -> {
      ByteBuffer halves = gaussians(group.rank(), floats);
      ByteBuffer whole = gaussians(group.rank(), floats);
      ProcessGroup.Shard shard = group.reduceScatter(halves);
      assertThat(shard).isEqualTo(group.shard(floats));
      group.allGatherShards(halves);
      group.allReduce(whole, false);
      return new float[][] {floats(halves), floats(whole)};
    });

    assertThat(results).allSatisfy(r -> assertThat(r[0]).isEqualTo(r[1]));
  }

  @Test
  void theSettingChoosesAndAWrongOneIsNamed() {
    List<String> chosen = LocalGang.runWithPort(2, BUCKET, (group, port) -> {
      Map<String, String> env = new HashMap<>(Map.of("RANK", Integer.toString(group.rank()),
          "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", Integer.toString(port),
          "RENDEZVOUS_TOKEN", LocalGang.TOKEN, "POD_IP", "127.0.0.1"));
      // two nodes of one process: the flat ring is the only level
      try (AllReduceAlgorithm auto = AllReduceAlgorithm.open(group, env, spec())) {
        return auto.describe();
      }
    });
    assertThat(chosen).containsOnly("flat ring of 2");

    assertThatThrownBy(() -> AllReduceAlgorithm.open(null, Map.of("CONTRASTIVE_ALLREDUCE", "tree"), spec()))
        .hasMessage("CONTRASTIVE_ALLREDUCE=tree is not allowed; use auto, flat or two-level");
  }
}
