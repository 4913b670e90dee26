package dev.contrastive.operator.lifecycle;

import dev.contrastive.api.ContrastiveTrainingRun;
import dev.contrastive.operator.status.Outcome;
import dev.contrastive.operator.status.StatusCalculator;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Which pods of a finished run to delete, by {@code spec.runPolicy.cleanPodPolicy}: All, Running
 * (those not yet ended; ended ones stay for their logs) or None. A run the operator itself ended
 * (deadline, backoff limit) always stops its running pods: they would hold GPUs for nothing.
 */
public final class PodCleanup {

  private static final Set<String> STOPPING_REASONS = Set.of(Outcome.DEADLINE_EXCEEDED, Outcome.BACKOFF_LIMIT_EXCEEDED);

  private PodCleanup() {}

  public static List<Pod> toDelete(ContrastiveTrainingRun run, Collection<Pod> pods) {
    String policy = LifecyclePolicy.policy(run).cleanPodPolicy;
    boolean stop = "Running".equals(policy) || STOPPING_REASONS.contains(failedReason(run));
    return pods.stream()
        .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
        .filter(pod -> "All".equals(policy) || (stop && !hasEnded(pod)))
        .toList();
  }

  private static boolean hasEnded(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static String failedReason(ContrastiveTrainingRun run) {
    return run.getStatus() == null || run.getStatus().conditions == null ? null
        : run.getStatus().conditions.stream()
            .filter(c -> StatusCalculator.FAILED.equals(c.getType()) && "True".equals(c.getStatus()))
            .map(c -> c.getReason()).findFirst().orElse(null);
  }
}
