package dev.contrastive.operator.observe;

import static dev.contrastive.operator.testing.PodStates.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.operator.testing.PodStates;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodObserverTest {

  @Test
  void allRunningWhenEveryDesiredPodRuns() {
    GangState gang = PodObserver.observe(List.of(pod(0, PodStates.running()), pod(1, PodStates.running())), 2);

    assertThat(gang.allRunning()).isTrue();
    assertThat(gang.ready()).isEqualTo(2);
    assertThat(gang.problems()).isEmpty();
  }

  @Test
  void missingPodsMeanNotAllRunning() {
    assertThat(PodObserver.observe(List.of(pod(0, PodStates.running())), 2).allRunning()).isFalse();
  }

  @Test
  void firstFailedRankIsReportedWithItsExitCode() {
    GangState gang = PodObserver.observe(List.of(
        pod(2, PodStates.failed(3, "Error")), pod(0, PodStates.running()), pod(1, PodStates.failed(137, "OOMKilled"))), 3);

    assertThat(gang.failure()).hasValueSatisfying(f -> {
      assertThat(f.rank()).isEqualTo(1);
      assertThat(f.exitCode()).isEqualTo(137);
      assertThat(f.describe()).isEqualTo("worker rank 1 (pod r-worker-1) failed with exit code 137 (OOMKilled)");
    });
  }

  @Test
  void unschedulablePodCarriesTheSchedulersMessage() {
    GangState gang = PodObserver.observe(
        List.of(pod(0, PodStates.unschedulable("0/3 nodes are available: 3 Insufficient nvidia.com/gpu."))), 1);

    assertThat(gang.problems()).containsExactly(
        "worker rank 0 (pod r-worker-0) is Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
  }

  @Test
  void imagePullAndCrashLoopAreProblems() {
    GangState gang = PodObserver.observe(List.of(
        pod(0, PodStates.waiting("ImagePullBackOff", "Back-off pulling image \"x\"")),
        pod(1, PodStates.waiting("CrashLoopBackOff", null)),
        pod(2, PodStates.waiting("ContainerCreating", null))), 3);

    assertThat(gang.problems()).containsExactly(
        "worker rank 0 (pod r-worker-0) is in ImagePullBackOff: Back-off pulling image \"x\"",
        "worker rank 1 (pod r-worker-1) is in CrashLoopBackOff");
  }

  @Test
  void oomKilledIsNamedWithWhatToChange() {
    GangState gang = PodObserver.observe(List.of(pod(0, PodStates.failed(137, "OOMKilled"))), 1);

    assertThat(gang.problems()).singleElement().asString().contains("OOMKilled", "spec.resources.memory");
  }

  @Test
  void allSucceededOnlyWhenEveryRankExitedZero() {
    assertThat(PodObserver.observe(List.of(pod(0, PodStates.succeeded()), pod(1, PodStates.succeeded())), 2)
        .allSucceeded()).isTrue();
    assertThat(PodObserver.observe(List.of(pod(0, PodStates.succeeded()), pod(1, PodStates.running())), 2)
        .allSucceeded()).isFalse();
  }

  private static Pod pod(int rank, PodStatus status) {
    return worker("r", rank).withStatus(status).build();
  }
}
