package dev.contrastive.operator.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.lifecycle.Decision.Fail;
import dev.contrastive.operator.lifecycle.Decision.Proceed;
import dev.contrastive.operator.lifecycle.Decision.RestartGang;
import dev.contrastive.operator.plan.World;
import dev.contrastive.operator.testing.Fixtures;
import dev.contrastive.operator.testing.PodStates;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LifecyclePolicyTest {

  private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
  private static final World AB = World.pinned(List.of("a", "b"));
  private static final Set<String> READY = Set.of("a", "b");

  @Test
  void aFailedWorkerRestartsTheGangNamingRankNodeAndExitCode() {
    ContrastiveTrainingRun run = running(0);

    Decision decision = LifecyclePolicy.decide(run, AB, List.of(pod(0, PodStates.running()),
        pod(1, PodStates.failed(137, "Error"))), READY, NOW);

    assertThat(decision).isInstanceOfSatisfying(RestartGang.class, restart -> {
      assertThat(restart.failure().rank()).isEqualTo(1);
      assertThat(restart.message()).contains("gang restart 1 of 3", "rank 1", "node b", "exit code 137");
    });
  }

  @Test
  void theBackoffLimitEndsTheRun() {
    ContrastiveTrainingRun run = running(3);

    Decision decision = LifecyclePolicy.decide(run, AB, List.of(pod(0, PodStates.running()),
        pod(1, PodStates.failed(1, "Error"))), READY, NOW);

    assertThat(decision).isInstanceOfSatisfying(Fail.class, fail -> {
      assertThat(fail.outcome().reason()).isEqualTo("BackoffLimitExceeded");
      assertThat(fail.outcome().message()).contains("3 times", "spec.runPolicy.backoffLimit 3", "rank 1");
    });
  }

  @Test
  void exitCodeTwoFailsAtOnceWithTheTrainersMessage() {
    PodStatus invalid = PodStates.failed(2, "Error");
    invalid.getContainerStatuses().get(0).getState().getTerminated().setMessage("trainer.maxEpochs: must be >= 1\n");

    Decision decision = LifecyclePolicy.decide(running(0), AB, List.of(pod(0, PodStates.running()), pod(1, invalid)),
        READY, NOW);

    assertThat(decision).isInstanceOfSatisfying(Fail.class, fail -> {
      assertThat(fail.outcome().reason()).isEqualTo("InvalidConfig");
      assertThat(fail.outcome().message()).endsWith("exit code 2: trainer.maxEpochs: must be >= 1");
    });
  }

  @Test
  void aDeletedPodOfARunningGangIsAFailure() {
    Decision decision = LifecyclePolicy.decide(running(0), AB, List.of(pod(0, PodStates.running())), READY, NOW);

    assertThat(decision).isInstanceOfSatisfying(RestartGang.class,
        restart -> assertThat(restart.message()).contains("rank 1", "pod deleted"));
  }

  @Test
  void aMissingPodOfAPendingGangIsOnlyNotCreatedYet() {
    ContrastiveTrainingRun run = Fixtures.run("r", "ns");

    assertThat(LifecyclePolicy.decide(run, AB, List.of(pod(0, PodStates.running())), READY, NOW))
        .isInstanceOf(Proceed.class);
  }

  @Test
  void aLostNodeRestartsTheGang() {
    Decision decision = LifecyclePolicy.decide(running(0), AB, List.of(pod(0, PodStates.running()),
        pod(1, PodStates.running())), Set.of("a"), NOW);

    assertThat(decision).isInstanceOfSatisfying(RestartGang.class,
        restart -> assertThat(restart.message()).contains("rank 1", "node b", "node lost"));
  }

  @Test
  void theDeadlineFailsTheRunAndIsRecheckedInTime() {
    ContrastiveTrainingRun run = running(0);
    run.getSpec().runPolicy.activeDeadlineSeconds = 60L;
    List<Pod> pods = List.of(pod(0, PodStates.running()), pod(1, PodStates.running()));

    Decision before = LifecyclePolicy.decide(run, AB, pods, READY, NOW.plusSeconds(50));
    Decision after = LifecyclePolicy.decide(run, AB, pods, READY, NOW.plusSeconds(60));

    assertThat(before).isInstanceOfSatisfying(Proceed.class,
        proceed -> assertThat(proceed.recheckAfter()).contains(Duration.ofSeconds(10)));
    assertThat(after).isInstanceOfSatisfying(Fail.class, fail -> {
      assertThat(fail.outcome().reason()).isEqualTo("DeadlineExceeded");
      assertThat(fail.outcome().message()).contains("spec.runPolicy.activeDeadlineSeconds (60s)");
    });
  }

  @Test
  void theDeadlineClockStartsWhenTheGangRuns() {
    ContrastiveTrainingRun run = Fixtures.run("r", "ns");
    run.getSpec().runPolicy.activeDeadlineSeconds = 60L;

    Decision decision = LifecyclePolicy.decide(run, AB, List.of(pod(0, PodStates.running()),
        pod(1, PodStates.running())), READY, NOW);

    assertThat(decision).isInstanceOfSatisfying(Proceed.class,
        proceed -> assertThat(proceed.recheckAfter()).contains(Duration.ofSeconds(60)));
  }

  @Test
  void aRunResumedAfterItsDeadlineWouldHavePassedStartsANewClock() {
    ContrastiveTrainingRun run = running(0);
    run.getSpec().runPolicy.activeDeadlineSeconds = 60L;
    run.getStatus().phase = Phase.Suspended; // suspended for an hour, now resumed

    Decision decision = LifecyclePolicy.decide(run, AB, List.of(pod(0, PodStates.running()),
        pod(1, PodStates.running())), READY, NOW.plusSeconds(3600));

    assertThat(decision).isInstanceOfSatisfying(Proceed.class,
        proceed -> assertThat(proceed.recheckAfter()).contains(Duration.ofSeconds(60)));
  }

  @Test
  void aGangQueuedAgainByKueueIsNotFailedByTheDeadline() {
    // Kueue preempted the gang an hour into a 60 s deadline; its new pods wait gated for admission.
    ContrastiveTrainingRun run = running(0);
    run.getSpec().runPolicy.activeDeadlineSeconds = 60L;
    run.getStatus().phase = Phase.Queued;
    List<Pod> gated = List.of(pod(0, new PodStatus()), pod(1, new PodStatus()));

    Decision decision = LifecyclePolicy.decide(run, AB, gated, READY, NOW.plusSeconds(3600));

    assertThat(decision).isInstanceOfSatisfying(Proceed.class, proceed -> {
      assertThat(proceed.outcome().phase()).isEqualTo(Phase.Pending);
      assertThat(proceed.recheckAfter()).as("no deadline runs while queued").isEmpty();
    });
  }

  @Test
  void unschedulableLongerThanTheTimeoutIsReportedAsSuch() {
    ContrastiveTrainingRun run = Fixtures.run("r", "ns");
    run.getSpec().runPolicy.schedulingTimeoutSeconds = 30;
    PodStatus stuck = PodStates.unschedulable("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.");
    stuck.getConditions().get(0).setLastTransitionTime(NOW.toString());
    List<Pod> pods = List.of(pod(0, PodStates.running()), pod(1, stuck));

    Decision early = LifecyclePolicy.decide(run, AB, pods, READY, NOW.plusSeconds(10));
    Decision late = LifecyclePolicy.decide(run, AB, pods, READY, NOW.plusSeconds(30));

    assertThat(early).isInstanceOfSatisfying(Proceed.class, proceed -> {
      assertThat(proceed.outcome().reason()).isEqualTo("WorkersPending");
      assertThat(proceed.recheckAfter()).contains(Duration.ofSeconds(20));
    });
    assertThat(late).isInstanceOfSatisfying(Proceed.class, proceed -> {
      assertThat(proceed.outcome().phase()).isEqualTo(Phase.Pending);
      assertThat(proceed.outcome().reason()).isEqualTo("Unschedulable");
      assertThat(proceed.outcome().message()).contains("r-worker-1", "2 Insufficient nvidia.com/gpu");
    });
  }

  @Test
  void theTtlCountsFromCompletion() {
    ContrastiveTrainingRun run = running(0);
    run.getStatus().phase = Phase.Succeeded;
    run.getStatus().completionTime = NOW.toString();
    run.getSpec().runPolicy.ttlSecondsAfterFinished = 100L;

    assertThat(LifecyclePolicy.timeToLive(run, NOW.plusSeconds(40))).contains(Duration.ofSeconds(60));
    run.getSpec().runPolicy.ttlSecondsAfterFinished = null;
    assertThat(LifecyclePolicy.timeToLive(run, NOW.plusSeconds(40))).isEmpty();
  }

  static ContrastiveTrainingRun running(int restarts) {
    ContrastiveTrainingRun run = Fixtures.run("r", "ns");
    ContrastiveTrainingRunStatus status = new ContrastiveTrainingRunStatus();
    status.phase = Phase.Running;
    status.restarts = restarts;
    status.startTime = NOW.toString();
    run.setStatus(status);
    return run;
  }

  static Pod pod(int rank, PodStatus status) {
    return PodStates.worker("r", rank).withStatus(status).build();
  }
}
