package dev.contrastive.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.status.Outcome;
import dev.contrastive.operator.status.StatusCalculator;
import dev.contrastive.operator.testing.PodStates;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodCleanupTest {

  private static final List<Pod> PODS = List.of(
      LifecyclePolicyTest.pod(0, PodStates.running()), LifecyclePolicyTest.pod(1, PodStates.failed(2, "Error")));

  @Test
  void allDeletesEveryPod() {
    assertThat(ranksDeleted("All", Outcome.INVALID_CONFIG)).containsExactly("r-worker-0", "r-worker-1");
  }

  @Test
  void runningKeepsEndedPodsForTheirLogs() {
    assertThat(ranksDeleted("Running", Outcome.INVALID_CONFIG)).containsExactly("r-worker-0");
  }

  @Test
  void noneKeepsEveryPod() {
    assertThat(ranksDeleted("None", Outcome.INVALID_CONFIG)).isEmpty();
  }

  @Test
  void aRunTheOperatorEndedStopsItsRunningPodsEvenWithNone() {
    assertThat(ranksDeleted("None", Outcome.DEADLINE_EXCEEDED)).containsExactly("r-worker-0");
    assertThat(ranksDeleted("None", Outcome.BACKOFF_LIMIT_EXCEEDED)).containsExactly("r-worker-0");
  }

  private static List<String> ranksDeleted(String policy, String failedReason) {
    ContrastiveTrainingRun run = LifecyclePolicyTest.running(0);
    run.getSpec().runPolicy.cleanPodPolicy = policy;
    run.setStatus(StatusCalculator.next(run.getStatus(), 1L, Outcome.failed(failedReason, "x"), null,
        Instant.parse("2026-01-01T10:00:00Z")));
    assertThat(run.getStatus().phase).isEqualTo(Phase.Failed);
    return PodCleanup.toDelete(run, PODS).stream().map(p -> p.getMetadata().getName()).toList();
  }
}
