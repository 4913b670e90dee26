package dev.contrastive.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.lifecycle.LifecyclePolicy;
import dev.contrastive.operator.observe.GangState.WorkerFailure;
import dev.contrastive.operator.testing.Fixtures;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OperatorMetrics metrics = new OperatorMetrics(registry);

  @Test
  void runsAreCountedByRecordedPhaseAtEachScrape() {
    List<ContrastiveTrainingRun> runs = List.of(
        run("a", Phase.Running), run("b", Phase.Running), run("c", Phase.Failed), run("fresh", null));
    runs.forEach(run -> metrics.recorded(run, run.getStatus()));
    metrics.countRunsFrom(runs::stream);

    assertThat(runs(Phase.Running)).isEqualTo(2);
    assertThat(runs(Phase.Failed)).isEqualTo(1);
    assertThat(runs(Phase.Pending)).isEqualTo(1); // no status yet
    assertThat(runs(Phase.Succeeded)).isZero();
  }

  @Test
  void aPhaseATrainerPatchedIntoTheStatusIsNotCounted() {
    ContrastiveTrainingRun run = run("a", Phase.Running);
    metrics.recorded(run, run.getStatus());
    run.setStatus(status(Phase.Succeeded)); // forged display copy, as the informer's cache shows it
    metrics.countRunsFrom(List.of(run)::stream);

    assertThat(runs(Phase.Running)).isEqualTo(1);
    assertThat(runs(Phase.Succeeded)).isZero();
  }

  @Test
  void aDeletedRunIsNoLongerCounted() {
    ContrastiveTrainingRun run = run("a", Phase.Running);
    metrics.recorded(run, run.getStatus());
    metrics.countRunsFrom(List.of(run)::stream);
    assertThat(runs(Phase.Running)).isEqualTo(1);

    metrics.countRunsFrom(Stream::empty);

    assertThat(runs(Phase.Running)).isZero();
  }

  @Test
  void gangRestartsAreCountedByAFewReasons() {
    metrics.gangRestarted(failure(LifecyclePolicy.NODE_LOST, null));
    metrics.gangRestarted(failure("OOMKilled", 137));
    metrics.gangRestarted(failure("Error", 1));
    metrics.gangRestarted(failure("Error", 3));
    metrics.gangRestarted(failure(LifecyclePolicy.POD_DELETED, null));

    assertThat(restarts("NodeLost")).isEqualTo(1);
    assertThat(restarts("OOMKilled")).isEqualTo(1);
    assertThat(restarts("ExitCode")).isEqualTo(2);
    assertThat(restarts("PodDeleted")).isEqualTo(1);
  }

  @Test
  void reconcilesAreTimedAndFailuresCountedByExceptionAndRethrown() {
    assertThat(metrics.timeReconcile(() -> "done")).isEqualTo("done");
    assertThatThrownBy(() -> metrics.timeReconcile(() -> {
      throw new KubernetesClientException("gone");
    })).isInstanceOf(KubernetesClientException.class);

    assertThat(registry.get("contrastive.operator.reconcile").timer().count()).isEqualTo(2);
    assertThat(registry.get("contrastive.operator.reconcile.errors").tag("exception", "KubernetesClientException")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void timeFromCreationToAllWorkersRunningIsRecordedOncePerRun() {
    ContrastiveTrainingRun run = run("a", Phase.Pending);
    run.getMetadata().setCreationTimestamp("2026-01-01T10:00:00Z");
    ContrastiveTrainingRunStatus pending = run.getStatus();
    ContrastiveTrainingRunStatus running = status(Phase.Running);
    running.startTime = "2026-01-01T10:01:30Z";

    metrics.statusChanged(run, pending, running, Instant.parse("2026-01-01T10:01:30Z"));
    // still running, and later a restarted gang runs again: not a first start
    metrics.statusChanged(run, running, running, Instant.parse("2026-01-01T10:05:00Z"));
    ContrastiveTrainingRunStatus restarted = status(Phase.Pending);
    restarted.startTime = running.startTime;
    metrics.statusChanged(run, restarted, running, Instant.parse("2026-01-01T10:09:00Z"));

    var timer = registry.get("contrastive.operator.run.time.to.running").timer();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.totalTime(TimeUnit.SECONDS)).isEqualTo(90.0);
  }

  private double runs(Phase phase) {
    return registry.get("contrastive.operator.runs").tag("phase", phase.name()).gauge().value();
  }

  private double restarts(String reason) {
    return registry.get("contrastive.operator.gang.restarts").tag("reason", reason).counter().count();
  }

  private static WorkerFailure failure(String reason, Integer exitCode) {
    return new WorkerFailure(1, "simclr-worker-1", "gpu-b", exitCode, reason, null);
  }

  private static ContrastiveTrainingRun run(String name, Phase phase) {
    ContrastiveTrainingRun run = Fixtures.run(name, "team-a");
    run.setStatus(phase == null ? null : status(phase));
    return run;
  }

  private static ContrastiveTrainingRunStatus status(Phase phase) {
    ContrastiveTrainingRunStatus status = new ContrastiveTrainingRunStatus();
    status.phase = phase;
    return status;
  }
}
