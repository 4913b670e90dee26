package dev.contrastive.operator.lifecycle;

import dev.contrastive.operator.observe.GangState;
import dev.contrastive.operator.observe.GangState.WorkerFailure;
import dev.contrastive.operator.status.Outcome;
import java.time.Duration;
import java.util.Optional;

/** What the reconciler does with a run's current gang; the reconciler records status before acting. */
public sealed interface Decision {

  /**
   * Keep the gang: create its missing workers, record the outcome, and look again after {@code recheckAfter};
   * {@code gang} is what its pods showed when this was decided.
   */
  record Proceed(Outcome outcome, GangState gang, Optional<Duration> recheckAfter) implements Decision {}

  /** Delete every worker; once they are gone a new gang starts from the checkpoint. */
  record RestartGang(WorkerFailure failure, String message) implements Decision {}

  /** The run ends Failed; its pods are stopped as {@link PodCleanup} says. */
  record Fail(Outcome outcome) implements Decision {}
}
