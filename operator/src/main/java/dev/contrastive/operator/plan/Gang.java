package dev.contrastive.operator.plan;

import dev.contrastive.api.ContrastiveTrainingRun;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;

/**
 * Identity of one gang of workers: the restart count and the world it was planned for. Pods carry
 * it in {@link RunNames#GANG_LABEL}; a pod with another id belongs to an earlier gang (before a
 * restart, or before the plan changed) and must be gone before the new gang is created.
 */
public final class Gang {

  private Gang() {}

  public static String id(ContrastiveTrainingRun run, World world) {
    return restarts(run) + "-" + String.format("%08x", Objects.hash(world.size(), world.nodes()));
  }

  public static int restarts(ContrastiveTrainingRun run) {
    return run.getStatus() == null || run.getStatus().restarts == null ? 0 : run.getStatus().restarts;
  }

  public static boolean isMember(Pod pod, String gangId) {
    return pod.getMetadata().getDeletionTimestamp() == null && pod.getMetadata().getLabels() != null
        && gangId.equals(pod.getMetadata().getLabels().get(RunNames.GANG_LABEL));
  }
}
