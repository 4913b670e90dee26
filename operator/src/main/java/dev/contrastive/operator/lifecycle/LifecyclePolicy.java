package dev.contrastive.operator.lifecycle;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.api.spec.RunPolicySpec;
import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.lifecycle.Decision.Fail;
import dev.contrastive.operator.lifecycle.Decision.Proceed;
import dev.contrastive.operator.lifecycle.Decision.RestartGang;
import dev.contrastive.operator.observe.GangState;
import dev.contrastive.operator.observe.GangState.WorkerFailure;
import dev.contrastive.operator.observe.PodObserver;
import dev.contrastive.operator.plan.Gang;
import dev.contrastive.operator.plan.RunNames;
import dev.contrastive.operator.plan.World;
import dev.contrastive.operator.status.Outcome;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * run + its current gang + the Ready nodes + now -> what to do. Data-parallel workers are a gang:
 * one lost worker stops all, so any failure restarts the whole gang, up to the backoff limit.
 */
public final class LifecyclePolicy {

  /** Reasons of the failures the policy infers from nodes and pods (not reported by a pod). */
  public static final String NODE_LOST = "node lost";
  public static final String POD_DELETED = "pod deleted";

  /** The trainer's exit code for invalid input: retrying cannot help. */
  public static final int INVALID_INPUT_EXIT_CODE = 2;

  private LifecyclePolicy() {}

  /**
   * @param gangPods the pods of the current gang ({@link Gang#isMember}); pods of earlier gangs
   *     must be gone before this is asked
   * @param readyNodes names of the nodes that exist and are Ready
   */
  public static Decision decide(
      ContrastiveTrainingRun run, World world, Collection<Pod> gangPods, Set<String> readyNodes, Instant now) {
    RunPolicySpec policy = policy(run);
    ContrastiveTrainingRunStatus status = run.getStatus();
    Optional<Instant> deadline = startTime(run).filter(s -> policy.activeDeadlineSeconds != null)
        .map(start -> start.plusSeconds(policy.activeDeadlineSeconds));
    if (deadline.isPresent() && !now.isBefore(deadline.get())) {
      return new Fail(Outcome.failed(Outcome.DEADLINE_EXCEEDED, "the run was active longer than "
          + "spec.runPolicy.activeDeadlineSeconds (" + policy.activeDeadlineSeconds + "s) since " + status.startTime));
    }
    GangState gang = PodObserver.observe(gangPods, world.size());
    Optional<WorkerFailure> failure = gang.failure().map(f -> withNode(f, world));
    if (failure.isPresent() && Integer.valueOf(INVALID_INPUT_EXIT_CODE).equals(failure.get().exitCode())) {
      WorkerFailure invalid = failure.get();
      return new Fail(Outcome.invalidConfig("worker rank " + invalid.rank() + " (pod " + invalid.pod()
          + ") rejected its input with exit code 2" + (invalid.message() == null ? "" : ": " + invalid.message())));
    }
    failure = failure.or(() -> lostNode(run, world, readyNodes));
    if (status != null && status.phase == Phase.Running) {
      failure = failure.or(() -> deletedWorker(run, world, gangPods));
    }
    if (failure.isPresent()) {
      int restarts = Gang.restarts(run);
      if (restarts >= policy.backoffLimit) {
        return new Fail(Outcome.failed(Outcome.BACKOFF_LIMIT_EXCEEDED, "the gang was restarted " + restarts
            + " times (spec.runPolicy.backoffLimit " + policy.backoffLimit + "); last failure: "
            + failure.get().describe()));
      }
      return new RestartGang(failure.get(), "gang restart " + (restarts + 1) + " of " + policy.backoffLimit
          + ": " + failure.get().describe());
    }
    Outcome outcome = Outcome.of(gang);
    Optional<Duration> recheck = deadline.map(d -> Duration.between(now, d));
    if (recheck.isEmpty() && outcome.phase() == Phase.Running && policy.activeDeadlineSeconds != null) {
      // The gang starts now: this reconcile records startTime, and the deadline runs from it.
      recheck = Optional.of(Duration.ofSeconds(policy.activeDeadlineSeconds));
    }
    if (outcome.phase() == Phase.Pending && gang.unschedulable().isPresent()) {
      GangState.Unschedulable waiting = gang.unschedulable().get();
      Duration timeout = Duration.ofSeconds(policy.schedulingTimeoutSeconds);
      Duration waited = waiting.since().isAfter(now) ? Duration.ZERO : Duration.between(waiting.since(), now);
      if (waited.compareTo(timeout) >= 0) {
        outcome = Outcome.waiting(Outcome.UNSCHEDULABLE, "worker pod " + waiting.pod() + " has been unschedulable for "
            + waited.toSeconds() + "s (spec.runPolicy.schedulingTimeoutSeconds " + policy.schedulingTimeoutSeconds
            + "): " + waiting.message() + "; no worker trains until every rank is scheduled");
      } else if (!waiting.since().equals(Instant.MAX)) {
        recheck = earliest(recheck, timeout.minus(waited));
      }
    }
    return new Proceed(outcome, gang, recheck);
  }

  /** How long until the finished run is to be deleted (zero or less: now); empty without a TTL. */
  public static Optional<Duration> timeToLive(ContrastiveTrainingRun run, Instant now) {
    Long ttl = policy(run).ttlSecondsAfterFinished;
    if (ttl == null || run.getStatus() == null || run.getStatus().completionTime == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, Instant.parse(run.getStatus().completionTime).plusSeconds(ttl)));
  }

  public static boolean isSuspended(ContrastiveTrainingRun run) {
    return Boolean.TRUE.equals(policy(run).suspend);
  }

  static RunPolicySpec policy(ContrastiveTrainingRun run) {
    return run.getSpec().runPolicy == null ? new RunPolicySpec() : run.getSpec().runPolicy;
  }

  /**
   * When the deadline clock started; empty while suspended. As for a Kubernetes Job, suspension
   * stops the clock and resuming restarts it (the status records a new startTime), so a run that
   * a queue held suspended (or Kueue queued again after a preemption) for hours does not fail the
   * moment it resumes.
   */
  private static Optional<Instant> startTime(ContrastiveTrainingRun run) {
    return Optional.ofNullable(run.getStatus()).filter(s -> s.phase != Phase.Suspended && s.phase != Phase.Queued)
        .map(s -> s.startTime).map(Instant::parse);
  }

  /** A worker whose node is gone or not Ready: its pod cannot go on. */
  private static Optional<WorkerFailure> lostNode(ContrastiveTrainingRun run, World world, Set<String> readyNodes) {
    return IntStream.range(0, world.nodes().size())
        .filter(rank -> !readyNodes.contains(world.nodes().get(rank)))
        .mapToObj(rank -> new WorkerFailure(rank, RunNames.worker(run, rank), world.nodes().get(rank), null,
            NODE_LOST, null))
        .findFirst();
  }

  /** In a running gang a missing pod was deleted, by a person or an eviction: a failure. */
  private static Optional<WorkerFailure> deletedWorker(ContrastiveTrainingRun run, World world, Collection<Pod> pods) {
    Set<Integer> present = pods.stream().map(PodObserver::rank).collect(Collectors.toSet());
    return IntStream.range(0, world.size()).filter(rank -> !present.contains(rank))
        .mapToObj(rank -> new WorkerFailure(rank, RunNames.worker(run, rank), world.nodeOf(rank).orElse(null), null,
            POD_DELETED, null))
        .findFirst();
  }

  private static WorkerFailure withNode(WorkerFailure failure, World world) {
    if (failure.node() != null || failure.rank() >= world.size()) {
      return failure;
    }
    return new WorkerFailure(failure.rank(), failure.pod(), world.nodeOf(failure.rank()).orElse(null),
        failure.exitCode(), failure.reason(), failure.message());
  }

  private static Optional<Duration> earliest(Optional<Duration> a, Duration b) {
    return Stream.concat(a.stream(), List.of(b).stream()).min(Duration::compareTo);
  }
}
