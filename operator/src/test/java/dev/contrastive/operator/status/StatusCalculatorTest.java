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
  void aFailedWorkerFailsTheRunNamingRankAndExitCode() {
    Outcome outcome = Outcome.of(gang(1, 0, 0, Optional.of(new WorkerFailure(1, "r-worker-1", 2, "Error"))));

    assertThat(outcome.phase()).isEqualTo(Phase.Failed);
    assertThat(outcome.message()).contains("rank 1", "exit code 2");
  }

  @Test
  void podProblemsAreCopiedIntoTheMessage() {
    GangState gang = new GangState(2, 2, 1, 1, 0, Optional.empty(), List.of("worker rank 1 is Unschedulable: x"));

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
        failure, List.of());
  }

  private static Condition condition(ContrastiveTrainingRunStatus status, String type) {
    return status.conditions.stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }
}
