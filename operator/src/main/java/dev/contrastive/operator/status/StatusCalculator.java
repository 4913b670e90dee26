package dev.contrastive.operator.status;

import dev.contrastive.api.status.ContrastiveTrainingRunStatus;
import dev.contrastive.api.status.Phase;
import dev.contrastive.api.status.WorkersStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
    next.startTime = before.startTime != null || outcome.phase() != Phase.Running ? before.startTime : timestamp;
    next.completionTime = before.completionTime != null || !outcome.phase().isFinished()
        ? before.completionTime : timestamp;
    next.conditions = List.of(
        condition(before, READY, outcome.phase() == Phase.Running, outcome, generation, timestamp),
        condition(before, SUCCEEDED, outcome.phase() == Phase.Succeeded, outcome, generation, timestamp),
        condition(before, FAILED, outcome.phase() == Phase.Failed, outcome, generation, timestamp));
    next.progress = null;
    return next;
  }

  /** Keeps lastTransitionTime while the condition's status stays the same, as Kubernetes does. */
  private static Condition condition(
      ContrastiveTrainingRunStatus before, String type, boolean isTrue, Outcome outcome, Long generation, String now) {
    String status = isTrue ? "True" : "False";
    Optional<Condition> previous = before.conditions == null ? Optional.empty()
        : before.conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
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
