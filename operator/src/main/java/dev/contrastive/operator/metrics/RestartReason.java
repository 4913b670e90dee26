package dev.contrastive.operator.metrics;

import dev.contrastive.operator.lifecycle.LifecyclePolicy;
import dev.contrastive.operator.observe.GangState.WorkerFailure;

/** A gang restart's cause as one of a few label values, so the restart series stay few. */
final class RestartReason {

  static final String NODE_LOST = "NodeLost";
  static final String POD_DELETED = "PodDeleted";
  static final String OOM_KILLED = "OOMKilled";
  static final String EVICTED = "Evicted";
  static final String EXIT_CODE = "ExitCode";
  static final String OTHER = "Other";

  private RestartReason() {}

  static String of(WorkerFailure failure) {
    String reason = failure.reason() == null ? "" : failure.reason();
    if (reason.equals(LifecyclePolicy.NODE_LOST)) {
      return NODE_LOST;
    }
    if (reason.equals(LifecyclePolicy.POD_DELETED)) {
      return POD_DELETED;
    }
    if (reason.equals(OOM_KILLED)) {
      return OOM_KILLED;
    }
    if (reason.equals(EVICTED)) {
      return EVICTED;
    }
    return failure.exitCode() != null ? EXIT_CODE : OTHER;
  }
}
