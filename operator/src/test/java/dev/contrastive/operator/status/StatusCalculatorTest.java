package dev.contrastive.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.ProgressStatus;
import dev.contrastive.api.status.WorkersStatus;
import dev.contrastive.operator.observe.GangState;
import dev.contrastive.operator.observe.GangState.WorkerFailure;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusCalculatorTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T10:05:00Z");
  private static final WorkersStatus TWO = WorkersStatus.of(2, 2, List.of("a", "b"));

  @Test
  void pendingUntilEveryWorkerRuns() {
    assertThat(Outcome.of(gang(1, 0, 0, Optional.empty())).phase()).isEqualTo(Phase.Pending);
    assertThat(Outcome.of(gang(2, 0, 0, Optional.empty())).phase()).isEqualTo(Phase.Running);
    assertThat(Outcome.of(gang(0, 2, 0, Optional.empty())).phase()).isEqualTo(Phase.Succeeded);
  }

  @Test
  void aGangRestartCountsAndItsConditionOutlivesLaterPhases() {
    Outcome restarting = Outcome.waiting(Outcome.WORKER_FAILED, "worker rank 1 failed with exit code 3");
    ContrastiveTrainingRunStatus restarted = StatusCalculator.restarted(
        StatusCalculator.next(null, 1L, restarting, TWO, T0), Outcome.WORKER_FAILED, restarting.message(), T0);

    ContrastiveTrainingRunStatus later = StatusCalculator.next(restarted, 1L, Outcome.of(gang(2, 0, 0, Optional.empty())), TWO, T1);

    assertThat(later.restarts).isEqualTo(1);
    assertThat(condition(later, StatusCalculator.RESTARTED).getReason()).isEqualTo("WorkerFailed");
    assertThat(condition(later, StatusCalculator.RESTARTED).getMessage()).contains("rank 1", "exit code 3");
    assertThat(condition(later, StatusCalculator.READY).getStatus()).isEqualTo("True");
  }

  @Test
  void suspendedHasItsOwnCondition() {
    ContrastiveTrainingRunStatus suspended = StatusCalculator.next(null, 1L, Outcome.suspended(), null, T0);

    assertThat(suspended.phase).isEqualTo(Phase.Suspended);
    assertThat(condition(suspended, StatusCalculator.SUSPENDED).getStatus()).isEqualTo("True");
    assertThat(condition(suspended, StatusCalculator.READY).getStatus()).isEqualTo("False");
  }

  @Test
  void podProblemsAreCopiedIntoTheMessage() {
    GangState gang = new GangState(2, 2, 1, 1, 0, Optional.empty(), List.of("worker rank 1 is Unschedulable: x"),
        Optional.empty());

    assertThat(Outcome.of(gang).message()).contains("1/2 running", "worker rank 1 is Unschedulable: x");
  }

  @Test
  void runningSetsStartTimeAndReadyOnceAndKeepsTransitionTimes() {
    Outcome running = Outcome.of(gang(2, 0, 0, Optional.empty()));
    ContrastiveTrainingRunStatus first = StatusCalculator.next(null, 3L, running, TWO, T0);
    ContrastiveTrainingRunStatus second = StatusCalculator.next(first, 3L, running, TWO, T1);

    assertThat(second.startTime).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(condition(second, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(second, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(second.observedGeneration).isEqualTo(3L);
    assertThat(StatusPatcher.differs(first, second)).isFalse();
  }

  @Test
  void resumingARunThatHadStartedRestartsItsDeadlineClock() {
    Outcome running = Outcome.of(gang(2, 0, 0, Optional.empty()));
    ContrastiveTrainingRunStatus started = StatusCalculator.next(null, 1L, running, TWO, T0);
    ContrastiveTrainingRunStatus suspended =
        StatusCalculator.next(started, 2L, Outcome.suspended(), WorkersStatus.of(0, 0, List.of()), T0.plusSeconds(60));
    ContrastiveTrainingRunStatus resumed = StatusCalculator.next(suspended, 3L,
        Outcome.of(gang(2, 0, 0, Optional.empty())), TWO, T1);

    assertThat(suspended.startTime).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(resumed.startTime).isEqualTo("2026-01-01T10:05:00Z");
  }

  @Test
  void aGangAdmittedAgainAfterKueueQueuedItRestartsItsDeadlineClock() {
    ContrastiveTrainingRunStatus started = StatusCalculator.next(null, 1L, Outcome.of(gang(2, 0, 0, Optional.empty())),
        TWO, T0);
    ContrastiveTrainingRunStatus queued = StatusCalculator.next(started, 1L,
        Outcome.queued(Outcome.EVICTED_BY_KUEUE, "Kueue stopped the gang"), TWO, T0.plusSeconds(60));
    ContrastiveTrainingRunStatus admitted = StatusCalculator.next(queued, 1L, Outcome.of(gang(0, 0, 0, Optional.empty())),
        TWO, T1);

    assertThat(queued.startTime).isEqualTo("2026-01-01T10:00:00Z");
    assertThat(admitted.phase).isEqualTo(Phase.Pending);
    assertThat(admitted.startTime).isEqualTo("2026-01-01T10:05:00Z");
  }

  @Test
  void finishingSetsCompletionTimeAndFlipsConditions() {
    ContrastiveTrainingRunStatus running = StatusCalculator.next(null, 1L, Outcome.of(gang(2, 0, 0, Optional.empty())), TWO, T0);
    ContrastiveTrainingRunStatus done = StatusCalculator.next(running, 1L, Outcome.of(gang(0, 2, 0, Optional.empty())), TWO, T1);

    assertThat(done.phase).isEqualTo(Phase.Succeeded);
    assertThat(done.completionTime).isEqualTo("2026-01-01T10:05:00Z");
    assertThat(condition(done, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(done, "Ready").getLastTransitionTime()).isEqualTo("2026-01-01T10:05:00Z");
    assertThat(condition(done, "Succeeded").getStatus()).isEqualTo("True");
  }

  @Test
  void theOperatorsStatusNeverCarriesProgress() {
    ContrastiveTrainingRunStatus current = new ContrastiveTrainingRunStatus();
    current.progress = new ProgressStatus();
    current.progress.epoch = 4;

    ContrastiveTrainingRunStatus next = StatusCalculator.next(current, 1L, Outcome.invalidConfig("x"), null, T0);

    assertThat(next.progress).isNull();
    assertThat(StatusPatcher.operations(current, next).toString()).doesNotContain("progress");
  }

  private static GangState gang(int running, int succeeded, int ready, Optional<WorkerFailure> failure) {
    return new GangState(2, running + succeeded + (failure.isPresent() ? 1 : 0), running, ready, succeeded,
        failure, List.of(), Optional.empty());
  }

  private static Condition condition(ContrastiveTrainingRunStatus status, String type) {
    return status.conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }
}
