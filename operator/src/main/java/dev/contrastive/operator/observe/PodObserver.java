package dev.contrastive.operator.observe;

import dev.contrastive.operator.observe.GangState.WorkerFailure;
import dev.contrastive.operator.plan.RunNames;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
    Optional<GangState.Unschedulable> unschedulable = Optional.empty();
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
      Optional<GangState.Unschedulable> waiting = unschedulableCondition(status).map(c -> new GangState.Unschedulable(
          pod.getMetadata().getName(), since(c), nullToEmpty(c.getMessage())));
      if (waiting.isPresent() && (unschedulable.isEmpty() || waiting.get().since().isBefore(unschedulable.get().since()))) {
        unschedulable = waiting;
      }
    }
    return new GangState(desired, byRank.size(), running, ready, succeeded, failure, problems, unschedulable);
  }

  private static WorkerFailure failureOf(Pod pod, PodStatus status) {
    Optional<ContainerStateTerminated> terminated = containerStatuses(status).stream()
        .map(cs -> cs.getState() == null ? null : cs.getState().getTerminated())
        .filter(t -> t != null && t.getExitCode() != null && t.getExitCode() != 0)
        .findFirst();
    String reason = terminated.map(ContainerStateTerminated::getReason).orElse(status.getReason());
    String message = terminated.map(ContainerStateTerminated::getMessage).orElse(status.getMessage());
    return new WorkerFailure(rank(pod), pod.getMetadata().getName(), pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
        terminated.map(ContainerStateTerminated::getExitCode).orElse(null), reason,
        message == null || message.isBlank() ? null : message.strip());
  }

  private static Optional<String> problemOf(Pod pod, PodStatus status) {
    String prefix = "worker rank " + rank(pod) + " (pod " + pod.getMetadata().getName() + ")";
    Optional<PodCondition> unschedulable = unschedulableCondition(status);
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

  private static Optional<PodCondition> unschedulableCondition(PodStatus status) {
    return status.getConditions() == null ? Optional.empty()
        : status.getConditions().stream()
            .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                && "Unschedulable".equals(c.getReason()))
            .findFirst();
  }

  /** A condition without a time cannot be timed, so it never counts as timed out. */
  private static Instant since(PodCondition condition) {
    try {
      return condition.getLastTransitionTime() == null ? Instant.MAX : Instant.parse(condition.getLastTransitionTime());
    } catch (DateTimeParseException e) {
      return Instant.MAX;
    }
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

  public static int rank(Pod pod) {
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
