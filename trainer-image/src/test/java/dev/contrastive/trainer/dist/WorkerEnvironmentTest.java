package dev.contrastive.trainer.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerEnvironmentTest {

  private static Map<String, String> gang() {
    Map<String, String> env = new HashMap<>();
    env.put("RANK", "1");
    env.put("WORLD_SIZE", "2");
    env.put("MASTER_ADDR", "run-worker-0.run");
    env.put("RENDEZVOUS_TOKEN", "s3cret");
    env.put("POD_IP", "10.0.0.5");
    return env;
  }

  @Test
  void readsTheGangAndFallsBackToTheRunsPort() {
    WorkerEnvironment env = WorkerEnvironment.fromEnvironment(gang(), 29500);

    assertThat(env).isEqualTo(
        new WorkerEnvironment(1, 2, "run-worker-0.run", 29500, "s3cret", "10.0.0.5", 0));
  }

  @Test
  void withoutWorldSizeItIsASingleProcessRun() {
    assertThat(WorkerEnvironment.fromEnvironment(Map.of(), 29500).worldSize()).isEqualTo(1);
  }

  @Test
  void rankOutsideTheWorldIsRejectedNamingTheVariable() {
    Map<String, String> env = gang();
    env.put("RANK", "2");

    assertThatThrownBy(() -> WorkerEnvironment.fromEnvironment(env, 29500))
        .isInstanceOf(DistributedException.class)
        .hasMessage("environment variable RANK must be an integer in [0, 1], got '2'");
  }

  @Test
  void missingPodIpIsRejectedNamingTheVariable() {
    Map<String, String> env = gang();
    env.remove("POD_IP");

    assertThatThrownBy(() -> WorkerEnvironment.fromEnvironment(env, 29500))
        .hasMessage("environment variable POD_IP is required when WORLD_SIZE > 1");
  }

  @Test
  void withoutRankAPodOfOneProcessIsItsNodeRankAndAChildAddsItsLocalRank() {
    Map<String, String> env = gang();
    env.remove("RANK");
    env.put("WORLD_SIZE", "4");
    env.put("NODE_RANK", "1");
    env.put("NPROC_PER_NODE", "2");
    env.put("LOCAL_RANK", "1");

    assertThat(WorkerEnvironment.fromEnvironment(env, 29500).rank()).isEqualTo(3);
    assertThat(NodeLayout.fromEnvironment(env, 3, 4)).isEqualTo(new NodeLayout(1, 1, 2));
    env.put("NPROC_PER_NODE", "1");
    env.remove("LOCAL_RANK");
    env.put("NODE_RANK", "2");
    assertThat(WorkerEnvironment.fromEnvironment(env, 29500).rank()).isEqualTo(2);
  }

  @Test
  void aLayoutThatDoesNotAddUpIsRejectedNamingTheVariables() {
    assertThatThrownBy(() -> NodeLayout.fromEnvironment(Map.of("NPROC_PER_NODE", "3"), 1, 4))
        .hasMessage("WORLD_SIZE 4 is not a multiple of NPROC_PER_NODE 3: every node runs the same"
            + " number of processes");
    assertThatThrownBy(() -> NodeLayout.fromEnvironment(
        Map.of("NPROC_PER_NODE", "2", "LOCAL_RANK", "0"), 3, 4))
        .hasMessage("environment variable LOCAL_RANK is 0 but RANK 3 with NPROC_PER_NODE 2 means 1");
  }
}
