package dev.contrastive.operator.status;

import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.observe.GangState;

/** The verdict of one reconcile: a phase, one CamelCase reason and a sentence for people. */
public record Outcome(Phase phase, String reason, String message) {

  public static final String INVALID_CONFIG = "InvalidConfig";
  /**
   * The run cannot exist as asked: its name, an object of a name it needs that it does not own, or a
   * spec.template that cannot be applied to its worker pods.
   */
  public static final String INVALID_SPEC = "InvalidSpec";
  /** Objects of a deleted run of the same name are still being garbage-collected. */
  public static final String PREVIOUS_RUN_OBJECTS = "PreviousRunObjectsTerminating";
  public static final String WORKER_FAILED = "WorkerFailed";
  public static final String BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded";
  public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
  public static final String SUSPENDED = "Suspended";
  public static final String UNSCHEDULABLE = "Unschedulable";
  /** The gang's pods are created and wait for Kueue's admission. */
  public static final String AWAITING_ADMISSION = "AwaitingAdmission";
  /** Kueue stopped the gang (preemption, eviction): it is queued again, no failure counted. */
  public static final String EVICTED_BY_KUEUE = "EvictedByKueue";

  public static Outcome invalidConfig(String message) {
    return new Outcome(Phase.Failed, INVALID_CONFIG, message);
  }

  public static Outcome invalidSpec(String message) {
    return new Outcome(Phase.Failed, INVALID_SPEC, message);
  }

  public static Outcome failed(String reason, String message) {
    return new Outcome(Phase.Failed, reason, message);
  }

  public static Outcome waiting(String reason, String message) {
    return new Outcome(Phase.Pending, reason, message);
  }

  /** Waiting for Kueue to admit the gang (again, after a preemption). */
  public static Outcome queued(String reason, String message) {
    return new Outcome(Phase.Queued, reason, message);
  }

  public static Outcome suspended() {
    return new Outcome(Phase.Suspended, SUSPENDED, "spec.runPolicy.suspend is true: workers deleted, "
        + "checkpoints kept; set it to false to resume");
  }

  /** Pending until every worker runs, Running, Succeeded when all exited 0. Failures are the policy's. */
  public static Outcome of(GangState gang) {
    if (gang.allSucceeded()) {
      return new Outcome(Phase.Succeeded, "AllWorkersSucceeded",
          "all " + gang.desired() + " workers exited 0");
    }
    if (gang.running() > 0 && gang.running() + gang.succeeded() == gang.desired()) {
      return new Outcome(Phase.Running, "WorkersRunning",
          gang.running() + "/" + gang.desired() + " workers running");
    }
    String waiting = "waiting for workers: " + gang.running() + "/" + gang.desired() + " running";
    return new Outcome(Phase.Pending, "WorkersPending",
        gang.problems().isEmpty() ? waiting : waiting + "; " + String.join("; ", gang.problems()));
  }
}
