package dev.contrastive.operator.observe;

import dev.contrastive.operator.observe.GangState.WorkerFailure;
import dev.contrastive.operator.plan.RunNames;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** pods -> gang state. Reads only what the kubelet and scheduler report; changes nothing. */
public final class PodObserver {

  /** Waiting reasons that mean the container will not start by itself. */
  private static final Set<String> STUCK_REASONS = Set.of(
      "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CrashLoopBackOff",
      "CreateContainerConfigError", "CreateContainerError");

  private PodObserver() {}

  public static GangState observe(Collection<Pod> pods, int desired) {
    List<Pod> byRank = pods.stream().sorted(Comparator.comparingInt(PodObserver::rank)).toList();
    int running = 0;
    int ready = 0;
    int succeeded = 0;
    Optional<WorkerFailure> failure = Optional.empty();
    List<String> problems = new ArrayList<>();
    for (Pod pod : byRank) {
      PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
      String phase = status.getPhase();
      if ("Running".equals(phase)) {
        running++;
        if (hasCondition(status, "Ready", "True")) {
          ready++;
        }
      } else if ("Succeeded".equals(phase)) {
        succeeded++;
      } else if ("Failed".equals(phase) && failure.isEmpty()) {
        failure = Optional.of(failureOf(pod, status));
      }
      problemOf(pod, status).ifPresent(problems::add);
    }
    return new GangState(desired, byRank.size(), running, ready, succeeded, failure, problems);
  }

  private static WorkerFailure failureOf(Pod pod, PodStatus status) {
    Optional<ContainerStateTerminated> terminated = containerStatuses(status).stream()
        .map(cs -> cs.getState() == null ? null : cs.getState().getTerminated())
        .filter(t -> t != null && t.getExitCode() != null && t.getExitCode() != 0)
        .findFirst();
    String reason = terminated.map(ContainerStateTerminated::getReason).orElse(status.getReason());
    return new WorkerFailure(rank(pod), pod.getMetadata().getName(),
        terminated.map(ContainerStateTerminated::getExitCode).orElse(null), reason);
  }

  private static Optional<String> problemOf(Pod pod, PodStatus status) {
    String prefix = "worker rank " + rank(pod) + " (pod " + pod.getMetadata().getName() + ")";
    Optional<PodCondition> unschedulable = status.getConditions() == null ? Optional.empty()
        : status.getConditions().stream()
            .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                && "Unschedulable".equals(c.getReason()))
            .findFirst();
    if (unschedulable.isPresent()) {
      return Optional.of(prefix + " is Unschedulable: " + nullToEmpty(unschedulable.get().getMessage()));
    }
    for (ContainerStatus container : containerStatuses(status)) {
      var state = container.getState();
      if (state != null && state.getWaiting() != null && STUCK_REASONS.contains(state.getWaiting().getReason())) {
        return Optional.of(prefix + " is in " + state.getWaiting().getReason()
            + messageSuffix(state.getWaiting().getMessage()));
      }
      if (isOomKilled(container)) {
        return Optional.of(prefix + " was OOMKilled: raise spec.resources.memory or lower spec.trainer.batchSizePerWorker");
      }
    }
    return Optional.empty();
  }

  private static boolean isOomKilled(ContainerStatus container) {
    return (container.getState() != null && container.getState().getTerminated() != null
            && "OOMKilled".equals(container.getState().getTerminated().getReason()))
        || (container.getLastState() != null && container.getLastState().getTerminated() != null
            && "OOMKilled".equals(container.getLastState().getTerminated().getReason()));
  }

  private static boolean hasCondition(PodStatus status, String type, String value) {
    return status.getConditions() != null && status.getConditions().stream()
        .anyMatch(c -> type.equals(c.getType()) && value.equals(c.getStatus()));
  }

  private static List<ContainerStatus> containerStatuses(PodStatus status) {
    return status.getContainerStatuses() == null ? List.of() : status.getContainerStatuses();
  }

  static int rank(Pod pod) {
    String label = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(RunNames.RANK_LABEL);
    try {
      return label == null ? Integer.MAX_VALUE : Integer.parseInt(label);
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static String messageSuffix(String message) {
    return message == null || message.isEmpty() ? "" : ": " + message;
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
