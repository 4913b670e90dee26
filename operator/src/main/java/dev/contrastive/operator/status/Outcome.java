package dev.contrastive.operator.status;

import dev.contrastive.api.status.Phase;
import dev.contrastive.operator.observe.GangState;

/** The verdict of one reconcile: a phase, one CamelCase reason and a sentence for people. */
public record Outcome(Phase phase, String reason, String message) {

  public static final String INVALID_CONFIG = "InvalidConfig";

  public static Outcome invalidConfig(String message) {
    return new Outcome(Phase.Failed, INVALID_CONFIG, message);
  }

  public static Outcome waiting(String reason, String message) {
    return new Outcome(Phase.Pending, reason, message);
  }

  /** Pending until every worker runs, Running, Succeeded when all exited 0, Failed on any failure. */
  public static Outcome of(GangState gang) {
    if (gang.failure().isPresent()) {
      return new Outcome(Phase.Failed, "WorkerFailed", gang.failure().get().describe());
    }
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
