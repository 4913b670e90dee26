package dev.contrastive.operator.observe;

import java.util.List;
import java.util.Optional;

/**
 * What the worker pods of a run show: counts by lifecycle, the first failed rank, and problems a
 * person should see (unschedulable, image pull, crash loop, out of memory), one line each.
 */
public record GangState(
    int desired, int existing, int running, int ready, int succeeded,
    Optional<WorkerFailure> failure, List<String> problems) {

  public GangState {
    problems = List.copyOf(problems);
  }

  public boolean allRunning() {
    return desired > 0 && running == desired;
  }

  public boolean allSucceeded() {
    return desired > 0 && succeeded == desired;
  }

  /** A worker that ended without success: its rank, exit code (null if it never ran) and reason. */
  public record WorkerFailure(int rank, String pod, Integer exitCode, String reason) {

    public String describe() {
      return "worker rank " + rank + " (pod " + pod + ") failed"
          + (exitCode == null ? "" : " with exit code " + exitCode)
          + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")");
    }
  }
}
