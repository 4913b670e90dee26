package dev.contrastive.operator.status;

import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.WorkersStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * current status + outcome -> the operator's part of the next status. {@code progress} is left
 * null: the trainer owns it, and the patch must neither send nor clear it.
 */
public final class StatusCalculator {

  /** Condition types, each True in exactly one family of phases. */
  public static final String READY = "Ready";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";
  public static final String SUSPENDED = "Suspended";
  /** True while Kueue has not admitted the gang; present only on runs that were ever queued. */
  public static final String QUEUED = "Queued";
  /** True once the gang was restarted; reason and message tell the latest restart's cause. */
  public static final String RESTARTED = "GangRestarted";
  /** False while a spec edit waits unapplied because training fields are fixed during a run. */
  public static final String SPEC_APPLIED = "SpecApplied";

  private StatusCalculator() {}

  public static ContrastiveTrainingRunStatus next(
      ContrastiveTrainingRunStatus current, Long generation, Outcome outcome, WorkersStatus workers, Instant now) {
    ContrastiveTrainingRunStatus before = current == null ? new ContrastiveTrainingRunStatus() : current;
    String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    ContrastiveTrainingRunStatus next = new ContrastiveTrainingRunStatus();
    next.phase = outcome.phase();
    next.message = outcome.message();
    next.observedGeneration = generation;
    next.workers = workers;
    next.restarts = before.restarts;
    next.startTime = startTime(before, outcome, timestamp);
    next.completionTime = before.completionTime != null || !outcome.phase().isFinished()
        ? before.completionTime : timestamp;
    next.conditions = new ArrayList<>(List.of(
        condition(before, READY, outcome.phase() == Phase.Running, outcome, generation, timestamp),
        condition(before, SUCCEEDED, outcome.phase() == Phase.Succeeded, outcome, generation, timestamp),
        condition(before, FAILED, outcome.phase() == Phase.Failed, outcome, generation, timestamp),
        condition(before, SUSPENDED, outcome.phase() == Phase.Suspended, outcome, generation, timestamp)));
    if (outcome.phase() == Phase.Queued || find(before, QUEUED).isPresent()) {
      next.conditions.add(condition(before, QUEUED, outcome.phase() == Phase.Queued, outcome, generation, timestamp));
    }
    find(before, RESTARTED).ifPresent(next.conditions::add);
    find(before, SPEC_APPLIED).ifPresent(next.conditions::add);
    next.progress = null;
    return next;
  }

  /**
   * Set when the gang first runs, and again when a suspended run, or one Kueue stopped and queued
   * again, that had started resumes: the deadline (activeDeadlineSeconds) counts from it, and
   * suspension stops that clock as for a Job.
   */
  private static String startTime(ContrastiveTrainingRunStatus before, Outcome outcome, String timestamp) {
    boolean resumed = (before.phase == Phase.Suspended || before.phase == Phase.Queued)
        && outcome.phase() != before.phase;
    if (before.startTime != null) {
      return resumed ? timestamp : before.startTime;
    }
    return outcome.phase() == Phase.Running ? timestamp : null;
  }

  /** A gang restart: one more restart counted, and the {@link #RESTARTED} condition names its cause. */
  public static ContrastiveTrainingRunStatus restarted(ContrastiveTrainingRunStatus status, String reason,
      String message, Instant now) {
    status.restarts = (status.restarts == null ? 0 : status.restarts) + 1;
    return with(status, new ConditionBuilder().withType(RESTARTED).withStatus("True").withReason(reason)
        .withMessage(message).withObservedGeneration(status.observedGeneration)
        .withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString()).build());
  }

  /** Whether the spec as edited is what the workers run; {@code reason} and {@code message} say why not. */
  public static ContrastiveTrainingRunStatus specApplied(ContrastiveTrainingRunStatus status, boolean applied,
      String reason, String message, Instant now) {
    Outcome outcome = new Outcome(status.phase, reason, message);
    return with(status, condition(status, SPEC_APPLIED, applied, outcome, status.observedGeneration,
        now.truncatedTo(ChronoUnit.SECONDS).toString()));
  }

  private static ContrastiveTrainingRunStatus with(ContrastiveTrainingRunStatus status, Condition condition) {
    List<Condition> conditions = new ArrayList<>(status.conditions);
    conditions.removeIf(c -> condition.getType().equals(c.getType()));
    conditions.add(condition);
    status.conditions = conditions;
    return status;
  }

  private static Optional<Condition> find(ContrastiveTrainingRunStatus status, String type) {
    return status.conditions == null ? Optional.empty()
        : status.conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** Keeps lastTransitionTime while the condition's status stays the same, as Kubernetes does. */
  private static Condition condition(
      ContrastiveTrainingRunStatus before, String type, boolean isTrue, Outcome outcome, Long generation, String now) {
    String status = isTrue ? "True" : "False";
    Optional<Condition> previous = find(before, type);
    String since = previous.filter(c -> status.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime).orElse(now);
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(outcome.reason())
        .withMessage(outcome.message())
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }
}
