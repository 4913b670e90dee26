package dev.contrastive.local.pods;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import java.time.Instant;
import java.util.List;

/** The pod statuses a kubelet reports, as objects to patch onto {@code pods/status}. */
public final class PodStatuses {

  private PodStatuses() {}

  public static Pod running(Pod pod, Instant started) {
    ContainerStatus container = container(pod).withReady(true).withStarted(true)
        .withNewState().withNewRunning().withStartedAt(started.toString()).endRunning().endState()
        .build();
    return status(pod, "Running", started, true, container);
  }

  /** Exit 0 -> Succeeded/Completed, else Failed/Error, with the exit code. */
  public static Pod terminated(Pod pod, int exitCode, Instant started, Instant finished) {
    return terminated(pod, exitCode, started, finished, null);
  }

  /** As above, with the termination message (null for none). */
  public static Pod terminated(Pod pod, int exitCode, Instant started, Instant finished, String message) {
    String reason = exitCode == 0 ? "Completed" : "Error";
    ContainerStatus container = container(pod).withReady(false).withStarted(false)
        .withNewState().withNewTerminated()
          .withExitCode(exitCode).withReason(reason).withMessage(message)
          .withStartedAt(started.toString()).withFinishedAt(finished.toString())
        .endTerminated().endState()
        .build();
    return status(pod, exitCode == 0 ? "Succeeded" : "Failed", started, false, container);
  }

  /** The container cannot start; the pod stays Pending (reason e.g. CreateContainerConfigError). */
  public static Pod waiting(Pod pod, String reason, String message) {
    ContainerStatus container = container(pod).withReady(false).withStarted(false)
        .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
        .build();
    return status(pod, "Pending", Instant.now(), false, container);
  }

  /** No node fits, as the scheduler reports it. */
  public static Pod unschedulable(Pod pod, String message) {
    return new PodBuilder()
        .withNewMetadata().withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
        .endMetadata()
        .withNewStatus().withPhase("Pending")
          .withConditions(condition("PodScheduled", false, "Unschedulable", message))
        .endStatus()
        .build();
  }

  private static Pod status(Pod pod, String phase, Instant started, boolean ready,
      ContainerStatus container) {
    return new PodBuilder()
        .withNewMetadata().withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
        .endMetadata()
        .withNewStatus()
          .withPhase(phase)
          .withPodIP(EnvResolver.LOCAL_IP).withHostIP(EnvResolver.LOCAL_IP)
          .addNewPodIP().withIp(EnvResolver.LOCAL_IP).endPodIP()
          .withStartTime(started.toString())
          .withConditions(List.of(
              condition("PodScheduled", true, null, null),
              condition("Initialized", true, null, null),
              condition("ContainersReady", ready, null, null),
              condition("Ready", ready, null, null)))
          .withContainerStatuses(container)
        .endStatus()
        .build();
  }

  private static ContainerStatusBuilder container(Pod pod) {
    var spec = pod.getSpec().getContainers().get(0);
    return new ContainerStatusBuilder().withName(spec.getName()).withImage(spec.getImage())
        .withImageID(spec.getImage()).withRestartCount(0);
  }

  private static PodCondition condition(String type, boolean status, String reason, String message) {
    return new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False")
        .withReason(reason).withMessage(message).withLastTransitionTime(Instant.now().toString()).build();
  }
}
